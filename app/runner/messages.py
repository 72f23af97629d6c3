"""Events and commands <-> the JSON messages of the wire (`frames`), validated on the way in.

A message is `{"type": NAME, field: value, ...}`. Each direction has its own table of the
types it accepts (the worker sends events, the driver commands and `WorkerOptions`), and each
field is checked for its type and range before an object is built: an unknown type, an unknown,
missing or ill-typed field raises `FrameError`. Nothing is ever looked up by a name that came
off the wire except in these tables.

Records travel in packets (see `frames.pack`), encoded and validated by the session file's
codec (`autograd_core.trace.schema`/`codec`): a `Captured` event's capture is one blob, decoded
only when first read (`decode_capture`), so the window's thread pays for the captures it shows;
a `Stepped` event's records are small and decoded on arrival. Non-finite floats are written as
"nan"/"inf"/"-inf" (standard JSON has none). Shapes in `Stepped` travel as strings ("64,784";
"!name" for a value without a shape), so a message holds few JSON containers per byte, as the
codec's flood check (`check_structure`) requires of everything it parses.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from app.runner import protocol as p
from app.runner.frames import FrameError, pack, unpack

__all__ = [
    "COMMAND_TYPES",
    "EVENT_TYPES",
    "OPTIONS_TYPES",
    "decode_capture",
    "decode_items",
    "encode_capture",
    "encode_items",
]

MAX_TEXT = 16 << 20  # characters of one string field (an output batch's lines are separate)
_MAX_INT = 2**62
_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


# ------------------------------------------------------------------------- field checks
def _int(v: Any) -> int:
    if type(v) is not int or not -_MAX_INT <= v <= _MAX_INT:
        raise FrameError(f"expected an integer, got {_short(v)}")
    return v


def _float(v: Any) -> float:
    if type(v) is float or (type(v) is int and -_MAX_INT <= v <= _MAX_INT):
        return float(v)
    if type(v) is str and v in _NONFINITE:
        return _NONFINITE[v]
    raise FrameError(f"expected a number, got {_short(v)}")


def _str(v: Any) -> str:
    if type(v) is not str or len(v) > MAX_TEXT:
        raise FrameError(f"expected a string, got {_short(v)}")
    return v


def _bool(v: Any) -> bool:
    if type(v) is not bool:
        raise FrameError(f"expected true or false, got {_short(v)}")
    return v


def _opt(check: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda v: None if v is None else check(v)


def _strs(v: Any) -> list[str]:
    if type(v) is not list:
        raise FrameError(f"expected a list of strings, got {_short(v)}")
    # Checked in C first (a printing flood sends ~200k lines a second, read on the GUI
    # thread); the per-item pass only names the first bad item.
    if set(map(type, v)) <= {str} and max(map(len, v), default=0) <= MAX_TEXT:
        return v
    return [_str(x) for x in v]


def _shapes(v: Any) -> tuple:
    """Shapes as `_encode_shapes` writes them."""
    if type(v) is not list:
        raise FrameError(f"expected a list of shapes, got {_short(v)}")
    return tuple(_shape(x) for x in v)


def _shape(v: Any) -> tuple | str | None:
    if v is None:
        return None
    s = _str(v)
    if s.startswith("!"):
        return s[1:]
    try:
        dims = tuple(int(d) for d in s.split(",")) if s else ()
    except ValueError:
        raise FrameError(f"a shape written as {s!r:.40}") from None
    if len(dims) > 64 or not all(0 <= d <= _MAX_INT for d in dims):
        raise FrameError(f"a shape written as {s!r:.40}")
    return dims


def _encode_shapes(shapes: tuple) -> list[str | None]:
    return [None if s is None else ("!" + s if isinstance(s, str) else
                                    ",".join(str(int(d)) for d in s)) for s in shapes]


def _pairs(v: Any) -> tuple:
    """A short list of (name, label) string pairs (Loaded.devices)."""
    if type(v) not in (list, tuple) or len(v) > 64 or not all(
            type(x) in (list, tuple) and len(x) == 2 for x in v):
        raise FrameError(f"expected a list of (name, label) pairs, got {_short(v)}")
    return tuple((_str(a), _str(b)) for a, b in v)


def _short(v: Any) -> str:
    return "null" if v is None else f"{type(v).__name__} {v!r:.40}"


def _plain(x: Any) -> Any:
    """`x` as JSON carries it: numpy scalars as Python numbers, non-finite floats spelled."""
    if type(x) in (str, int, bool, type(None), list):
        return x
    if type(x) is tuple:  # Loaded.devices: JSON writes its pairs as lists
        return list(x)
    if isinstance(x, float) or (hasattr(x, "dtype") and getattr(x, "ndim", 1) == 0
                                and x.dtype.kind == "f"):
        x = float(x)
        if not math.isfinite(x):
            return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
        return x
    if hasattr(x, "__index__") and not isinstance(x, bool):
        return int(x)
    return x


_F, _I, _S, _OI, _OS = _float, _int, _str, _opt(_int), _opt(_str)

# type name -> (class, {field: check}); fields not listed here never travel.
EVENT_TYPES: dict[str, tuple[type, dict[str, Callable[[Any], Any]]]] = {
    "Loaded": (p.Loaded, {"path": _S, "device": _S, "iterations": _OI, "model_type": _S,
                          "host": _S, "devices": _pairs}),
    "Status": (p.Status, {"state": _S, "iteration": _I, "its_per_sec": _F, "device": _S,
                          "memory_bytes": _I, "threads": _I}),
    "Loss": (p.Loss, {"iteration": _I, "value": _F}),
    "Output": (p.Output, {"stream": _S, "text": _S}),
    "OutputBatch": (p.OutputBatch, {}),  # its own format, see _batch_in
    "Error": (p.Error, {"kind": _S, "message": _S, "location": _S, "details": _S,
                        "iteration": _OI, "exitcode": _OI}),
    "Stepped": (p.Stepped, {"phase": _S, "index": _I, "iteration": _I, "name": _S,
                            "inputs": _shapes, "outputs": _shapes}),
    "Captured": (p.Captured, {"iteration": _I, "nonfinite": _bool}),
    "Finished": (p.Finished, {"iteration": _I, "elapsed": _F}),
    "Pong": (p.Pong, {"t": _F}),
    "Source": (p.Source, {"path": _S, "text": _S}),
}
COMMAND_TYPES: dict[str, tuple[type, dict[str, Callable[[Any], Any]]]] = {
    "Run": (p.Run, {"iterations": _OI}),
    "Pause": (p.Pause, {}),
    "StepForward": (p.StepForward, {}),
    "StepBackward": (p.StepBackward, {}),
    "FinishIteration": (p.FinishIteration, {}),
    "Stop": (p.Stop, {}),
    "Restart": (p.Restart, {}),
    "SetDevice": (p.SetDevice, {"device": _S}),
    "SetRecording": (p.SetRecording, {"level": _S, "every": _I}),
    "Shutdown": (p.Shutdown, {}),
    "Ping": (p.Ping, {"t": _F}),
    "WorkerOptions": (p.WorkerOptions, {
        "path": _S, "device": _OS, "record": _S, "every": _I, "status_interval": _F,
        "keep_captures": _OI, "extra_sys_path": _strs, "threads": _I, "dump_fd": _OI,
        "args": _strs, "remote": _bool, "watchdog": _opt(_float), "cleanup_dir": _OS}),
}
# The first frame to a worker holds its options, and only that one.
OPTIONS_TYPES = {"WorkerOptions": COMMAND_TYPES.pop("WorkerOptions")}
_STREAMS = {"o": "stdout", "e": "stderr"}
_STREAM_CODES = {"stdout": "o", "stderr": "e"}


# ----------------------------------------------------------------------------- encoding
def encode_items(items: list[Any], blobs: list[bytes]) -> list[dict]:
    """The messages for `items`; a capture's or step's records are appended to `blobs`.

    Raises:
        TypeError: an item of no type the wire knows, or a field it cannot carry.
    """
    return [_encode_one(item, blobs) for item in items]


def _encode_one(event: Any, blobs: list[bytes]) -> dict:
    item: Any = event  # any event or command (checked against the tables below)
    name = type(item).__name__
    table = EVENT_TYPES.get(name) or COMMAND_TYPES.get(name) or OPTIONS_TYPES.get(name)
    if table is None or type(event) is not table[0]:
        raise TypeError(f"{name} is not a message of the wire")
    out: dict[str, Any] = {"type": name}
    for field in table[1]:
        out[field] = _plain(getattr(item, field))
    if name == "OutputBatch":
        out["streams"] = "".join(_STREAM_CODES.get(s, "o") for s, _ in item.lines)
        out["lines"] = [text for _, text in item.lines]
    elif name == "Stepped":
        out["inputs"], out["outputs"] = _encode_shapes(item.inputs), _encode_shapes(item.outputs)
        out["records"] = len(blobs)
        blobs.append(_encode_step_records(item.record, item.leaves))
    elif name == "Captured":
        item.encode()
        out["capture"] = len(blobs)
        blobs.append(item.payload)
    try:  # what the other side would refuse must not leave: it would end the connection
        for field, check in table[1].items():
            check(out[field])
        if name == "OutputBatch":
            _batch_in(out)
    except FrameError as exc:
        raise TypeError(f"{name} cannot travel: {exc}") from None
    return out


def encode_capture(capture: Any) -> bytes:
    """A capture as a packet: the session file's JSON by position, and its thumbnails."""
    from app.runner.capture_json import capture_rows

    arrays: dict = {}
    try:
        return pack(capture_rows(capture, arrays), arrays)
    except (TypeError, ValueError, AttributeError):  # a value the fast path does not know:
        from autograd_core.trace.schema import encode  # the session file's own document

        arrays = {}
        return pack(encode(capture, arrays), arrays)


