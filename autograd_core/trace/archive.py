"""The `.gscope` zip layout and bounded member reading, for complete and partial files.

Members: `header.json` (session metadata, written first so a partial file keeps it),
`captures/NNNNNN.npz` then `captures/NNNNNN.json` per capture (six or more digits; the JSON
last, so a complete JSON member means a complete capture), and `gscope.json` (the index:
metadata, dropped, the capture list), written at commit just before the central directory.
A file whose writer was killed has no index and no central directory: `ScannedArchive`
recovers its complete members by walking the local headers.

Every read is bounded before anything is decompressed or parsed: declared sizes per member
kind, the compression ratio, and (see `codec.read_json`) the JSON's structure.
"""

from __future__ import annotations

import os
import re
import stat
import struct
import threading
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from autograd_core.trace.codec import SessionFormatError

INDEX = "gscope.json"
HEADER = "header.json"
CAPTURE_DIGITS = 6
MAX_CAPTURES = 10_000_000  # captures/NNNNNNNN: eight digits at most
_MEMBER = re.compile(r"^(gscope\.json|header\.json|captures/\d{6,8}\.(json|npz))$")
CAPTURE_NAME = re.compile(r"captures/\d{6,8}")
MAX_ARRAYS = 60_000  # thumbnails in one capture's .npz (below zip64's 65,535 entries)
MAX_CAPTURE_BYTES = 256 * 2**20   # one capture's JSON or arrays
MAX_HEADER_BYTES = 64 * 2**10
MAX_INDEX_BYTES = 64 * 2**10 + 24 * MAX_CAPTURES  # metadata plus one name per capture
MAX_TOTAL_BYTES = 64 * 2**30
# Deflate reaches ~1000:1 on a bomb; our captures reach 4-6:1 (the examples) and 8.6:1 (3,000
# identical layers). Parsing costs ~6x the JSON, so this bound is what ties the memory of
# reading a capture to the file's size; the writer stores (not deflates) a member over it.
MAX_RATIO = 25
# What zipfile and zlib raise on a damaged or unsupported member (RuntimeError: encrypted;
# NotImplementedError: an unknown compression method or a mangled "version needed" field).
UNREADABLE = (zipfile.BadZipFile, EOFError, OSError, zlib.error, ValueError, RuntimeError,
              NotImplementedError, struct.error, OverflowError)


def capture_name(i: int) -> str:
    """The member stem of the `i`-th capture: `captures/000012` (more digits past 999,999)."""
    return f"captures/{i:0{CAPTURE_DIGITS}d}"


def size_limit(name: str) -> int:
    if name == INDEX:
        return MAX_INDEX_BYTES
    return MAX_HEADER_BYTES if name == HEADER else MAX_CAPTURE_BYTES


def check_member_name(name: str) -> None:
    if not _MEMBER.match(name):
        raise SessionFormatError(f"{name!r:.80}: unexpected member (not part of a session)")


def check_sizes(name: str, file_size: int, compress_size: int) -> None:
    """Refuse a member by what it declares, before decompressing a byte of it."""
    limit = size_limit(name)
    if file_size > limit:
        raise SessionFormatError(
            f"{name}: declared size {file_size} bytes is over the {limit} limit")
    if file_size > MAX_RATIO * max(compress_size, 1) + 65536:
        raise SessionFormatError(f"{name}: compression ratio is implausibly high "
                                 f"({file_size} bytes from {compress_size})")


@dataclass(slots=True)
class Entry:
    """One member as the reader sees it (from the central directory or a local header)."""

    name: str
    file_size: int
    compress_size: int
    data_offset: int = 0  # partial files only: where the compressed bytes start
    method: int = zipfile.ZIP_DEFLATED
    crc: int = 0


class ZipArchive:
    """A complete session file, read through its central directory."""

    recovered = False

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip = zipfile.ZipFile(path)
        self._lock = threading.Lock()
        try:
            self.entries = self._entries()
        except BaseException:
            self._zip.close()
            raise

    def _entries(self) -> dict[str, Entry]:
        entries: dict[str, Entry] = {}
        total = 0
        for info in self._zip.infolist():
            name = info.filename
            check_member_name(name)
            if name in entries:
                raise SessionFormatError(f"{name}: member appears twice")
            check_sizes(name, info.file_size, info.compress_size)
            total += info.file_size
            entries[name] = Entry(name, info.file_size, info.compress_size)
        if total > MAX_TOTAL_BYTES:
            raise SessionFormatError(f"session declares {total} bytes in all, over the limit")
        return entries

    def read(self, name: str) -> bytes:
        entry = self.entries[name]
        try:
            with self._lock, self._zip.open(name) as f:
                data = f.read(entry.file_size + 1)
        except UNREADABLE as exc:
            raise SessionFormatError(f"{name}: unreadable or truncated ({exc})"[:300]) from exc
        if len(data) != entry.file_size:
            raise SessionFormatError(f"{name}: size differs from the declared size")
        return data

    def close(self) -> None:
        self._zip.close()


