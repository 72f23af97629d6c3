"""`Session`: an ordered, bounded window of `IterationCapture`s plus where they came from."""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd_core.trace.records import IterationCapture

SCHEMA_VERSION = 1
DEFAULT_WINDOW = 1000


@dataclass(eq=False)
class Session:
    """Captures in iteration order; once `window` are held the oldest is dropped.

    Example:
        s = Session(script="mlp.py", window=100)
        s.add(capture)
    """

    script: str = ""
    device: str = "cpu"
    created: float = field(default_factory=time.time)
    window: int = DEFAULT_WINDOW
    schema_version: int = SCHEMA_VERSION
    dropped: int = 0
    captures: deque = field(default_factory=deque)

    def __post_init__(self) -> None:
        if self.window < 1:
            raise ValueError(f"Session window must be at least 1, got {self.window}")
        self.captures = deque(self.captures, maxlen=self.window)

    def add(self, capture: IterationCapture) -> None:
        if len(self.captures) == self.window:
            self.dropped += 1
        self.captures.append(capture)

    def extend(self, captures: Iterable[IterationCapture]) -> None:
        for c in captures:
            self.add(c)

    def __len__(self) -> int:
        return len(self.captures)

    def __getitem__(self, i: int) -> IterationCapture:
        return self.captures[i]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Session):
            return NotImplemented
        return (self.script, self.device, self.created, self.window, self.schema_version,
                self.dropped) == (other.script, other.device, other.created, other.window,
                                  other.schema_version, other.dropped) and \
            list(self.captures) == list(other.captures)


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
