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
as a file's are). Thumbnails move out into the packet's arrays under keys "a0", "a1", ...,
and the statistics' float fields into one float64 table (`frames.TABLE`, a row per
`TensorStats`): formatting floats was most of what was left of `json.dumps`'s time. A stats
row is then its other fields in schema order followed by its row in the table.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np

from app.runner.frames import TABLE
from autograd_core.trace.records import (
    BackwardRecord,
    Health,
    IterationCapture,
    TensorMeta,
    TensorStats,
)
from autograd_core.trace.schema import SCHEMA, F

__all__ = ["RowError", "capture_rows", "document_from_rows"]

_GET = {cls: operator.attrgetter(*spec) for cls, spec in SCHEMA.items()}
_CAP = list(SCHEMA[IterationCapture])
_STATS_AT = list(SCHEMA[TensorMeta]).index("stats")
# TensorStats: its float fields go to the table, the others stay in the row.
_STATS_FLOATS = tuple(n for n, spec in SCHEMA[TensorStats].items() if spec == F)
_STATS_OTHERS = tuple(n for n in SCHEMA[TensorStats] if n not in _STATS_FLOATS)
_get_floats = operator.attrgetter(*_STATS_FLOATS)
_get_others = operator.attrgetter(*_STATS_OTHERS)
_THUMB_AT = _STATS_OTHERS.index("thumb")
_GRADS_AT = list(SCHEMA[BackwardRecord]).index("grads")
_ORIGIN_AT = list(SCHEMA[Health]).index("first_nonfinite")


def capture_rows(cap: IterationCapture, arrays: dict[str, np.ndarray]) -> list:
    """`cap` with every record as the tuple of its fields (schema order); its thumbnails
    are added to `arrays` and replaced by their keys."""
    from autograd_core.trace.records import Edge, ModuleSpan, NodeRecord, NonFiniteOrigin

    get_meta = _GET[TensorMeta]
    floats: list[tuple] = []

    def meta(m: TensorMeta | None) -> Any:
        if m is None:
            return None
        row = get_meta(m)
        stats = row[_STATS_AT]
        if stats is None:
            return row
        srow = [*_get_others(stats), len(floats)]
        floats.append(_get_floats(stats))
        if srow[_THUMB_AT] is not None:
            key = f"a{len(arrays)}"
            arrays[key] = srow[_THUMB_AT]
            srow[_THUMB_AT] = key
        out = list(row)
        out[_STATS_AT] = srow
        return out

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
    if floats:
        arrays[TABLE] = np.array(floats, dtype=np.float64)
    return row


class RowError(ValueError):
    """A capture's rows do not have the schema's shape."""


def document_from_rows(rows: Any, arrays: dict[str, np.ndarray]) -> Any:
    """The session file's document for `rows` (records as objects naming their fields), for
    the session codec to validate; takes the statistics table out of `arrays`. An array of
    the wrong length, or a stats row pointing outside the table, raises RowError."""
    table = arrays.pop(TABLE, None)
    floats = [] if table is None else table.tolist()
    if table is not None and table.shape[1] != len(_STATS_FLOATS):
        raise RowError(f"the statistics table has {table.shape[1]} columns, "
                       f"not {len(_STATS_FLOATS)}")
    return _doc(rows, (IterationCapture,), floats)


def _doc(v: Any, spec: tuple, floats: list) -> Any:
    kind = spec[0]
    if kind is TensorStats:
        if type(v) is not list or len(v) != len(_STATS_OTHERS) + 1 or type(v[-1]) is not int \
                or not 0 <= v[-1] < len(floats):
            raise RowError("a TensorStats row that is not its fields and a table row")
        return {**dict(zip(_STATS_OTHERS, v, strict=False)),
                **dict(zip(_STATS_FLOATS, floats[v[-1]], strict=True))}
    if isinstance(kind, type):
        fields = SCHEMA[kind]
        if type(v) is not list or len(v) != len(fields):
            raise RowError(f"expected the {len(fields)} fields of {kind.__name__}")
        return {name: _doc(x, fspec, floats) if _NESTED[fspec] else x
                for (name, fspec), x in zip(fields.items(), v, strict=True)}
    if kind == "opt":
        return None if v is None else _doc(v, spec[1], floats)
    if kind == "list" and type(v) is list:
        return [_doc(x, spec[1], floats) for x in v]
    return v  # anything else the codec checks as it is


def _nested(spec: tuple) -> bool:
    """Whether `spec` holds a record (values of other specs travel as they are)."""
    kind = spec[0]
    if isinstance(kind, type):
        return True
    return kind in ("opt", "list") and _nested(spec[1])


_NESTED = {fspec: _nested(fspec) for spec in SCHEMA.values() for fspec in spec.values()}
