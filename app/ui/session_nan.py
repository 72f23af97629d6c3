"""The session model's NaN hunt: finds the run's first NaN/Inf birth as captures arrive (from
the worker's flag, without decoding every capture; or from an opened file's loss index) and
keeps that capture in the bounded window however long the run goes on, so the window can
always go back to where the NaN was born. A mixin of `SessionModel` (its `nan_found` signal
announces the birth once per run)."""

from __future__ import annotations

import math
from typing import Any

from app.present.nan_hunt import NanBirth, birth_of, capture_nonfinite
from app.runner import protocol as p

__all__ = ["NanTracking"]


class NanTracking:
    """Mixin: `nan_birth` (the run's earliest NanBirth, or None), the birth capture kept at the
    front of `captures`, and which captures of the window hold a NaN/Inf."""

    nan_birth: NanBirth | None = None
    _nonfinite_iterations: frozenset[int] = frozenset()  # an opened file's non-finite losses

    def _reset_nan(self) -> None:
        self.nan_birth = None
        self._nonfinite_iterations = frozenset()

    def _keep_birth(self) -> None:
        """Before an append to a full window: drop the second-oldest capture rather than the
        oldest when the oldest is where the NaN was born."""
        caps = self.captures
        if (self.nan_birth is not None and len(caps) >= 2 and len(caps) == caps.maxlen
                and _iteration(caps[0]) == self.nan_birth.iteration):
            del caps[1]

    def _check_new_capture(self, index: int) -> None:
        """A capture just appended at `index`: decode it only when it is flagged non-finite
        and no birth is known yet."""
        if self.nan_birth is None and _flagged(self.captures[index]):
            self.capture_at(index)  # decoding it notes the birth (see _note_decoded)

    def _note_decoded(self, capture: Any) -> None:
        """A capture was decoded: an earlier birth than the known one is the run's birth."""
        birth = birth_of(capture)
        if birth is not None and (self.nan_birth is None
                                  or birth.iteration < self.nan_birth.iteration):
            self.nan_birth = birth
            self.nan_found.emit(birth)

    def _session_birth(self, session: Any, first: int) -> int | None:
        """An opened file: remember its non-finite losses, and return the position of the
        birth capture when it lies before the window (`first`), else None. Only files with a
        loss index are searched ahead (decoding captures up to the first non-finite loss)."""
        index = getattr(session, "loss_index", None) or []
        bad = [i for i, (_it, loss) in enumerate(index)
               if loss is not None and not math.isfinite(loss)]
        self._nonfinite_iterations = frozenset(index[i][0] for i in bad)
        if not bad:
            return None
        for pos in range(bad[0] + 1):
            try:
                cap = session[pos]
            except Exception:  # a broken capture is reported when the window reads it
                continue
            if birth_of(cap) is not None:
                self._note_decoded(cap)
                return pos if pos < first else None
        return None

    def nonfinite_positions(self) -> list[int]:
        """Positions in the window of the captures that hold a NaN/Inf (the scrubber's
        marks), judged without decoding: the worker's flag, a decoded capture's health, a
        file's loss index, and the kept birth."""
        out = []
        birth = self.nan_birth.iteration if self.nan_birth is not None else None
        for pos, item in enumerate(self.captures):
            it = _iteration(item)
            if _flagged(item) or it == birth or it in self._nonfinite_iterations:
                out.append(pos)
        return out

    def position_of_iteration(self, iteration: int) -> int | None:
        """Where capture `iteration` is in the window (None: not kept)."""
        for pos, item in enumerate(self.captures):
            if _iteration(item) == iteration:
                return pos
        return None


def _flagged(item: Any) -> bool:
    if type(item) is p.Captured:
        return bool(item.nonfinite)
    if hasattr(item, "nodes") and hasattr(item, "health"):  # a decoded IterationCapture
        return capture_nonfinite(item)
    return False


def _iteration(item: Any) -> int | None:
    """The iteration of a window item (worker event, decoded capture or file reference)."""
    if type(item) is p.Captured:
        return item.iteration
    index = getattr(item, "index", None)
    if hasattr(item, "session"):  # a _SessionRef: its position; the loss index knows more
        loss_index = getattr(item.session, "loss_index", None)
        return loss_index[index][0] if loss_index else None
    return index if isinstance(index, int) else None
