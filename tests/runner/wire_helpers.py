"""Test helpers for the wire: a stand-in event connection that decodes what the outbox sends
(as the driver does), and small real captures (only `IterationCapture`s travel)."""

from __future__ import annotations

import time

from app.runner.channel import decode_frame
from autograd_core.trace.records import Health, IterationCapture, NonFiniteOrigin


class FramePipe:
    """Stands in for the event connection: keeps each frame the outbox sends, decoded."""

    def __init__(self, delay: float = 0.0) -> None:
        self.messages: list[list] = []
        self.delay = delay

    def send_bytes(self, data: bytes) -> None:
        time.sleep(self.delay)  # a slow reader
        self.messages.append(decode_frame(data))

    @property
    def sent(self) -> list:
        return [e for m in self.messages for e in m]


def capture(i: int, origin: str | None = None) -> IterationCapture:
    """A real (empty) capture of iteration `i`; `origin` names a NaN's birth in its health."""
    born = None if origin is None else NonFiniteOrigin(0, origin, "forward", "m.py:1",
                                                       "output", 1, 0)
    return IterationCapture(index=i, level="basic", wall_time=1.0,
                            health=Health(first_nonfinite=born))
