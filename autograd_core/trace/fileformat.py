"""The `.gscope` session file: `save` (on `SessionWriter`) and a lazy, bounded `load`.

Layout (see `archive`): `header.json`, per capture `captures/NNNNNN.npz` (thumbnails,
optional) and `captures/NNNNNN.json`, and the index `gscope.json`. `load` reads and checks
only the member list and the index; each capture is decoded and validated the first time it
is read (`session[i]`), and a bad one raises `SessionFormatError` naming member and field
then. A partial file left by a killed writer loads too (`session.recovered` is True).

Reading never runs code: arrays load with `allow_pickle=False`, member names must match the
layout, and declared sizes, compression ratios, JSON structure (containers per byte), array
counts and shapes (from each .npy header, before numpy allocates), encrypted and truncated
members are refused before use. Strings with lone surrogates (JSON can spell `"\\ud800"`) are
replaced by U+FFFD when decoded, as the writer does when encoding, so every later writer
(UTF-8 exports, the GUI) gets well-formed text.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import struct
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from autograd_core.trace.archive import (
    CAPTURE_NAME,
    HEADER,
    INDEX,
    MAX_ARRAYS,
    MAX_CAPTURES,
    UNREADABLE,
    ScannedArchive,
    ZipArchive,
    open_archive,
    path_name,
)
from autograd_core.trace.codec import (
    I0,
    Decoder,
    F,
    SessionFormatError,
    check_header,
    decode_capture,
    read_json,
)
from autograd_core.trace.records import IterationCapture
from autograd_core.trace.session import Session
from autograd_core.trace.stats import THUMB_SIDE
from autograd_core.trace.writer import SessionWriter

_ARRAY_NAME = re.compile(r"^a\d{1,9}\.npy$")
MAX_ARRAY_BYTES = THUMB_SIDE * THUMB_SIDE * 8 + 4096
CACHE = 32  # decoded captures a loaded session keeps...
CACHE_BYTES = 64 * 2**20  # ...and at most this much of their JSON (decoded: ~3-5x that)
_THUMB_REF = re.compile(rb'"thumb"\s*:\s*"')


def save(session: Session, path: str | os.PathLike) -> Path:
    """Write `session` to `path` atomically (a SessionWriter: the old file stays until the
    new one is complete and synced).

    Raises:
        EmptySessionError: the session has no capture; `path` is left unchanged.
    """
    w = SessionWriter(path, script=session.script, device=session.device,
                      created=session.created, window=session.window)
    try:
        w.dropped = session.dropped
        for i in range(len(session)):
            w.add(session[i])
        return w.commit()
    except BaseException:
        w.abort()  # all or nothing: a failed save leaves no partial file behind
        raise


def is_session_file(path: str | os.PathLike) -> bool:
    """Whether `path` names a session rather than a model script: a `.gscope`, a partial
    recording (`.partial`), or any file that starts like a zip (a script never does)."""
    if str(path).endswith((".gscope", ".partial")):
        return True
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def load(path: str | os.PathLike) -> Session:
    """Open a session file: the member list and index are checked now, captures are decoded
    when first read. The file stays open for those reads (`session.close()` ends that).

    Raises:
        SessionFormatError: naming the member and field that is wrong.
    """
    with _naming(path_name(path)):
        archive = open_archive(Path(path))
        try:
            return CaptureReader(archive).session()
        except BaseException:
            archive.close()
            raise


@contextlib.contextmanager
def _naming(where: str) -> Iterator[None]:
    """Errors about a member name the file too: `run.gscope: captures/000002.json: ...`."""
    try:
        yield
    except SessionFormatError as exc:
        if str(exc).startswith(where):
            raise
        raise SessionFormatError(f"{where}: {exc}") from exc


class LazyCapture:
    """A placeholder in a loaded Session's window: decoded on read, through the reader's
    cache, so memory follows what is being read, not the file's length."""

    __slots__ = ("i", "reader")
    lazy = True

    def __init__(self, reader: CaptureReader, i: int) -> None:
        self.reader, self.i = reader, i

    def build(self) -> IterationCapture:
        return self.reader.capture(self.i)


