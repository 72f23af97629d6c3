"""`save` and `load` in PyTorch's own checkpoint format (`torch.serialization`).

A checkpoint is the zip `torch.save` writes: `NAME/data.pkl` (a protocol-2 pickle whose
tensors name their storages by persistent id), one `NAME/data/KEY` record of raw
little-endian bytes per storage (64-byte aligned), and `byteorder`, `version`,
`.format_version`, `.storage_alignment` and `.data/serialization_id` records. So a file
saved here loads in PyTorch (`torch.load(f, weights_only=True)`) and one PyTorch saved
loads here; views and shared storages stay shared both ways.

Loading never runs code from the file: the pickle is read by a weights-only reader that
accepts tensors, storages, containers, numbers and strings and refuses every other global
with `pickle.UnpicklingError` naming it. There is no `weights_only=False`, and the legacy
(pre-zip) format is not read. bfloat16 storages load as float32 (exactly): the engine has
no bfloat16.
"""

from __future__ import annotations

import io
import os
import pickle
import secrets
import sys
import warnings
import zlib
from typing import IO, Any

from autograd_core.serialization._load_tensors import NEWOBJ_CLASSES, find_class, parameter_class
from autograd_core.serialization._pickler import write_pickle
from autograd_core.serialization._reader import Archive, Loader
from autograd_core.serialization._save_tensors import TensorReducer
from autograd_core.serialization._storage import TypedStorage
from autograd_core.serialization._unpickler import WeightsUnpickler
from autograd_core.serialization._zip_writer import ALIGNMENT, ZipWriter
from autograd_core.tensor import Tensor

__all__ = ["DEFAULT_PROTOCOL", "TypedStorage", "load", "save"]

DEFAULT_PROTOCOL = 2
_FILE_VERSION = b"3\n"  # what PyTorch 2.13's writer records (kProducedFileFormatVersion)
_WEIGHTS_ONLY = (" autograd_core.load reads only tensors, storages, containers, numbers and "
                 "strings, and never runs code from a file (weights_only=False is not "
                 "offered).")