def _encode_step_records(record: Any, leaves: tuple) -> bytes:
    from autograd_core.trace.schema import encode

    arrays: dict = {}
    doc = {"record": None if record is None else [type(record).__name__,
                                                    encode(record, arrays)],
           "leaves": [encode(leaf, arrays) for leaf in leaves]}
    return pack(doc, arrays)


# ----------------------------------------------------------------------------- decoding
def decode_items(items: Any, blobs: list[bytes], table: dict) -> list[Any]:
    """Objects for the messages of one frame, each checked against `table`."""
    out = []
    for i, message in enumerate(items):
        try:
            out.append(_decode_one(message, blobs, table))
        except FrameError as exc:
            raise FrameError(f"message {i}: {exc}") from None
    return out


def _decode_one(message: Any, blobs: list[bytes], table: dict) -> Any:
    if type(message) is not dict:
        raise FrameError(f"expected a message object, got {_short(message)}")
    name = message.get("type")
    entry = table.get(name) if type(name) is str else None
    if entry is None:
        raise FrameError(f"unknown message type {name!r:.40}")
    cls, checks = entry
    extra = _EXTRA.get(str(name), ())
    if set(message) != {"type", *checks, *extra}:
        raise FrameError(f"{name}: fields {sorted(map(str, message))!r:.200} are not "
                         f"{sorted(['type', *checks, *extra])}")
    kwargs = {}
    for field, check in checks.items():
        try:
            kwargs[field] = check(message[field])
        except FrameError as exc:
            raise FrameError(f"{name}.{field}: {exc}") from None
    if name == "OutputBatch":
        return p.OutputBatch(_batch_in(message))
    if name == "Captured":
        return p.Captured(kwargs["iteration"], _blob(message["capture"], blobs),
                          kwargs["nonfinite"])
    if name == "Stepped":
        record, leaves = _decode_step_records(_blob(message["records"], blobs))
        return p.Stepped(**kwargs, record=record, leaves=leaves)
    return cls(**kwargs)