_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_LOCAL_SIG = b"PK\x03\x04"


class ScannedArchive:
    """A partial session file (its writer was killed): every complete member found by walking
    the local headers from the start; the walk stops at the first incomplete one."""

    recovered = True

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: BinaryIO = open(path, "rb")  # noqa: SIM115 (kept open for lazy reads)
        self._lock = threading.Lock()
        try:
            self.entries = self._scan(os.fstat(self._file.fileno()).st_size)
        except BaseException:
            self._file.close()
            raise

    def _scan(self, size: int) -> dict[str, Entry]:
        entries: dict[str, Entry] = {}
        pos = 0
        while pos + _LOCAL.size <= size:
            self._file.seek(pos)
            head = self._file.read(_LOCAL.size)
            (sig, _, flags, method, _, _, crc, csize, usize, nlen,
             xlen) = _LOCAL.unpack(head)
            if sig != _LOCAL_SIG:
                break  # the central directory's start, or the torn end of the last write
            name = self._file.read(nlen).decode("utf-8", "replace")
            data_at = pos + _LOCAL.size + nlen + xlen
            if flags & 0x8 or data_at + csize > size or (csize == 0 and usize > 0):
                break  # sizes not written yet: the member was being written when it stopped
            if flags & 0x1:
                raise SessionFormatError(f"{path_name(self.path)}: {name!r:.60} is encrypted")
            check_member_name(name)
            check_sizes(name, usize, csize)
            if method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise SessionFormatError(f"{name}: unsupported compression method {method}")
            if name in entries:
                raise SessionFormatError(f"{name}: member appears twice")
            entries[name] = Entry(name, usize, csize, data_at, method, crc)
            pos = data_at + csize
        if not entries:
            raise SessionFormatError(f"{path_name(self.path)}: not a .gscope session "
                                     "(no zip central directory and no complete member)")
        return entries

    def read(self, name: str) -> bytes:
        e = self.entries[name]
        with self._lock:
            self._file.seek(e.data_offset)
            raw = self._file.read(e.compress_size)
        try:
            if e.method == zipfile.ZIP_DEFLATED:
                d = zlib.decompressobj(-15)
                data = d.decompress(raw, e.file_size + 1)
            else:
                data = raw
        except zlib.error as exc:
            raise SessionFormatError(f"{name}: corrupt compressed data ({exc})") from exc
        if len(data) != e.file_size or zlib.crc32(data) != e.crc:
            raise SessionFormatError(f"{name}: truncated or corrupt (size or CRC differs)")
        return data

    def close(self) -> None:
        self._file.close()


def path_name(path: Any) -> str:
    return os.fspath(path) if isinstance(path, (str, os.PathLike)) else repr(path)


def open_archive(path: Path) -> ZipArchive | ScannedArchive:
    """The file's members: through its central directory, or recovered from a partial file.

    Raises:
        SessionFormatError: not a regular file, not a zip, or a member no session has.
        OSError: the file cannot be opened (missing, no permission).
    """
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):  # a FIFO would block the reader forever, /dev/zero never end
        raise SessionFormatError(f"{path_name(path)}: not a regular file")
    try:
        return ZipArchive(path)
    except SessionFormatError:
        raise
    except UNREADABLE as exc:
        if isinstance(exc, FileNotFoundError | IsADirectoryError | PermissionError):
            raise
        first = _first_bytes(path)
        if first != _LOCAL_SIG:
            raise SessionFormatError(
                f"{path_name(path)}: not a .gscope session (not a zip: {exc})") from exc
    try:
        return ScannedArchive(path)
    except SessionFormatError:
        raise
    except UNREADABLE as exc:
        raise SessionFormatError(f"{path_name(path)}: unreadable partial session ({exc})"
                                 ) from exc


def _first_bytes(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(4)
    except OSError:
        return b""
