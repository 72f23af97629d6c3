"""A capture as JSON for the wire, fast: the worker encodes one per recorded iteration on its
step thread, before the next iteration starts.

The wire form is the session file's document (`autograd_core.trace.schema`) written by
position: every record is a JSON array of its fields in the schema's order, instead of an
object naming them (field names were most of the bytes and most of the time). The driver turns
the arrays back into the session file's document (`document_from_rows`, which refuses an array
of the wrong length) and validates it with the session codec's `decode_capture`, so the codec's
checks and limits apply unchanged. What else makes it fast: one `attrgetter` per record class
reads every field in C, tuples and NaN/Inf stay as they are (`json.dumps` writes lists and
`NaN`/`Infinity`, which `frames.unpack` reads back for packets only), and strings are left to
`json.dumps`'s escaping (a lone surrogate travels as `\\udXXX` and is cleaned by the decoder,
as a file's are). Thumbnails move out into the packet's arrays under keys "a0", "a1", ...
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from autograd_core.trace.records import (
    BackwardRecord,
    Health,
    IterationCapture,
    TensorMeta,
    TensorStats,
)
from autograd_core.trace.schema import SCHEMA

__all__ = ["capture_rows", "document_from_rows"]

_GET = {cls: operator.attrgetter(*spec) for cls, spec in SCHEMA.items()}
_CAP = list(SCHEMA[IterationCapture])
_STATS_AT = list(SCHEMA[TensorMeta]).index("stats")
_THUMB_AT = list(SCHEMA[TensorStats]).index("thumb")
_GRADS_AT = list(SCHEMA[BackwardRecord]).index("grads")
_ORIGIN_AT = list(SCHEMA[Health]).index("first_nonfinite")


def capture_rows(cap: IterationCapture, arrays: dict[str, np.ndarray]) -> list:
    """`cap` with every record as the tuple of its fields (schema order); its thumbnails
    are added to `arrays` and replaced by their keys."""
    from autograd_core.trace.records import Edge, ModuleSpan, NodeRecord, NonFiniteOrigin

    get_meta, get_stats = _GET[TensorMeta], _GET[TensorStats]

    def meta(m: TensorMeta | None) -> Any:
        if m is None:
            return None
        row = get_meta(m)
        stats = row[_STATS_AT]
        if stats is None:
            return row
        srow = list(get_stats(stats))
        if srow[_THUMB_AT] is not None:
            key = f"a{len(arrays)}"
            arrays[key] = srow[_THUMB_AT]
            srow[_THUMB_AT] = key
        row = list(row)
        row[_STATS_AT] = srow
        return row

    get_back = _GET[BackwardRecord]

    def backward(b: BackwardRecord) -> list:
        row = list(get_back(b))
        row[_GRADS_AT] = [meta(g) for g in row[_GRADS_AT]]
        return row

    health = list(_GET[Health](cap.health))
    if health[_ORIGIN_AT] is not None:
        health[_ORIGIN_AT] = _GET[NonFiniteOrigin](health[_ORIGIN_AT])
    get_node, get_edge, get_span = _GET[NodeRecord], _GET[Edge], _GET[ModuleSpan]
    parts = {"nodes": [get_node(n) for n in cap.nodes],
             "edges": [get_edge(e) for e in cap.edges],
             "tensors": [meta(t) for t in cap.tensors.values()],
             "backward": [backward(b) for b in cap.backward],
             "modules": [get_span(m) for m in cap.modules], "health": health}
    row = list(_GET[IterationCapture](cap))
    for name, value in parts.items():
        row[_CAP.index(name)] = value
    return row


class RowError(ValueError):
    """A capture's rows do not have the schema's shape."""


def document_from_rows(rows: Any) -> Any:
    """The session file's document for `rows` (records as objects naming their fields), for
    the session codec to validate; an array of the wrong length raises RowError."""
    return _doc(rows, (IterationCapture,), "capture")


def _doc(v: Any, spec: tuple, path: str) -> Any:
    kind = spec[0]
    if isinstance(kind, type):
        fields = SCHEMA[kind]
        if type(v) is not list or len(v) != len(fields):
            raise RowError(f"{path}: expected the {len(fields)} fields of {kind.__name__}")
        return {name: _doc(x, fspec, path) if _NESTED[fspec] else x
                for (name, fspec), x in zip(fields.items(), v, strict=True)}
    if kind == "opt":
        return None if v is None else _doc(v, spec[1], path)
    if kind == "list" and type(v) is list:
        return [_doc(x, spec[1], path) for x in v]
    return v  # anything else the codec checks as it is


def _nested(spec: tuple) -> bool:
    """Whether `spec` holds a record (values of other specs travel as they are)."""
    kind = spec[0]
    if isinstance(kind, type):
        return True
    return kind in ("opt", "list") and _nested(spec[1])


_NESTED = {fspec: _nested(fspec) for spec in SCHEMA.values() for fspec in spec.values()}