def save(obj: object, f: Any, pickle_module: Any = pickle,
         pickle_protocol: int = DEFAULT_PROTOCOL, _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:
    """Save `obj` (a state dict, an optimizer state, nested containers of tensors) to `f`.

    Args:
        obj: tensors, Parameters, dicts, OrderedDicts, lists, tuples, sets, numbers, strings,
            bytes, dtypes, devices and None, nested. A Module or any other object is refused:
            save its `state_dict()`.
        f: a path (written atomically: a temporary file beside it, renamed into place) or a
            binary file object with `write`.

    Example:
        >>> save(model.state_dict(), "model.pt")
        >>> model.load_state_dict(load("model.pt"))
    """
    if pickle_module is not pickle:
        raise TypeError("save(): pickle_module is not supported (checkpoints are written by "
                        "autograd_core's own PyTorch-compatible pickler)")
    if pickle_protocol != DEFAULT_PROTOCOL:
        raise TypeError(f"save(): pickle_protocol={pickle_protocol!r} is not supported; "
                        "checkpoints use protocol 2, as PyTorch's default")
    if not _use_new_zipfile_serialization:
        raise TypeError("save(): _use_new_zipfile_serialization=False (the legacy format) "
                        "is not supported")
    if not isinstance(f, (str, os.PathLike)) and not hasattr(f, "write"):
        raise AttributeError("expected 'f' to be string, path, or a file-like object with a "
                             "'write' attribute")
    reducer = TensorReducer()
    data = write_pickle(obj, reducer)  # before touching the file: a refusal writes nothing
    records = reducer.records()
    if not isinstance(f, (str, os.PathLike)):
        _write(f, "archive", data, records, _disable_byteorder_record)
        return
    from autograd_core.trace.atomic import atomic_write

    path = os.fspath(f)
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise RuntimeError(f"Parent directory {parent} does not exist.")
    name = os.path.splitext(os.path.basename(path))[0] or "archive"
    with atomic_write(path) as out:
        _write(out, name, data, records, _disable_byteorder_record)


def _write(out: IO[bytes], name: str, data: bytes, records: list[tuple[str, Any]],
           no_byteorder: bool) -> None:
    """The records in the order PyTorch's writer puts them."""
    w = ZipWriter(out, name)
    w.write_record("data.pkl", data)
    w.write_record(".format_version", b"1")
    w.write_record(".storage_alignment", str(ALIGNMENT).encode())
    if not no_byteorder:
        w.write_record("byteorder", sys.byteorder.encode())
    crc = zlib.crc32(data)
    for key, flat in records:
        w.write_record(f"data/{key}", flat)
        crc = zlib.crc32(str(flat.nbytes).encode(), crc)
    w.write_record("version", _FILE_VERSION)
    # PyTorch: a random part and a hash of the records, 40 decimal digits in all
    w.write_record(".data/serialization_id",
                   f"{secrets.randbits(64):020d}{crc:020d}".encode())
    w.close()


def load(f: Any, map_location: Any = None, pickle_module: Any = None, *,
         weights_only: bool | None = None, mmap: bool | None = None,
         **pickle_load_args: Any) -> Any:
    """Load what `save` or `torch.save` wrote, without running code from the file.

    Args:
        f: a path or a binary file object.
        map_location: None (each storage where it was saved: "cpu" or "cuda:N"), a device or
            its name ("cpu", "cuda:0"), a dict mapping saved location tags to new ones
            ({"cuda:1": "cuda:0"}), or a callable(storage, location) returning None (keep
            the default) or a storage (`storage.cpu()`, `storage.cuda(1)`).
        weights_only: True (the default, and the only mode).

    Raises:
        pickle.UnpicklingError: the file names a global outside the weights-only allowlist
            (a `__reduce__` payload such as os.system); nothing from it is run.
        RuntimeError: a truncated or damaged zip, storage sizes that do not match, data the
            engine does not hold (quantized, sparse, float8), or a legacy-format file.

    Example:
        >>> state = load("model.pt", map_location="cpu")
    """
    if weights_only is False:
        raise ValueError("load(): weights_only=False is not offered: it would let the file "
                         "run code. Save only tensors, containers, numbers and strings "
                         "(a state_dict rather than a Module).")
    if pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is "
                           "specified")
    if mmap:
        raise ValueError("load(): mmap=True is not supported; storages are read into memory")
    if pickle_load_args:
        warnings.warn("pickle_load_args only works if `weights_only=False`.", stacklevel=2)
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as stream:
            return _load(stream, os.fspath(f), map_location)
    if not hasattr(f, "read"):
        raise TypeError(f"load(): f must be a path or a binary file object, not "
                        f"{type(f).__name__}")
    if not (hasattr(f, "seek") and getattr(f, "seekable", lambda: True)()) or f.tell():
        # A zip is read from its end: a pipe is read whole, and so is the rest of a file
        # positioned past its start (PyTorch reads a checkpoint from the current position).
        f = io.BytesIO(f.read())
    return _load(f, "the file object", map_location)


def _load(stream: IO[bytes], where: str, map_location: Any) -> Any:
    archive = Archive(stream, where)
    loader = Loader(archive, map_location)
    data = archive.read("data.pkl")
    reader = WeightsUnpickler(data, find_class, loader.persistent_load,
                              newobj=NEWOBJ_CLASSES, called=(parameter_class(),),
                              uncallable=(Tensor,))
    try:
        result = reader.load()
    except pickle.UnpicklingError as exc:
        raise pickle.UnpicklingError(f"Weights only load failed. {exc}{_WEIGHTS_ONLY}"
                                     ) from None
    if loader.converted_bfloat16:
        warnings.warn("load(): bfloat16 tensors were loaded as float32 (autograd_core has no "
                      "bfloat16; the values are exact)", stacklevel=3)
    return result