class CaptureReader:
    """Decodes the captures of one open archive, on demand, keeping the last `CACHE`."""

    def __init__(self, archive: ZipArchive | ScannedArchive) -> None:
        self.archive = archive
        self.where = path_name(archive.path)
        self._cache: OrderedDict[int, tuple[IterationCapture, int]] = OrderedDict()
        self._cached_bytes = 0
        self._lock = threading.RLock()
        entries = archive.entries
        if archive.recovered:
            self.head = self._json(HEADER) if HEADER in entries else None
            self.names = _complete_captures(entries)
            if not self.names:
                raise SessionFormatError(f"{self.where}: partial session with no complete "
                                         "capture")
        else:
            if INDEX not in entries:
                raise SessionFormatError(f"{INDEX}: missing (not a .gscope session)")
            _check_index_size(entries)
            self.head = self._json(INDEX)
            self.names = _check_index(self.head, entries)

    def _json(self, name: str) -> Any:
        return read_json(self.archive.read(name), name)

    def session(self) -> Session:
        head = self.head
        if head is not None:
            head = check_header(head, INDEX if not self.archive.recovered else HEADER)
        else:  # a partial file cut before its header was complete: defaults
            head = {"script": "", "device": "cpu", "created": 0.0}
        n = len(self.names)
        s = Session(script=head["script"], device=head["device"], created=float(head["created"]),
                    window=max(head.get("window", n), n, 1), dropped=head.get("dropped", 0))
        s.extend(LazyCapture(self, i) for i in range(n))
        s.recovered = self.archive.recovered
        s.source = self
        if self.head is not None and not self.archive.recovered:
            s.loss_index = _loss_index(self.head, n)
        return s

    def capture(self, i: int) -> IterationCapture:
        with self._lock, _naming(self.where):
            hit = self._cache.get(i)
            if hit is not None:
                self._cache.move_to_end(i)
                return hit[0]
            name = self.names[i]
            cap = self._decode(name)
            size = self.archive.entries[name + ".json"].file_size
            self._cache[i] = (cap, size)
            self._cached_bytes += size
            while len(self._cache) > CACHE or (self._cached_bytes > CACHE_BYTES and
                                               len(self._cache) > 1):
                self._cached_bytes -= self._cache.popitem(last=False)[1][1]
            return cap

    def _decode(self, name: str) -> IterationCapture:
        member = name + ".json"
        raw = self.archive.read(member)
        data = read_json(raw, member)
        arrays = {}
        if name + ".npz" in self.archive.entries:
            # Each thumbnail needs a `"thumb": "aN"` in the JSON: more arrays than that are
            # refused from the .npz's directory size, before any is parsed.
            refs = len(_THUMB_REF.findall(raw))
            arrays = read_arrays(self.archive.read(name + ".npz"), name + ".npz", refs)
        return decode_capture(data, member, arrays)

    def close(self) -> None:
        self.archive.close()


def _check_index_size(entries: dict) -> None:
    """The index lists capture members that exist: its size is bounded by their number
    before it is parsed (a small file cannot make a list of ten million names)."""
    n = len(_complete_captures(entries))
    limit = 65536 + 96 * n  # a name and an (iteration, loss) pair per capture
    if entries[INDEX].file_size > limit:
        raise SessionFormatError(f"{INDEX}: {entries[INDEX].file_size} bytes for {n} "
                                 f"captures (at most {limit})")


def _check_index(index: Any, entries: dict) -> list[str]:
    check_header(index, INDEX)
    for field in ("window", "dropped", "captures"):
        if field not in index:
            raise SessionFormatError(f"{INDEX}: field {field}: missing")
    names = index["captures"]
    if not isinstance(names, list):
        raise SessionFormatError(f"{INDEX}: field captures: expected a list")
    if len(names) > min(index["window"], MAX_CAPTURES):
        raise SessionFormatError(f"{INDEX}: field captures: more captures ({len(names)}) "
                                 "than the window holds")
    for i, name in enumerate(names):
        if not isinstance(name, str) or not CAPTURE_NAME.fullmatch(name):
            raise SessionFormatError(f"{INDEX}: field captures[{i}]: {name!r:.40} is not a "
                                     "capture member name")
        if name + ".json" not in entries:
            raise SessionFormatError(f"{name}.json: missing member (listed in {INDEX})")
    if len(set(names)) != len(names):
        raise SessionFormatError(f"{INDEX}: field captures: a capture is listed twice")
    return names


