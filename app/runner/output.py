"""Forward what the script prints, line by line, as `Output` events."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from app.runner.protocol import Output

# A line that never ends (a progress ticker printing with end="") is sent in pieces of this
# many characters, so neither the worker nor a viewer holds an unbounded line.
MAX_LINE = 64 * 1024


class LineWriter(io.TextIOBase):
    """A text stream that sends each complete line as an `Output(stream, line)` event.

    A partial line waits for its newline, or for `flush()` (the worker flushes after every
    iteration, so `print(..., end="")` still arrives). The partial line is kept as a list of
    parts, joined once: appending to one string would make many small writes quadratic.
    """

    def __init__(self, stream: str, send: Callable[[Any], None],
                 max_line: int = MAX_LINE) -> None:
        super().__init__()
        self.stream = stream
        self._send = send
        self.max_line = max_line
        self._parts: list[str] = []
        self._size = 0  # characters in _parts

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
        if "\n" not in text:
            self._keep(text)
            return len(text)
        first, *middle, last = text.split("\n")
        self._parts.append(first)
        self._emit("".join(self._parts))
        self._parts, self._size = [], 0
        for line in middle:
            self._emit(line)
        self._keep(last)
        return len(text)

    def _keep(self, text: str) -> None:
        """Add to the partial line; send it in pieces once it passes `max_line`."""
        if not text:
            return
        self._parts.append(text)
        self._size += len(text)
        if self._size >= self.max_line:
            line = "".join(self._parts)
            cut = len(line) - len(line) % self.max_line
            self._emit(line[:cut])
            rest = line[cut:]
            self._parts, self._size = ([rest] if rest else []), len(rest)

    def _emit(self, line: str) -> None:
        for start in range(0, max(len(line), 1), self.max_line):
            self._send(Output(self.stream, line[start:start + self.max_line]))

    def flush(self) -> None:
        if self._parts:
            line = "".join(self._parts)
            self._parts, self._size = [], 0
            if line:
                self._emit(line)
