"""The session model's pinned iteration: the capture the diff compares the shown one with.
The pinned capture is held here (not by window position), so it stays comparable after the
bounded window has dropped it. A mixin of `SessionModel` (`pinned_changed` announces it)."""

from __future__ import annotations

from typing import Any

__all__ = ["PinTracking"]


class PinTracking:
    """Mixin: `pinned` (an IterationCapture or None) and `pin()` / `unpin()`."""

    pinned: Any = None

    def pin(self, capture: Any) -> None:
        """Compare every shown iteration with `capture` (None unpins)."""
        if capture is not self.pinned:
            self.pinned = capture
            self.pinned_changed.emit(capture)

    def unpin(self) -> None:
        self.pin(None)

    def toggle_pin(self) -> None:
        """Pin the shown capture, or unpin when it is the pinned one (the Pin action)."""
        shown = self.capture()
        self.pin(None if shown is None or shown is self.pinned else shown)