def _loss_index(index: dict, n: int) -> list[tuple[int, float | None]] | None:
    """The index's (iteration, loss) per capture, checked; None in files without one."""
    losses = index.get("losses")
    if losses is None:
        return None
    if not isinstance(losses, list) or len(losses) != n:
        raise SessionFormatError(f"{INDEX}: field losses: expected a list of {n} pairs")
    dec = Decoder(INDEX, {})
    out = []
    for i, pair in enumerate(losses):
        if not isinstance(pair, list) or len(pair) != 2:
            raise SessionFormatError(f"{INDEX}: field losses[{i}]: expected [iteration, loss]")
        loss = None if pair[1] is None else dec.value(pair[1], F, f"losses[{i}][1]")
        out.append((dec.value(pair[0], I0, f"losses[{i}][0]"), loss))
    return out


def _complete_captures(entries: dict) -> list[str]:
    """Capture stems whose JSON member is complete, in the order they were written."""
    return [name[:-5] for name in entries
            if name.startswith("captures/") and name.endswith(".json")]


def read_arrays(raw: bytes, name: str, most: int = MAX_ARRAYS) -> dict[str, np.ndarray]:
    """A capture's thumbnails (at most `most`), each checked by its .npy header before
    numpy allocates."""
    _check_array_count(raw, name, min(most, MAX_ARRAYS))
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as inner:
            infos = inner.infolist()
            out = {}
            for info in infos:
                if not _ARRAY_NAME.match(info.filename):
                    raise SessionFormatError(f"{name}: unexpected array {info.filename!r:.60}")
                if info.file_size > MAX_ARRAY_BYTES or \
                        info.file_size > 200 * max(info.compress_size, 1) + 4096:
                    raise SessionFormatError(f"{name}: array {info.filename} declares "
                                             f"{info.file_size} bytes, over the limit")
                out[info.filename[:-4]] = _read_array(inner.read(info), info.filename, name)
            return out
    except SessionFormatError:
        raise
    except (*UNREADABLE, KeyError) as exc:
        raise SessionFormatError(f"{name}: unreadable arrays ({exc})"[:300]) from exc


def _check_array_count(raw: bytes, name: str, most: int) -> None:
    """Refuse an .npz by its entry count (end-of-central-directory record) before parsing
    a directory of, say, 200,000 one-value arrays."""
    at = raw.rfind(b"PK\x05\x06", max(0, len(raw) - 65536 - 22))
    if at < 0 or at + 22 > len(raw):
        raise SessionFormatError(f"{name}: not an .npz archive")
    count = struct.unpack_from("<H", raw, at + 10)[0]
    if count > most or count == 0xFFFF:
        raise SessionFormatError(f"{name}: {count} arrays, more than the {most} thumbnails "
                                 "its capture refers to")


def _read_array(data: bytes, filename: str, name: str) -> np.ndarray:
    f = io.BytesIO(data)
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
    else:
        raise SessionFormatError(f"{name}: array {filename[:-4]} has .npy version {version}")
    if dtype != np.float32 or len(shape) != 2 or max(shape) > THUMB_SIDE:
        raise SessionFormatError(f"{name}: array {filename[:-4]} must be float32 2-D "
                                 f"of at most {THUMB_SIDE}x{THUMB_SIDE}")
    body = data[f.tell():]
    if len(body) != shape[0] * shape[1] * 4:
        raise SessionFormatError(f"{name}: array {filename[:-4]} is truncated")
    arr = np.frombuffer(body, dtype=dtype).reshape(shape, order="F" if fortran else "C")
    return arr.copy()  # writable and owning its memory, as np.load gives
