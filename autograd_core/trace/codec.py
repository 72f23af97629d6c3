"""Records <-> JSON-ready dicts, driven by one declared schema (schema.py) that also validates
on the way in: every field's type and range is checked before any object is built, and a bad value
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

The schema, its limits and the encoder are in schema.py; this module is the decoder, and
keeps the schema's names importable from here, where readers and writers have found them.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import fields
from typing import Any

import numpy as np

from autograd_core.trace.records import (
    PHASES,
    IterationCapture,
    TensorMeta,
)
from autograd_core.trace.schema import (
    _NONFINITE,
    ADDED,
    GPU,
    I0,
    IM1,
    MAX_FAN,
    MAX_INT,
    MAX_LIST,
    MAX_NODES,
    MAX_PATH_DEPTH,
    MAX_STR,
    MAX_THREADS,
    MAX_WALL,
    MAX_WINDOW,
    SCHEMA,
    WALL,
    F,
    I,
    P,
    S,
    SessionFormatError,
    clean_text,
    encode,
    enum,
    json_float,
    lst,
    opt,
)

__all__ = [
    "ADDED",
    "GPU",
    "I0",
    "IM1",
    "MAX_CONTAINERS",
    "MAX_FAN",
    "MAX_INT",
    "MAX_LIST",
    "MAX_NODES",
    "MAX_PATH_DEPTH",
    "MAX_STR",
    "MAX_THREADS",
    "MAX_WALL",
    "MAX_WINDOW",
    "MIN_BYTES_PER_CONTAINER",
    "SCHEMA",
    "WALL",
    "Decoder",
    "F",
    "I",
    "P",
    "S",
    "SessionFormatError",
    "check_header",
    "check_references",
    "check_structure",
    "clean_text",
    "decode_capture",
    "encode",
    "enum",
    "json_float",
    "lst",
    "opt",
    "read_json",
]


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
            err = _BadValueError(f"more than {MAX_INT} elements")
            err.steps.append(".shape")
            raise err
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
