"""A capture as the session file's JSON document, fast: the worker encodes one per recorded
iteration on its step thread, before the next iteration starts.

The document is the one `autograd_core.trace.schema.encode` writes (the same field names and
nesting, thumbnails moved out into `arrays` under keys "a0", "a1", ...), and the driver
validates it with the session codec's `decode_capture`. What makes it fast is what the wire
allows and a file does not need: one `attrgetter` per record class reads every field in C,
tuples and NaN/Inf stay as they are (`json.dumps` writes lists and `NaN`/`Infinity`, which
`frames.unpack` reads back for packets only), and strings are left to `json.dumps`'s escaping
(a lone surrogate is written as `\\udXXX` and cleaned by the decoder, as a file's are).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import fields
from typing import Any

import numpy as np

from autograd_core.trace.records import (
    BackwardRecord,
    Edge,
    Health,
    IterationCapture,
    ModuleSpan,
    NodeRecord,
    NonFiniteOrigin,
    TensorMeta,
    TensorStats,
)
from autograd_core.trace.schema import SCHEMA

__all__ = ["capture_document"]


def _plain(cls: type) -> Callable[[Any], dict]:
    """A record whose fields are all plain values (numbers, strings, tuples of them)."""
    names = tuple(SCHEMA[cls])
    assert set(names) == {f.name for f in fields(cls)}, cls  # the schema covers the record
    get = operator.attrgetter(*names)
    return lambda obj: dict(zip(names, get(obj), strict=True))


_node = _plain(NodeRecord)
_edge = _plain(Edge)
_span = _plain(ModuleSpan)
_origin = _plain(NonFiniteOrigin)
_STATS = _plain(TensorStats)
_META = tuple(SCHEMA[TensorMeta])
_meta_get = operator.attrgetter(*_META)
_BACKWARD = tuple(SCHEMA[BackwardRecord])
_backward_get = operator.attrgetter(*_BACKWARD)
_HEALTH = tuple(SCHEMA[Health])
_health_get = operator.attrgetter(*_HEALTH)


def capture_document(cap: IterationCapture, arrays: dict[str, np.ndarray]) -> dict:
    """`cap` as the session file's JSON document; its thumbnails are added to `arrays`."""
    def meta(m: TensorMeta | None) -> dict | None:
        if m is None:
            return None
        out = dict(zip(_META, _meta_get(m), strict=True))
        stats = out["stats"]
        if stats is not None:
            out["stats"] = s = _STATS(stats)
            if s["thumb"] is not None:
                key = f"a{len(arrays)}"
                arrays[key] = s["thumb"]
                s["thumb"] = key
        return out

    def backward(b: BackwardRecord) -> dict:
        out = dict(zip(_BACKWARD, _backward_get(b), strict=True))
        out["grads"] = [meta(g) for g in out["grads"]]
        return out

    health = dict(zip(_HEALTH, _health_get(cap.health), strict=True))
    if health["first_nonfinite"] is not None:
        health["first_nonfinite"] = _origin(health["first_nonfinite"])
    return {
        "index": cap.index, "level": cap.level, "wall_time": cap.wall_time,
        "nodes": [_node(n) for n in cap.nodes], "edges": [_edge(e) for e in cap.edges],
        "tensors": [meta(t) for t in cap.tensors.values()],
        "backward": [backward(b) for b in cap.backward],
        "modules": [_span(m) for m in cap.modules], "phases": cap.phases,
        "duration_ns": cap.duration_ns, "loss": cap.loss, "health": health,
        "clock": cap.clock, "threads": cap.threads,
    }
