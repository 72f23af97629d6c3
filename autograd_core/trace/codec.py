"""Records <-> JSON-ready dicts, driven by one declared schema that also validates on the way
in: every field's type and range is checked before any object is built, and a bad value
raises `SessionFormatError` naming the member and the field path (`nodes[3].time_ns`).
The writer runs the same decoder over what it encodes, so what it writes always loads.

Limits (the schema's): list lengths (nodes, tensors, edges, inputs, grads...), strings of
`MAX_STR` characters, module paths of `MAX_PATH_DEPTH` levels, ints within +-2**62, tensor
sizes within 2**62 elements, times and `wall_time` finite and in range (exports compute with
them); statistics may be NaN/Inf. Non-finite floats are written as the strings "nan", "inf",
"-inf" so the JSON is standard. Lone surrogates (JSON can spell `"\ud800"`; a non-UTF-8 file
name gives them in Python) are replaced by U+FFFD on the way out and on the way in, so no
later UTF-8 writer meets one; other control characters are kept (exports escape them).
Thumbnails are not in the JSON: a stats dict holds a key into the capture's `.npz` member.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import fields
from typing import Any

import numpy as np

from autograd_core.trace.records import (
    CLOCKS,
    LEVELS,
    NODE_KINDS,
    PHASES,
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


class SessionFormatError(ValueError):
    """A session file is not one we wrote: the message names the member and the field."""


MAX_INT = 2**62
MAX_LIST = 10_000_000
MAX_NODES = 100_000  # per capture (a large model has ~1,000); tensors twice that, edges 5x
MAX_FAN = 65_536  # inputs/outputs of a node, gradients of a backward node, names in health
MAX_STR = 4096
MAX_PATH_DEPTH = 128  # levels of a dotted module path (a.b.c has 3)
MAX_WINDOW = 2**40
MAX_THREADS = 65_536  # IterationCapture.threads
MAX_WALL = 1e11  # seconds since the epoch (the year 5138): finite, so exports can use it
_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}

F = ("float",)
I0 = ("int", 0, MAX_INT)
IM1 = ("int", -1, MAX_INT)
I = ("int", -MAX_INT, MAX_INT)
S = ("str", MAX_STR)
P = ("path", MAX_STR, MAX_PATH_DEPTH)  # a module path or a key that contains one
WALL = ("float", 0.0, MAX_WALL)  # finite, in range
GPU = ("float", 0.0, float(MAX_INT))


def opt(spec: tuple) -> tuple:
    return ("opt", spec)


def lst(spec: tuple, n: int = MAX_LIST, container: type = tuple) -> tuple:
    return ("list", spec, n, container)


def enum(values: tuple) -> tuple:
    return ("enum", values)


SCHEMA: dict[type, dict[str, tuple]] = {
    TensorStats: {"min": F, "max": F, "mean": F, "std": F, "norm": F, "nan": I0, "inf": I0,
                  "hist": opt(lst(I0, 32)), "hist_lo": F, "hist_hi": F,
                  "thumb": opt(("thumb",))},
    TensorMeta: {"id": IM1, "shape": lst(I0, 64), "dtype": ("str", 32),
                 "device": ("str", 32), "stats": opt((TensorStats,))},
    NodeRecord: {"id": I0, "key": P, "kind": enum(NODE_KINDS), "op": S, "module": P,
                 "source": S, "function": S, "phase": enum(PHASES), "inputs": lst(I0, MAX_FAN),
                 "outputs": lst(I0, MAX_FAN), "start_ns": I, "time_ns": I0,
                 "gpu_ns": opt(GPU), "saved_bytes": I0, "call_index": I0,
                 "backward": opt(I0)},
    BackwardRecord: {"id": I0, "forward": IM1, "name": S, "start_ns": I, "time_ns": I0,
                     "grads": lst(opt((TensorMeta,)), MAX_FAN), "gpu_ns": opt(GPU)},
    Edge: {"src": I0, "dst": I0, "tensor": I0},
    ModuleSpan: {"path": P, "start_ns": I, "time_ns": I0, "phase": enum(PHASES)},
    NonFiniteOrigin: {"node": IM1, "key": P, "phase": enum(PHASES), "source": S,
                      "where": enum(("output", "grad")), "nan": I0, "inf": I0},
    Health: {"first_nonfinite": opt((NonFiniteOrigin,)), "param_grad_norms": ("map", F),
             "update_ratios": ("map", F), "vanishing": lst(P, MAX_FAN),
             "exploding": lst(P, MAX_FAN), "vanish_threshold": F, "explode_threshold": F},
    IterationCapture: {"index": I0, "level": enum(LEVELS), "wall_time": WALL,
                       "nodes": lst((NodeRecord,), MAX_NODES, list),
                       "edges": lst((Edge,), 5 * MAX_NODES, list),
                       "tensors": lst((TensorMeta,), 2 * MAX_NODES, list),
                       "backward": lst((BackwardRecord,), MAX_NODES, list),
                       "modules": lst((ModuleSpan,), MAX_NODES, list), "phases": ("phases",),
                       "duration_ns": I0, "loss": opt(F), "health": (Health,),
                       "clock": enum(CLOCKS), "threads": ("int", 0, MAX_THREADS)},
}
# Fields added after schema version 1, with the value a file written before them means:
# an older file lacks them and still loads (schema version 2 added clock and threads).
ADDED: dict[type, dict[str, Any]] = {
    IterationCapture: {"clock": "wall", "threads": 0},
}


_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(s: str) -> str:
    """`s` with lone surrogates replaced by U+FFFD (they cannot be written as UTF-8)."""
    if s.isascii():
        return s
    return _SURROGATE.sub("\ufffd", s)


# ---------------------------------------------------------------------------- encoding
def encode(obj: Any, arrays: dict[str, np.ndarray] | None) -> Any:
    """A JSON-ready value; thumbnails go into `arrays` (None: thumbnails are dropped)."""
    spec = SCHEMA.get(type(obj))
    if spec is not None:
        return {name: _encode_field(obj, name, arrays) for name in spec}
    if isinstance(obj, float):
        return json_float(obj)
    if isinstance(obj, str):
        return clean_text(obj)
    if isinstance(obj, (list, tuple)):
        return [encode(v, arrays) for v in obj]
    if isinstance(obj, dict):
        return {clean_text(str(k)): encode(v, arrays) for k, v in obj.items()}
    return obj


def json_float(x: float) -> float | str:
    """`x`, or "nan" / "inf" / "-inf": standard JSON has no non-finite numbers."""
    return x if math.isfinite(x) else ("nan" if math.isnan(x) else ("inf" if x > 0 else "-inf"))


def _encode_field(obj: Any, name: str, arrays: dict | None) -> Any:
    value = getattr(obj, name)
    if name == "thumb" and isinstance(obj, TensorStats):
        if value is None or arrays is None:
            return None
        key = f"a{len(arrays)}"
        arrays[key] = value
        return key
    if name == "tensors" and isinstance(obj, IterationCapture):
        return [encode(t, arrays) for t in value.values()]
    if name == "phases":
        return {k: list(v) for k, v in value.items()}
    return encode(value, arrays)


# ---------------------------------------------------------------------------- decoding
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
# Bytes per container in the JSON we write: an edge `{"src": 0, "dst": 0, "tensor": 0}` is
# 34, a node's three (object, inputs, outputs) take ~250; `{}` floods take 2-3.
MIN_BYTES_PER_CONTAINER = 16
MAX_CONTAINERS = 2_000_000  # objects and lists in one member: a capture at MAX_NODES


def check_structure(raw: bytes, member: str) -> None:
    """Bound what parsing `raw` could allocate: count the structural `{`/`[` (outside
    strings) and refuse a member with more containers than its size allows for data we
    write (floods of `{}`), or more than a capture at the schema's limits has."""
    size = len(raw)
    if not _too_many_containers(raw, size):
        return  # brackets inside strings counted too: an overcount that already passes
    skeleton = _STRING.sub(b"", raw)
    if _too_many_containers(skeleton, size):
        containers = skeleton.count(b"{") + skeleton.count(b"[")
        raise SessionFormatError(f"{member}: {containers} objects/lists in {size} bytes "
                                 "is not a structure this format writes (refused unparsed)")


