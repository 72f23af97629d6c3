"""Length-prefixed frames between the driver and the worker: the wire, in both directions.

A frame is a 12-byte header, then its payload:

    magic b"GSWF" | version u16 | kind u16 | payload length u32      (little-endian)
    payload: head length u32 | head (UTF-8 JSON) | blobs, back to back

The head is `{"items": [...], "blobs": [size, ...]}`: the messages (see `messages`) and the
sizes of the raw byte blobs that follow it (a capture travels as one blob, decoded when first
read). A packet (`pack`/`unpack`) is the blob format for records: a JSON document plus raw
arrays whose dtype and shape it declares (float32 thumbnails of at most 64x64, and one float64
table), every size checked against the bytes there before anything is allocated.

Everything read here is untrusted (the worker may be on another machine, or hostile): a wrong
magic, version or kind, a declared length over `MAX_FRAME`, JSON that is not what we write, or
sizes that do not add up raise `FrameError` with a message fit to show, and nothing read is ever
executed (JSON and raw numbers only).
"""

from __future__ import annotations

import json
import os
import struct
import zlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: a remote worker sets its BLAS threads first
    import numpy as np

__all__ = [
    "COMMANDS",
    "COMPRESSED",
    "EVENTS",
    "HEADER",
    "MAGIC",
    "MAX_FRAME",
    "VERSION",
    "FrameError",
    "FrameReader",
    "compress_frame",
    "encode_frame",
    "pack",
    "parse_payload",
    "read_frame",
    "unpack",
]

MAGIC = b"GSWF"
VERSION = 1
EVENTS = 1    # worker -> driver
COMMANDS = 2  # driver -> worker (WorkerOptions first, then commands)
_KINDS = {EVENTS: "events", COMMANDS: "commands"}
# A flag in the kind: the payload is zlib-deflated (remote links, frames over COMPRESS_OVER).
COMPRESSED = 0x100
COMPRESS_OVER = 64 << 10
HEADER = struct.Struct("<4sHHI")
MAX_FRAME = 256 << 20   # bytes of one frame's payload (a capture at `full` is a few MB)
MAX_HEAD = 64 << 20     # bytes of a frame's JSON head (a full output batch is ~6 MB escaped)
MAX_BLOBS = 100_000     # blobs in one frame
MAX_PACKET_ARRAYS = 60_000  # arrays in one packet (the session file's thumbnail limit)
ARRAY_DTYPES = ("float32",)  # what a packet may declare: thumbnails
MAX_ARRAY_SIDE = 64          # ...of at most 64x64 (trace.stats.THUMB_SIDE)
TABLE = "stats"              # and one float64 table of at most TABLE_COLUMNS columns
TABLE_COLUMNS = 16
_U32 = struct.Struct("<I")
_READ_CHUNK = 1 << 20


# Made once (json.dumps builds an encoder per call with these options); no circular check:
# what we encode is records and lists we just built.
_HEAD_JSON = json.JSONEncoder(allow_nan=False, separators=(",", ":"), check_circular=False).encode
_PACKET_JSON = json.JSONEncoder(separators=(",", ":"), check_circular=False).encode


class FrameError(Exception):
    """A frame that is not one we write: the connection it came on must be closed."""


# ------------------------------------------------------------------------------ writing
def encode_frame(kind: int, items: list[Any], blobs: Sequence[bytes] = ()) -> bytes:
    """One frame holding `items` (JSON-ready) and `blobs`."""
    head = _HEAD_JSON({"items": items, "blobs": [len(b) for b in blobs]}).encode()
    size = _U32.size + len(head) + sum(len(b) for b in blobs)
    if size > MAX_FRAME:
        raise FrameError(f"a frame of {size} bytes is over the {MAX_FRAME} byte limit")
    return b"".join((HEADER.pack(MAGIC, VERSION, kind, size), _U32.pack(len(head)), head,
                     *blobs))


def pack(doc: Any, arrays: dict[str, np.ndarray]) -> bytes:
    """A packet: `doc` (JSON-ready; NaN/Inf written as JSON's common `NaN`/`Infinity`,
    which `unpack` reads back) and `arrays` (float32, 2-D; the one named `TABLE` float64),
    declared in its JSON."""
    import numpy as np

    table = []
    raws = []
    for key, arr in arrays.items():
        dtype = np.float64 if key == TABLE else np.float32
        arr = np.ascontiguousarray(arr, dtype=dtype)
        table.append([key, arr.dtype.name, list(arr.shape)])
        raws.append(arr.tobytes())
    head = _PACKET_JSON({"doc": doc, "arrays": table}).encode()
    return b"".join((_U32.pack(len(head)), head, *raws))


