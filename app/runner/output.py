"""Forward what the script prints, line by line, as `Output` events."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from app.runner.protocol import Output


class LineWriter(io.TextIOBase):
    """A text stream that sends each complete line as an `Output(stream, line)` event.

    A partial line waits for its newline, or for `flush()` (the worker flushes after every
    iteration, so `print(..., end="")` still arrives).
    """

    def __init__(self, stream: str, send: Callable[[Any], None]) -> None:
        super().__init__()
        self.stream = stream
        self._send = send
        self._partial = ""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        for line in lines:
            self._send(Output(self.stream, line))
        return len(text)

    def flush(self) -> None:
        if self._partial:
            line, self._partial = self._partial, ""
            self._send(Output(self.stream, line))
