"""`Session`: an ordered, bounded window of `IterationCapture`s plus where they came from."""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from autograd_core.trace.records import IterationCapture

# 2: IterationCapture gained `clock` and `threads` (version 1 files still load: codec.ADDED).
SCHEMA_VERSION = 2
DEFAULT_WINDOW = 1000


class Session:
    """Captures in iteration order; once `window` are held the oldest is dropped.

    Items added by the recorder are kept as cheap frozen tuples and built into
    `IterationCapture`s the first time they are read (`session[i]`, `session.captures`).
    A session from `trace.load` holds lazy items instead: each read decodes through the
    file's reader (which caches the last few), so memory follows what is read; `recovered`
    says it came from a partial file, `close()` releases the file.

    Example:
        s = Session(script="mlp.py", window=100)
        s.add(capture)
        s.captures[-1].nodes
    """

    def __init__(self, script: str = "", device: str = "cpu", created: float | None = None,
                 window: int = DEFAULT_WINDOW, dropped: int = 0,
                 captures: Iterable[IterationCapture] = ()) -> None:
        if window < 1:
            raise ValueError(f"Session window must be at least 1, got {window}")
        self.script = script
        self.device = device
        self.created = time.time() if created is None else created
        self.window = window
        self.schema_version = SCHEMA_VERSION
        self.dropped = dropped
        self._items: deque = deque(maxlen=window)
        self.recovered = False  # loaded from a partial file (its writer was killed)
        self.source: Any = None  # the open file of a loaded session
        # A loaded file's (iteration, loss) per capture, read from its index without
        # decoding the captures; None when the file has none (older files, partial ones).
        self.loss_index: list[tuple[int, float | None]] | None = None
        self.extend(captures)

    def add(self, capture: Any) -> None:
        """Append an IterationCapture (or a recorder's frozen iteration)."""
        if len(self._items) == self.window:
            self.dropped += 1
        self._items.append(capture)

    def extend(self, captures: Iterable[Any]) -> None:
        for c in captures:
            self.add(c)

    def header(self) -> dict[str, Any]:
        """The metadata the session file's index and the JSON export both open with."""
        return {"format": "gscope", "schema_version": SCHEMA_VERSION, "script": self.script,
                "device": self.device, "created": self.created, "window": self.window,
                "dropped": self.dropped}

    @property
    def captures(self) -> list[IterationCapture]:
        """The captures in the window, oldest first."""
        return [self[i] for i in range(len(self._items))]

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, i: int) -> IterationCapture:
        item = self._items[i]
        if getattr(item, "lazy", False):
            return item.build()  # the reader caches; keeping it here would hold every one
        if not isinstance(item, IterationCapture):
            item = item.build()
            self._items[i] = item
        return item

    def __iter__(self) -> Iterator[IterationCapture]:
        return (self[i] for i in range(len(self._items)))

    def close(self) -> None:
        """Release the file a loaded session reads its captures from (reads fail after)."""
        if self.source is not None:
            self.source.close()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Session):
            return NotImplemented
        return (self.script, self.device, self.created, self.window, self.schema_version,
                self.dropped) == (other.script, other.device, other.created, other.window,
                                  other.schema_version, other.dropped) and \
            self.captures == other.captures

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"Session(script={self.script!r}, device={self.device!r}, "
                f"captures={len(self)}, window={self.window}, dropped={self.dropped})")


def approx_nbytes(obj: Any, _seen: set | None = None) -> int:
    """Approximate host memory held by a record tree (objects, containers, numpy arrays)."""
    seen = set() if _seen is None else _seen
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    if isinstance(obj, np.ndarray):
        return sys.getsizeof(obj) + (obj.nbytes if obj.base is None else 0)
    size = sys.getsizeof(obj)
    if isinstance(obj, dict):
        return size + sum(approx_nbytes(k, seen) + approx_nbytes(v, seen)
                          for k, v in obj.items())
    if isinstance(obj, (list, tuple, deque, set)):
        return size + sum(approx_nbytes(v, seen) for v in obj)
    slots = getattr(type(obj), "__slots__", None)
    if slots and not isinstance(obj, (str, bytes, int, float)):
        return size + sum(approx_nbytes(getattr(obj, s), seen) for s in slots
                          if hasattr(obj, s))
    return size
