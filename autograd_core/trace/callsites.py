"""`CallSites`: each op's call index in its module path and the user's source line, per call.

An op's stable key is `<module path>/<Op>#<call index>`; the recorder needs that index and
the user's line that called the op for every op it sees. A frame walk per op is costly, so
each (path, op class) site remembers, per call index, where the user's frame was last time
(its depth, code object, `f_lasti` and location): a later call with the same key reads that
one frame and walks only when it moved.
"""

from __future__ import annotations

import sys

from autograd_core.trace.keys import location, user_frame

__all__ = ["CallSites"]

_getframe = sys._getframe
_LOC_CACHE_MAX = 10_000  # (module path, op) sites remembered
_DEAD = (0, None, -1, None)  # a call index never seen: nothing remembered


class CallSites:
    """Call indices and source lines of ops, by (module path, op class).

    A site is a list: [iteration, calls so far this iteration, then per call index the
    (frame depth, code, f_lasti, location) of the user's frame as `find`'s caller sees it].
    """

    __slots__ = ("_count", "_sites")

    def __init__(self) -> None:
        self._sites: dict[str, dict[type, list]] = {}
        self._count = 0

    def find(self, path: str, fn: type, iteration: int) -> tuple[int, tuple[str, str]]:
        """(call index of `fn` in `path` this iteration, (`file:line`, function) of the
        user's frame that called it). Depths are counted from `find`'s caller (the
        recorder's `op_end`), which must call this directly."""
        per_path = self._sites.get(path)
        site = per_path.get(fn) if per_path is not None else None
        if site is None or site[0] != iteration:
            site = self._reset(path, fn, site, iteration)
        index = site[1]
        site[1] = index + 1
        if index + 2 < len(site):
            depth, code, lasti, loc = site[index + 2]
            try:
                frame = _getframe(depth + 1)  # +1: this frame
            except ValueError:  # a shallower stack than last time
                frame = None
            if frame is not None and frame.f_code is code:
                if frame.f_lasti != lasti:
                    loc = location(code, frame.f_lineno)
                    site[index + 2] = (depth, code, frame.f_lasti, loc)
                return index, loc
        return index, self._locate(site, index)

    def _reset(self, path: str, fn: type, site: list | None, iteration: int) -> list:
        """The (path, fn) site, its call count reset for this iteration."""
        if site is None:
            if self._count > _LOC_CACHE_MAX:  # generated modules must not grow it forever
                self._sites.clear()
                self._count = 0
            site = [iteration, 0]
            self._sites.setdefault(path, {})[fn] = site
            self._count += 1
        site[0] = iteration
        site[1] = 0
        return site

    def _locate(self, site: list, index: int) -> tuple[str, str]:
        """The user's source line by a frame walk; remembered for this call index."""
        loc, depth, code = user_frame(2)  # from find's caller (op_end) up
        if code is not None:
            hit = (depth - 2, code, _getframe(depth).f_lasti, loc)  # as find's caller sees it
            if index + 2 < len(site):
                site[index + 2] = hit
            else:  # a gap (an index first seen by a key that skipped it) holds a dead entry
                site.extend([_DEAD] * (index + 2 - len(site)))
                site.append(hit)
        return loc