_EXTRA = {"OutputBatch": ("streams", "lines"), "Captured": ("capture",),
          "Stepped": ("records",)}


def _batch_in(message: dict) -> list[tuple[str, str]]:
    streams, lines = message["streams"], _strs(message["lines"])
    if type(streams) is not str or len(streams) != len(lines) \
            or not set(streams) <= set(_STREAMS):
        raise FrameError("OutputBatch: streams do not match its lines")
    return list(zip(map(_STREAMS.__getitem__, streams), lines, strict=True))


def _blob(index: Any, blobs: list[bytes]) -> bytes:
    if type(index) is not int or not 0 <= index < len(blobs):
        raise FrameError(f"a blob index {_short(index)} out of range")
    return blobs[index]


def decode_capture(blob: bytes) -> Any:
    """The `IterationCapture` in a packet, validated by the session file's codec.

    Raises:
        FrameError or SessionFormatError: naming what is wrong.
    """
    from app.runner.capture_json import RowError, document_from_rows
    from autograd_core.trace.codec import decode_capture as decode

    doc, arrays = unpack(blob, "capture")
    if type(doc) is list:  # by position (capture_rows), as the worker writes it
        try:
            doc = document_from_rows(doc, arrays)
        except RowError as exc:
            raise FrameError(str(exc)) from None
    return decode(doc, "capture", arrays)


def _decode_step_records(blob: bytes) -> tuple[Any, tuple]:
    from autograd_core.trace.codec import Decoder, SessionFormatError
    from autograd_core.trace.records import BackwardRecord, NodeRecord

    doc, arrays = unpack(blob, "step records")
    if type(doc) is not dict or set(doc) != {"record", "leaves"} \
            or type(doc["leaves"]) is not list:
        raise FrameError("step records: not {record, leaves}")
    dec = Decoder("step", arrays)
    classes = {"NodeRecord": NodeRecord, "BackwardRecord": BackwardRecord}
    try:
        record = doc["record"]
        if record is not None:
            if type(record) is not list or len(record) != 2 or record[0] not in classes:
                raise FrameError("step records: a record of no known class")
            record = dec.record(record[1], classes[record[0]], "record")
        leaves = tuple(dec.record(v, NodeRecord, f"leaves[{i}]")
                       for i, v in enumerate(doc["leaves"]))
    except SessionFormatError as exc:
        raise FrameError(str(exc)) from None
    return record, leaves

