"""A one-line terminal progress bar: iterations, loss and speed (plain lines when not a tty)."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """Redraws `  37/100 [#######.............] loss 0.1234  52.1 it/s` in place."""

    def __init__(self, total: int, stream: TextIO | None = None, width: int = 24) -> None:
        self.total = max(total, 1)
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = self.stream.isatty()
        self.done = 0
        self.loss: float | None = None
        self.rate = 0.0
        self._started = time.perf_counter()
        self._last_line = 0.0
        self._drawn = False

    def update(self, done: int, loss: float | None = None) -> None:
        self.done = done
        if loss is not None:
            self.loss = loss
        elapsed = time.perf_counter() - self._started
        self.rate = done / elapsed if elapsed > 0 else 0.0
        now = time.monotonic()
        if self.tty:
            self._draw()
        elif now - self._last_line >= 1.0 or done == self.total:
            self._last_line = now
            self._write(self.line() + "\n")

    def line(self) -> str:
        filled = int(self.width * min(self.done / self.total, 1.0))
        bar = "#" * filled + "." * (self.width - filled)
        loss = f"loss {self.loss:.6g}" if self.loss is not None else "loss -"
        n = len(str(self.total))
        return f"{self.done:{n}d}/{self.total} [{bar}] {loss}  {self.rate:.1f} it/s"

    def _draw(self) -> None:
        self._write("\r\x1b[2K" + self.line())
        self._drawn = True

    def _write(self, text: str, stream: TextIO | None = None) -> None:
        """Write and flush; a terminal that went away (SIGHUP) or a closed pipe is ignored:
        the recording behind the bar must go on and be saved."""
        out = stream or self.stream
        try:
            out.write(text)
            out.flush()
        except (OSError, ValueError):
            pass

    def message(self, text: str, stream: TextIO | None = None) -> None:
        """Print a line above the bar (script output, warnings)."""
        if self.tty and self._drawn:
            self._write("\r\x1b[2K")
        self._write(text + "\n", stream or sys.stdout)
        if self.tty and self._drawn:
            self._draw()

    def close(self) -> None:
        if self.tty and self._drawn:
            self._write("\n")