# ------------------------------------------------------------------------------ reading
def check_header(raw: bytes, kind: int) -> int:
    """The payload length a frame header declares, after checking what it says."""
    magic, version, got, size = HEADER.unpack(raw)
    if magic != MAGIC:
        raise FrameError(f"not a Gradscope frame (starts with {raw[:8]!r})")
    if version != VERSION:
        raise FrameError(f"protocol version {version}, this side speaks {VERSION} "
                         "(the worker and the window are from different releases)")
    if got & ~COMPRESSED != kind:
        raise FrameError(f"a frame of kind {_KINDS.get(got, got)!s:.20} where "
                         f"{_KINDS[kind]} were expected")
    if size > MAX_FRAME:
        raise FrameError(f"a frame declaring {size} bytes, over the {MAX_FRAME} byte limit")
    if size < _U32.size:
        raise FrameError(f"a frame of {size} bytes is too short")
    return size


def compress_frame(frame: bytes) -> bytes:
    """`frame` with its payload deflated (when that makes it smaller)."""
    magic, version, kind, _ = HEADER.unpack_from(frame)
    packed = zlib.compress(memoryview(frame)[HEADER.size:], 1)
    if len(packed) >= len(frame) - HEADER.size:
        return frame
    return HEADER.pack(magic, version, kind | COMPRESSED, len(packed)) + packed


def inflate(payload: bytes | memoryview) -> bytes:
    """A compressed frame's payload, inflated at most to MAX_FRAME bytes: a stream that would
    inflate further (a zip bomb) is refused like any oversized frame, before it is."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(payload, MAX_FRAME + 1)
    except zlib.error as exc:
        raise FrameError(f"a compressed frame that does not inflate ({exc})") from None
    if len(out) > MAX_FRAME or inflater.unconsumed_tail:
        raise FrameError(f"a compressed frame inflating past the {MAX_FRAME} byte limit")
    if not inflater.eof or inflater.unused_data:
        raise FrameError("a compressed frame that does not end where its size says")
    return out


def is_compressed(raw: bytes | bytearray) -> bool:
    """Whether the frame header in `raw` flags a deflated payload (checked header)."""
    return bool(HEADER.unpack_from(raw)[2] & COMPRESSED)


def parse_payload(payload: bytes | memoryview, compressed: bool = False
                  ) -> tuple[list[Any], list[bytes]]:
    """(items, blobs) of one frame's payload; sizes are checked before anything is copied."""
    view = memoryview(inflate(payload) if compressed else payload)
    (head_len,) = _U32.unpack_from(view, 0)
    end = _U32.size + head_len
    if head_len > MAX_HEAD or end > len(view):
        raise FrameError(f"a frame head of {head_len} bytes does not fit its frame")
    head = _json(view[_U32.size:end], "frame head")
    if type(head) is not dict or type(head.get("items")) is not list \
            or type(head.get("blobs")) is not list or len(head) != 2:
        raise FrameError("a frame head that is not {items, blobs}")
    sizes = head["blobs"]
    if len(sizes) > MAX_BLOBS or not all(type(n) is int and n >= 0 for n in sizes):
        raise FrameError("a frame with bad blob sizes")
    if end + sum(sizes) != len(view):
        raise FrameError(f"a frame whose blobs ({sum(sizes)} bytes) do not fill its "
                         f"{len(view) - end} bytes")
    blobs = []
    for n in sizes:
        blobs.append(bytes(view[end:end + n]))
        end += n
    return head["items"], blobs


def unpack(blob: bytes, what: str = "packet") -> tuple[Any, dict[str, np.ndarray]]:
    """(doc, arrays) of a packet; every declared array is checked against the bytes there."""
    import numpy as np

    view = memoryview(blob)
    if len(view) < _U32.size:
        raise FrameError(f"{what}: too short")
    (head_len,) = _U32.unpack_from(view, 0)
    end = _U32.size + head_len
    if end > len(view):
        raise FrameError(f"{what}: a head of {head_len} bytes does not fit")
    head = _json(view[_U32.size:end], what, constants=True)
    if type(head) is not dict or set(head) != {"doc", "arrays"} \
            or type(head["arrays"]) is not list or len(head["arrays"]) > MAX_PACKET_ARRAYS:
        raise FrameError(f"{what}: not {{doc, arrays}}")
    shapes = [_array_entry(entry, what) for entry in head["arrays"]]
    total = sum(dtype.itemsize * h * w for _, dtype, (h, w) in shapes)
    if end + total != len(view):  # before anything is allocated for them
        raise FrameError(f"{what}: arrays declare {total} bytes, {len(view) - end} follow")
    arrays = {}
    for key, dtype, shape in shapes:
        n = dtype.itemsize * shape[0] * shape[1]
        arrays[key] = np.frombuffer(view[end:end + n], dtype=dtype).reshape(shape).copy()
        end += n
    return head["doc"], arrays


