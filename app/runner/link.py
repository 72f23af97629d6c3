"""Link health between the driver and its worker: round-trip times of `Ping`/`Pong` and the
event bytes per second, for a status bar (local and remote workers alike).

The driver sends `Ping(t)` about once a second from its polls (`LinkMonitor.due`); the worker
answers `Pong(t)` from its command reader, so a busy step thread does not inflate the time.
"""

from __future__ import annotations

import statistics
import time
from collections import deque
from dataclasses import dataclass

__all__ = ["PING_INTERVAL", "LinkHealth", "LinkMonitor"]

PING_INTERVAL = 1.0   # seconds between pings while the worker lives
_RTT_SAMPLES = 5      # the median of the last few round trips
_RATE_WINDOW = 2.0    # seconds of event bytes the rate is taken over


@dataclass(frozen=True)
class LinkHealth:
    """What a status bar shows of the link to the worker.

    `host` is the remote target's label (None for a local worker); `rtt_ms` the median of the
    last few ping round trips (None before the first answer); `bytes_per_s` the event bytes
    received per second over the last ~2 s; `connected` whether the worker is reachable now.
    """

    host: str | None
    rtt_ms: float | None
    bytes_per_s: float
    connected: bool


class LinkMonitor:
    """Ping timing, round-trip samples and a byte-rate window for one worker connection."""

    def __init__(self, interval: float = PING_INTERVAL) -> None:
        self.interval = interval
        self.reset()

    def reset(self) -> None:
        """A fresh connection: no samples, the first ping due after one interval."""
        self._next_ping = time.monotonic() + self.interval  # not while the worker starts
        self._rtts: deque[float] = deque(maxlen=_RTT_SAMPLES)
        self._bytes: deque[tuple[float, int]] = deque()

    def due_in(self) -> float:
        """Seconds until the next ping is due (0 when it is)."""
        return max(0.0, self._next_ping - time.monotonic())

    def take_ping(self) -> float | None:
        """The time stamp of a ping to send now, or None when none is due."""
        now = time.monotonic()
        if now < self._next_ping:
            return None
        self._next_ping = now + self.interval
        return now

    def pong(self, t: float) -> None:
        """A `Pong(t)` arrived: one round trip (a stamp from the future or an old clock,
        as a confused or hostile worker might send, is ignored)."""
        rtt = time.monotonic() - t
        if 0.0 <= rtt < 3600.0:
            self._rtts.append(rtt)

    def received(self, nbytes: int) -> None:
        if nbytes > 0:
            self._bytes.append((time.monotonic(), nbytes))

    def health(self, host: str | None, connected: bool) -> LinkHealth:
        now = time.monotonic()
        while self._bytes and now - self._bytes[0][0] > _RATE_WINDOW:
            self._bytes.popleft()
        rate = sum(n for _, n in self._bytes) / _RATE_WINDOW
        rtt = statistics.median(self._rtts) * 1000.0 if self._rtts else None
        return LinkHealth(host, rtt, rate, connected)