def _too_many_containers(raw: bytes, size: int) -> bool:
    containers = raw.count(b"{") + raw.count(b"[")
    return containers > MAX_CONTAINERS or \
        containers * MIN_BYTES_PER_CONTAINER > size + 64 * MIN_BYTES_PER_CONTAINER


def read_json(raw: bytes, member: str) -> Any:
    """Parse one member's JSON once `check_structure` passes; nesting is bounded by the
    parser's recursion limit (RecursionError, refused here)."""
    check_structure(raw, member)
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise SessionFormatError(f"{member}: not valid JSON ({exc})"[:300]) from exc


def check_header(head: Any, where: str) -> dict[str, Any]:
    """Validate session metadata (the index `gscope.json` or `header.json`); used by the
    writer before it writes and by the reader, so both accept the same values.

    Returns:
        A copy with `script` and `device` cleaned of lone surrogates.

    Raises:
        SessionFormatError: naming `where` and the field.
    """
    def fail(field: str, what: str) -> SessionFormatError:
        return SessionFormatError(f"{where}: field {field}: {what}")

    from autograd_core.trace.session import SCHEMA_VERSION

    if not isinstance(head, dict):
        raise fail("<root>", "expected an object")
    if head.get("format") != "gscope":
        raise fail("format", "is not 'gscope'")
    version = head.get("schema_version")
    if type(version) is not int or not 1 <= version <= SCHEMA_VERSION:
        raise fail("schema_version", f"{version!r:.20} is not a version this reader knows "
                   f"(1..{SCHEMA_VERSION})")
    dec = Decoder(where, {})
    out = dict(head)
    for field, spec in (("script", S), ("device", ("str", 64)), ("created", WALL)):
        if field not in head:
            raise fail(field, "missing")
        out[field] = dec.value(head[field], spec, field)  # strings come back cleaned
    for field, spec in (("window", ("int", 1, MAX_WINDOW)), ("dropped", I0)):
        if field in head:
            dec.value(head[field], spec, field)
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


