"""The zip container of a checkpoint, laid out byte for byte as PyTorch's writer (miniz) does.

Records are stored (never compressed) under one folder named after the file; each record's
data starts at a multiple of 64 bytes (a padding extra field, id "FB", filled with "Z"), is
followed by a data descriptor, and the archive always ends with ZIP64 end records. PyTorch's
reader computes storage offsets from this layout for `mmap=True` loads, so it is kept exact.
"""

from __future__ import annotations

import struct
import zlib
from typing import IO, Any

__all__ = ["ALIGNMENT", "ZipWriter"]

ALIGNMENT = 64  # PyTorch's kFieldAlignment: storage bytes start on a 64-byte boundary
_U32 = 0xFFFFFFFF
_UTF8 = 0x0800  # general purpose bit 11: UTF-8 names
_FLAGS = 0x0808  # and bit 3: sizes in a data descriptor after the data (as miniz writes)


def _padding(cursor: int, name_len: int, size: int) -> bytes:
    """The "FB" extra field that moves the data to the next aligned offset (PyTorch's
    detail::getPadding), counting the ZIP64 extra field a large record carries first."""
    start = cursor + 30 + name_len + 4
    if size >= _U32 or cursor >= _U32:
        start += 4 + (16 if size >= _U32 else 0) + (8 if cursor >= _U32 else 0)
    pad = -start % ALIGNMENT
    return b"FB" + struct.pack("<H", pad) + b"Z" * pad


def _zip64_extra(size: int, offset: int) -> bytes:
    fields = b""
    if size >= _U32:
        fields += struct.pack("<QQ", size, size)
    if offset >= _U32:
        fields += struct.pack("<Q", offset)
    return struct.pack("<HH", 1, len(fields)) + fields if fields else b""


class ZipWriter:
    """Writes records in order to a binary stream (no seeking, so pipes work too).

    Example:
        >>> w = ZipWriter(f, "model")
        >>> w.write_record("data.pkl", pickled)
        >>> w.close()
    """

    def __init__(self, stream: IO[bytes], archive_name: str) -> None:
        self._out = stream
        self._prefix = archive_name + "/"
        self._pos = 0  # bytes written so far: offsets count from the archive's first byte
        self._central: list[bytes] = []

    def _emit(self, data: Any) -> None:
        n = self._out.write(data)
        size = memoryview(data).nbytes
        if n is not None and n != size:  # a raw stream may write less: finish the rest
            view = memoryview(data).cast("B")[n:]
            while view:
                k = self._out.write(view)
                if not k:
                    raise OSError("save(): the file stopped accepting data")
                view = view[k:]
        self._pos += size

    def write_record(self, name: str, data: Any) -> None:
        """Append one stored record; `data` is bytes or a C-contiguous buffer (no copy)."""
        view = memoryview(data).cast("B")
        size = view.nbytes
        full = (self._prefix + name).encode("utf-8")
        offset = self._pos
        big = size >= _U32 or offset >= _U32
        extra = (_zip64_extra(size, offset) if big else b"") + _padding(offset, len(full), size)
        local_size = _U32 if size >= _U32 else 0
        flags = _FLAGS if size else _UTF8  # miniz: an empty record has no data descriptor
        self._emit(struct.pack("<IHHHHHIIIHH", 0x04034B50, 0, flags, 0, 0, 0, 0,
                               local_size, local_size, len(full), len(extra)) + full + extra)
        crc = 0
        step = 64 << 20  # crc and write in pieces: a multi-GB storage needs no second copy
        for i in range(0, size, step):
            piece = view[i:i + step]
            crc = zlib.crc32(piece, crc)
            self._emit(piece)
        if big:
            self._emit(struct.pack("<IIQQ", 0x08074B50, crc, size, size))
        elif size:
            self._emit(struct.pack("<IIII", 0x08074B50, crc, size, size))
        cd_extra = _zip64_extra(size, offset)
        self._central.append(struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 0, 0, flags, 0, 0, 0, crc,
            min(size, _U32), min(size, _U32), len(full), len(cd_extra), 0, 0, 0, 0,
            min(offset, _U32)) + full + cd_extra)

    def close(self) -> None:
        """Write the central directory and the (ZIP64) end records."""
        cd_offset = self._pos
        for entry in self._central:
            self._emit(entry)
        cd_size = self._pos - cd_offset
        count = len(self._central)
        eocd64 = self._pos
        self._emit(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 0x031E, 45, 0, 0, count, count,
                               cd_size, cd_offset))
        self._emit(struct.pack("<IIQI", 0x07064B50, 0, eocd64, 1))
        self._emit(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, min(count, 0xFFFF),
                               min(count, 0xFFFF), min(cd_size, _U32), min(cd_offset, _U32), 0))
        flush = getattr(self._out, "flush", None)
        if flush is not None:
            flush()
