"""Reading a checkpoint: its zip records, checked before anything is allocated, and storages
restored where `map_location` says.

Every size a file declares is checked against what the file can hold before memory is
taken for it: a storage record must hold exactly the elements its pickle declares, and no
record may claim more bytes than the archive has (or, compressed, could expand to).
"""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Callable
from typing import IO, Any

import numpy as np

from autograd_core.backend import Device, device
from autograd_core.serialization._storage import StorageType, TypedStorage, move

__all__ = ["Archive", "Loader", "restore_location"]

_CHUNK = 16 << 20
_MAX_DEFLATE_RATIO = 1032  # deflate cannot expand one byte to more than this


def _fail(message: str) -> RuntimeError:
    return RuntimeError(f"PytorchStreamReader failed {message}")


class Archive:
    """The records of one checkpoint zip, under its single top-level folder."""

    def __init__(self, stream: IO[bytes], where: str) -> None:
        self.where = where
        stream.seek(0, 2)
        self.length = stream.tell()
        stream.seek(0)
        head = stream.read(4)
        stream.seek(0)
        if head != b"PK\x03\x04":
            kind = "is empty" if not head else "is not a zip archive"
            raise RuntimeError(
                f"load(): {where} {kind}, so it is not a PyTorch checkpoint in the zip format "
                "that torch.save has written since PyTorch 1.6. The legacy format is not "
                "read here: load it with PyTorch and save it again with torch.save.")
        try:
            self.zip = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError,
                OverflowError) as exc:
            raise _fail(f"reading zip archive: failed finding central directory ({where} is "
                        f"truncated or damaged: {exc})") from None
        names = self.zip.namelist()
        if not names or "/" not in names[0]:
            raise _fail(f"reading zip archive: file in archive is not in a subdirectory: "
                        f"{names[0] if names else '(no records)'}")
        self.prefix = names[0].split("/", 1)[0] + "/"

    def info(self, name: str) -> zipfile.ZipInfo:
        try:
            info = self.zip.getinfo(self.prefix + name)
        except KeyError:
            raise _fail(f"locating file {name}: file not found") from None
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _fail(f"reading file {name}: compression method {info.compress_type} is "
                        "not one a checkpoint uses")
        if not 0 <= info.header_offset < self.length:
            raise _fail(f"reading file {name}: its header is outside {self.where} (offset "
                        f"{info.header_offset} of {self.length} bytes)")
        room = self.length - info.header_offset
        most = room if info.compress_type == zipfile.ZIP_STORED else room * _MAX_DEFLATE_RATIO
        if info.compress_size > room or info.file_size > most:
            raise _fail(f"reading file {name}: it declares {info.file_size} bytes but "
                        f"{self.where} holds {self.length} (the file is truncated or damaged)")
        return info

    def has(self, name: str) -> bool:
        return self.prefix + name in self.zip.NameToInfo

    def read(self, name: str, limit: int = 1 << 30) -> bytes:
        """A small record (the pickle, the version marks) as bytes."""
        info = self.info(name)
        if info.file_size > limit:
            raise _fail(f"reading file {name}: {info.file_size} bytes is more than a "
                        f"{name} record can be")
        return bytes(self.read_array(name, info.file_size))

    def read_array(self, name: str, nbytes: int) -> np.ndarray:
        """A record of exactly `nbytes` bytes into a new writable byte array."""
        info = self.info(name)
        if info.file_size != nbytes:
            raise RuntimeError(
                f"load(): storage record {name} holds {info.file_size} bytes, but the "
                f"checkpoint's pickle declares {nbytes} bytes for it: {self.where} is damaged")
        out = np.empty(nbytes, np.uint8)
        view = out.data  # a memoryview of out: records are read straight into the array
        try:
            with self.zip.open(info) as f:
                stream: Any = f  # a ZipExtFile, which has readinto
                pos = 0
                while pos < nbytes:
                    n = stream.readinto(view[pos:pos + _CHUNK])
                    if not n:
                        raise EOFError(f"{name} ends after {pos} of {nbytes} bytes")
                    pos += n
                f.read(1)  # reaching the end checks the CRC
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, OverflowError,
                NotImplementedError) as exc:
            raise _fail(f"reading file {name}: {exc} ({self.where} is damaged)") from None
        return out