class _BadValueError(Exception):
    """A bad value deep in a member; each level it passes adds its step of the field path,
    so the happy path builds no path strings."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what
        self.steps: list[str] = []

    def path(self, prefix: str = "") -> str:
        return (prefix + "".join(reversed(self.steps))).lstrip(".") or "<root>"


_FIELDS: dict[type, tuple[str, ...]] = {}


class Decoder:
    """Decodes one member; `arrays` resolves thumbnail keys."""

    def __init__(self, member: str, arrays: dict[str, np.ndarray]) -> None:
        self.member = member
        self.arrays = arrays

    def fail(self, path: str, what: str) -> SessionFormatError:
        return SessionFormatError(f"{self.member}: field {path or '<root>'}: {what}")

    def value(self, v: Any, spec: tuple, path: str) -> Any:
        """The decoded value at `path`; raises SessionFormatError naming the field."""
        try:
            return self._value(v, spec)
        except _BadValueError as bad:
            raise self.fail(bad.path(path), bad.what) from None

    def record(self, v: Any, cls: type, path: str) -> Any:
        return self.value(v, (cls,), path)

    def _value(self, v: Any, spec: tuple) -> Any:
        kind = spec[0]
        if isinstance(kind, type):
            return self._record(v, kind)
        return _KIND_METHODS[kind](self, v, spec)

    def _record(self, v: Any, cls: type) -> Any:
        if not isinstance(v, dict):
            raise _BadValueError(f"expected an object ({cls.__name__}), got {_tname(v)}")
        spec = SCHEMA[cls]
        if len(v) != len(spec) or not all(k in spec for k in v):
            extra = set(v) - set(spec)
            if extra:
                raise _BadValueError(f"unknown field(s) {sorted(map(str, extra))[:3]!r:.200} in "
                           f"{cls.__name__}")
        kwargs = {}
        for name, fspec in spec.items():
            try:
                kwargs[name] = self._value(v[name], fspec)
            except KeyError:
                added = ADDED.get(cls)
                if added is not None and name in added:  # a file from before the field
                    kwargs[name] = added[name]
                    continue
                bad = _BadValueError("missing")
                bad.steps.append("." + name)
                raise bad from None
            except _BadValueError as bad:
                bad.steps.append("." + name)
                raise
        if cls is IterationCapture:
            kwargs["tensors"] = self._tensor_table(kwargs["tensors"])
        elif cls is TensorMeta and math.prod(kwargs["shape"]) > MAX_INT:
            bad = _BadValueError(f"more than {MAX_INT} elements")
            bad.steps.append(".shape")
            raise bad
        names = _FIELDS.get(cls)
        if names is None:
            names = _FIELDS[cls] = tuple(f.name for f in fields(cls))
        return cls(*[kwargs[n] for n in names])

    def _tensor_table(self, metas: list) -> dict:
        table = {}
        for i, m in enumerate(metas):
            if m.id in table or m.id < 0:
                bad = _BadValueError(f"duplicate or negative id {m.id}")
                bad.steps += [".id", f"[{i}]", ".tensors"]
                raise bad
            table[m.id] = m
        return table

    def _int(self, v: Any, spec: tuple) -> int:
        if type(v) is not int:
            raise _BadValueError(f"expected an integer, got {_tname(v)}")
        if not spec[1] <= v <= spec[2]:
            raise _BadValueError(f"{v!r:.40} is out of range [{spec[1]}, {spec[2]}]")
        return v

    def _float(self, v: Any, spec: tuple) -> float:
        if type(v) is float:
            x = v
        elif type(v) is int:
            try:
                x = float(v)
            except OverflowError:
                raise _BadValueError(f"a number of {len(str(v))} digits is out of range") from None
        elif isinstance(v, str) and v in _NONFINITE:
            x = _NONFINITE[v]
        else:
            raise _BadValueError(f"expected a number, got {_tname(v)}")
        if len(spec) > 1 and not spec[1] <= x <= spec[2]:  # NaN fails this too
            raise _BadValueError(f"{x!r} is not a finite number in [{spec[1]}, {spec[2]}]")
        return x

    def _str(self, v: Any, spec: tuple) -> str:
        if type(v) is not str:
            raise _BadValueError(f"expected a string, got {_tname(v)}")
        if len(v) > spec[1]:
            raise _BadValueError(f"string longer than {spec[1]} characters")
        return v if v.isascii() else clean_text(v)

    def _path(self, v: Any, spec: tuple) -> str:
        text = self._str(v, spec)
        depth = max(text.count("."), text.count("/")) + 1
        if depth > spec[2]:
            raise _BadValueError(f"module path of {depth} levels, over the {spec[2]} limit")
        return text

    def _enum(self, v: Any, spec: tuple) -> str:
        if type(v) is not str or v not in spec[1]:
            raise _BadValueError(f"expected one of {list(spec[1])}, got {v!r:.40}")
        return v

    def _opt(self, v: Any, spec: tuple) -> Any:
        return None if v is None else self._value(v, spec[1])

    def _list(self, v: Any, spec: tuple) -> Any:
        if type(v) is not list:
            raise _BadValueError(f"expected a list, got {_tname(v)}")
        if len(v) > spec[2]:
            raise _BadValueError(f"list longer than {spec[2]}")
        item = spec[1]
        out = []
        try:
            for x in v:
                out.append(self._value(x, item))
        except _BadValueError as bad:
            bad.steps.append(f"[{len(out)}]")
            raise
        return out if spec[3] is list else spec[3](out)

    def _map(self, v: Any, spec: tuple) -> dict:
        if type(v) is not dict:
            raise _BadValueError(f"expected an object, got {_tname(v)}")
        if len(v) > MAX_FAN:
            raise _BadValueError(f"more than {MAX_FAN} entries")
        out = {}
        for k, x in v.items():
            try:
                out[self._path(k, P)] = self._value(x, spec[1])
            except _BadValueError as bad:
                bad.steps.append(f"[{k!r:.60}]")
                raise
        return out

    def _phases(self, v: Any, spec: tuple) -> dict:
        if type(v) is not dict:
            raise _BadValueError(f"expected an object, got {_tname(v)}")
        out = {}
        for k, pair in v.items():
            try:
                self._enum(k, enum(PHASES))
                if type(pair) is not list or len(pair) != 2:
                    raise _BadValueError("expected [start_ns, end_ns]")
                out[k] = (self._int(pair[0], I), self._int(pair[1], I))
            except _BadValueError as bad:
                bad.steps.append(f".{k!s:.40}")
                raise
        return out

    def _thumb(self, v: Any, spec: tuple) -> np.ndarray:
        if type(v) is not str or v not in self.arrays:
            raise _BadValueError(f"thumbnail {v!r:.40} is not in the capture's arrays")
        return self.arrays[v]


_KIND_METHODS = {kind: getattr(Decoder, "_" + kind) for kind in (
    "int", "float", "str", "path", "enum", "opt", "list", "map", "phases", "thumb")}


def _tname(v: Any) -> str:
    return "null" if v is None else type(v).__name__


def decode_capture(data: Any, member: str, arrays: dict[str, np.ndarray]) -> IterationCapture:
    """Validate and build one capture, including its cross-references."""
    dec = Decoder(member, arrays)
    cap = dec.record(data, IterationCapture, "")
    check_references(cap, dec)
    return cap


def check_references(cap: IterationCapture, dec: Decoder) -> None:
    """Ids must point at things that exist: a bad file fails here, not later in the app."""
    n_nodes, n_bwd = len(cap.nodes), len(cap.backward)
    for i, node in enumerate(cap.nodes):
        if node.id != i:
            raise dec.fail(f"nodes[{i}].id", f"is {node.id}, expected {i}")
        for j, tid in enumerate(node.inputs + node.outputs):
            if tid not in cap.tensors:
                raise dec.fail(f"nodes[{i}].inputs/outputs[{j}]", f"unknown tensor id {tid}")
        if node.backward is not None and node.backward >= n_bwd:
            raise dec.fail(f"nodes[{i}].backward", f"{node.backward} >= {n_bwd} records")
    for i, e in enumerate(cap.edges):
        if e.src >= n_nodes or e.dst >= n_nodes or e.tensor not in cap.tensors:
            raise dec.fail(f"edges[{i}]", "refers to a node or tensor that does not exist")
    for i, b in enumerate(cap.backward):
        if b.id != i or b.forward >= n_nodes:
            raise dec.fail(f"backward[{i}]", "id or forward node out of range")