def _array_entry(entry: Any, what: str) -> tuple[str, np.dtype, tuple[int, int]]:
    import numpy as np

    if type(entry) is list and len(entry) == 3 and type(entry[0]) is str \
            and type(entry[2]) is list and len(entry[2]) == 2 \
            and all(type(n) is int and n >= 0 for n in entry[2]):
        (h, w), key = entry[2], entry[0][:64]
        if entry[1] in ARRAY_DTYPES and h <= MAX_ARRAY_SIDE and w <= MAX_ARRAY_SIDE \
                and key != TABLE:
            return key, np.dtype(np.float32), (h, w)
        if entry[1] == "float64" and key == TABLE and w <= TABLE_COLUMNS:
            return key, np.dtype(np.float64), (h, w)  # rows: bounded by the bytes that follow
    raise FrameError(f"{what}: an array declared as {entry!r:.80}; only float32 2-D arrays "
                     f"of at most {MAX_ARRAY_SIDE}x{MAX_ARRAY_SIDE} and one float64 "
                     f"{TABLE!r} table travel")


def _json(raw: memoryview, what: str, constants: bool = False) -> Any:
    """Parse JSON once the session codec's flood check (containers per byte) passes;
    `constants`: NaN, Infinity and -Infinity are read as floats (packets only)."""
    from autograd_core.trace.codec import SessionFormatError, check_structure

    data = bytes(raw)
    try:
        check_structure(data, what)
        return json.loads(data.decode("utf-8"),
                          parse_constant=_CONSTANTS.__getitem__ if constants else _no_constant)
    except SessionFormatError as exc:
        raise FrameError(str(exc)) from None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise FrameError(f"{what}: not valid JSON ({exc})"[:200]) from None


_CONSTANTS = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}


def _no_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def read_frame(fd: int, kind: int) -> tuple[list[Any], list[bytes]]:
    """Block for one whole frame on `fd` (the worker's command pipe).

    Raises:
        EOFError: the other side closed the connection.
        FrameError: what arrived is not a frame of `kind`.
    """
    raw = _read_exactly(fd, HEADER.size)
    size = check_header(raw, kind)
    return parse_payload(_read_exactly(fd, size), is_compressed(raw))


def _read_exactly(fd: int, n: int) -> bytes:
    parts = []
    while n > 0:
        chunk = os.read(fd, min(n, _READ_CHUNK))
        if not chunk:
            raise EOFError("the connection was closed")
        parts.append(chunk)
        n -= len(chunk)
    return b"".join(parts)


class FrameReader:
    """Frames of `kind` from a non-blocking descriptor, as they complete (the driver's side:
    it never waits for the rest of a frame, so a stalled or slow peer cannot block it)."""

    def __init__(self, fd: int, kind: int) -> None:
        self.fd = fd
        self.kind = kind
        self.eof = False
        self.bytes_read = 0
        self._buf = bytearray()
        self._need: int | None = None  # payload length of the frame being read
        os.set_blocking(fd, False)

    def has_frame(self) -> bool:
        """Whether a whole frame is buffered (checking the header of the next one)."""
        if self._need is None:
            if len(self._buf) < HEADER.size:
                return False
            self._need = check_header(bytes(self._buf[:HEADER.size]), self.kind)
        return len(self._buf) >= HEADER.size + self._need

    def fill(self) -> bool:
        """Read what is available now; False when nothing was (EOF sets `eof`)."""
        if self.eof:
            return False
        try:  # a bounded read: os.read allocates what it is asked for, not what is there
            chunk = os.read(self.fd, _READ_CHUNK)
        except BlockingIOError:
            return False
        except OSError:
            chunk = b""
        if not chunk:
            self.eof = True
            return False
        self._buf += chunk
        self.bytes_read += len(chunk)
        return True

    def next_frame(self) -> tuple[list[Any], list[bytes]] | None:
        """The next whole frame (reading what is available), or None for now."""
        while not self.has_frame():
            if not self.fill():
                if self.eof:  # a worker killed mid-write: its death says what happened
                    self._buf.clear()
                    self._need = None
                return None
        end = HEADER.size + (self._need or 0)
        payload = memoryview(self._buf)[HEADER.size:end]
        try:
            frame = parse_payload(payload, is_compressed(self._buf))
        finally:
            payload.release()
        del self._buf[:end]
        self._need = None
        return frame

    def frames(self) -> Iterator[tuple[list[Any], list[bytes]]]:
        while (frame := self.next_frame()) is not None:
            yield frame