def restore_location(map_location: Any) -> Callable[[TypedStorage, str], TypedStorage]:
    """PyTorch's map_location rules: None (where it was saved), a device or its name (all
    there), a dict of location tags to tags, or a callable(storage, location)."""
    if map_location is None:
        return lambda storage, location: _to(storage, location)
    if isinstance(map_location, (str, Device)):
        target = device(map_location)
        return lambda storage, location: _to(storage, target)
    if isinstance(map_location, dict):
        table = dict(map_location)
        return lambda storage, location: _to(storage, table.get(location, location))
    if callable(map_location):
        def call(storage: TypedStorage, location: str) -> TypedStorage:
            result = map_location(storage, location)
            if result is None:
                return _to(storage, location)
            if not isinstance(result, TypedStorage):
                raise TypeError(f"map_location returned a {type(result).__name__}; it must "
                                "return None or a storage")
            return result
        return call
    raise TypeError(f"load(): map_location must be None, a device, a string, a dict or a "
                    f"callable, not {type(map_location).__name__}")


def _to(storage: TypedStorage, where: Any) -> TypedStorage:
    target = where if isinstance(where, Device) else device(str(where))
    if target.type == "cuda":
        from autograd_core import cuda

        if not cuda.is_available():
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but torch.cuda.is_available()"
                " is False. If you are running on a CPU-only machine, please use torch.load "
                "with map_location=torch.device('cpu') to map your storages to the CPU.")
        count = cuda.device_count()
        if (target.index or 0) >= count:
            raise RuntimeError(
                f"Attempting to deserialize object on CUDA device {target.index or 0} but "
                f"torch.cuda.device_count() is {count}. Please use torch.load with "
                "map_location to map your storages to an existing device.")
    return TypedStorage(move(storage._array, target))


class Loader:
    """Resolves the pickle's storage ids to storages: read once, checked, then restored."""

    def __init__(self, archive: Archive, map_location: Any) -> None:
        self.archive = archive
        self.restore = restore_location(map_location)
        self.storages: dict[str, tuple[StorageType, TypedStorage]] = {}
        self.converted_bfloat16 = False
        order = archive.read("byteorder", 16) if archive.has("byteorder") else b"little"
        if order not in (b"little", b"big"):
            raise ValueError("Unknown endianness type: " + order.decode("latin1"))
        self.swap = order.decode() != sys.byteorder

    def persistent_load(self, pid: tuple) -> TypedStorage:
        if len(pid) != 5:
            raise RuntimeError(f"load(): a storage id has {len(pid)} fields, not 5")
        _, kind, key, location, numel = pid
        if isinstance(key, bytes):
            key = key.decode("ascii")
        if not isinstance(kind, StorageType) or type(key) is not str or \
                type(location) is not str or type(numel) is not int or numel < 0:
            raise RuntimeError(f"load(): malformed storage id {pid!r}")
        cached = self.storages.get(key)
        if cached is None:
            storage = self._read(kind, key, location, numel)
            self.storages[key] = (kind, storage)
            return storage
        first, storage = cached
        if first is kind:
            return storage
        # One storage viewed as two dtypes (PyTorch reinterprets the same bytes).
        if first.bfloat16 or kind.bfloat16 or \
                numel * kind.dtype.itemsize != storage.nbytes():
            raise RuntimeError(f"load(): storage {key} is declared as {numel} {kind.name} "
                               f"elements and also as {first.name} of {storage.nbytes()} "
                               "bytes; the checkpoint is inconsistent")
        return storage._reinterpret(kind.dtype)

    def _read(self, kind: StorageType, key: str, location: str, numel: int) -> TypedStorage:
        raw = self.archive.read_array(f"data/{key}", numel * kind.dtype.itemsize)
        arr = raw.view(kind.dtype)
        if self.swap:
            arr.byteswap(inplace=True)
        if kind.bfloat16:  # the engine has no bfloat16: exact widening to float32
            arr = (arr.astype(np.uint32) << 16).view(np.float32)
            self.converted_bfloat16 = True
        return self.restore(TypedStorage(arr), location)
