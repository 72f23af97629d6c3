"""The `.gscope` session file: a zip of versioned JSON plus `.npz` thumbnails.

Layout: `gscope.json` (format, schema_version, session metadata, member list) and per
capture `captures/NNNNNN.json` with an optional `captures/NNNNNN.npz`. Writes go to a
temporary file beside the target, fsynced and renamed into place. Reading never runs code:
arrays load with `allow_pickle=False`, member names must match the layout (no paths outside
the zip), and declared sizes, compression ratios, array shapes (from each .npy header, before
numpy allocates), encrypted and truncated members are refused before use.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
import zlib
from typing import Any

import numpy as np

from autograd_core.trace.atomic import atomic_write
from autograd_core.trace.codec import SessionFormatError, decode_capture, encode
from autograd_core.trace.session import SCHEMA_VERSION, Session
from autograd_core.trace.stats import THUMB_SIDE

INDEX = "gscope.json"
_MEMBER = re.compile(r"^(gscope\.json|captures/\d{6}\.(json|npz))$")
_ARRAY = re.compile(r"^a\d{1,9}\.npy$")
MAX_MEMBER_BYTES = 256 * 2**20
MAX_TOTAL_BYTES = 4 * 2**30
MAX_RATIO = 200  # zip bombs compress far better than our JSON does
MAX_ARRAY_BYTES = THUMB_SIDE * THUMB_SIDE * 8 + 4096
MAX_CAPTURES = 1_000_000
# What zipfile and numpy raise on a damaged or unsupported member (RuntimeError: encrypted;
# NotImplementedError: an unknown compression method or a mangled "version needed" field).
_UNREADABLE = (zipfile.BadZipFile, EOFError, OSError, zlib.error, ValueError, RuntimeError,
               NotImplementedError)


def save(session: Session, path: str | os.PathLike) -> None:
    """Write `session` to `path` atomically: a temporary file beside it, flushed to disk and
    renamed into place, so a crash leaves the old file or the new one, never half of one."""
    with atomic_write(path, "wb") as f:
        _write(session, f)


def _write(session: Session, f: Any) -> None:
    members = []
    with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, cap in enumerate(session.captures):
            arrays: dict[str, np.ndarray] = {}
            data = encode(cap, arrays)
            name = f"captures/{i:06d}"
            zf.writestr(name + ".json", json.dumps(data, allow_nan=False))
            if arrays:
                buf = io.BytesIO()
                np.savez(buf, **arrays)
                zf.writestr(name + ".npz", buf.getvalue())
            members.append(name)
        index = {**session.header(), "captures": members}
        zf.writestr(INDEX, json.dumps(index, allow_nan=False))


def load(path: str | os.PathLike) -> Session:
    """Read a session written by `save`, validating everything before building objects.

    Raises:
        SessionFormatError: naming the member and field that is wrong.
    """
    try:
        zf = zipfile.ZipFile(path)
    except _UNREADABLE as exc:
        raise SessionFormatError(f"{path}: not a .gscope session (not a zip: {exc})") from exc
    with zf:
        infos = _check_members(zf)
        index = _read_json(zf, infos, INDEX)
        session = _session_from_index(index)
        names = index["captures"]
        for name in names:
            arrays = _read_arrays(zf, infos, name + ".npz") if name + ".npz" in infos else {}
            member = name + ".json"
            session.add(decode_capture(_read_json(zf, infos, member), member, arrays))
    return session


def _check_members(zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in zf.infolist():
        name = info.filename
        if not _MEMBER.match(name):
            raise SessionFormatError(f"{name!r:.80}: unexpected member (not part of a session)")
        if name in infos:
            raise SessionFormatError(f"{name}: member appears twice")
        _check_size(info, MAX_MEMBER_BYTES)
        total += info.file_size
        infos[name] = info
    if total > MAX_TOTAL_BYTES:
        raise SessionFormatError(f"session declares {total} bytes in all, over the limit")
    if INDEX not in infos:
        raise SessionFormatError(f"{INDEX}: missing (not a .gscope session)")
    return infos


def _check_size(info: zipfile.ZipInfo, limit: int) -> None:
    if info.file_size > limit:
        raise SessionFormatError(
            f"{info.filename}: declared size {info.file_size} bytes is over the {limit} limit")
    if info.file_size > MAX_RATIO * max(info.compress_size, 1) + 65536:
        raise SessionFormatError(f"{info.filename}: compression ratio is implausibly high")


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        with zf.open(info) as f:
            data = f.read(info.file_size + 1)
    except _UNREADABLE as exc:
        raise SessionFormatError(f"{info.filename}: unreadable or truncated ({exc})") from exc
    if len(data) != info.file_size:
        raise SessionFormatError(f"{info.filename}: size differs from the declared size")
    return data


def _read_json(zf: zipfile.ZipFile, infos: dict, name: str) -> Any:
    if name not in infos:
        raise SessionFormatError(f"{name}: missing member")
    raw = _read(zf, infos[name])
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError) as exc:
        raise SessionFormatError(f"{name}: not valid JSON ({exc})"[:300]) from exc


def _no_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def _session_from_index(index: Any) -> Session:
    def fail(field: str, what: str) -> SessionFormatError:
        return SessionFormatError(f"{INDEX}: field {field}: {what}")

    if not isinstance(index, dict):
        raise fail("<root>", "expected an object")
    if index.get("format") != "gscope":
        raise fail("format", "is not 'gscope'")
    version = index.get("schema_version")
    if type(version) is not int or not 1 <= version <= SCHEMA_VERSION:
        raise fail("schema_version", f"{version!r:.20} is not a version this reader knows "
                   f"(1..{SCHEMA_VERSION})")
    for field, types in (("script", (str,)), ("device", (str,)), ("created", (int, float)),
                         ("window", (int,)), ("dropped", (int,)), ("captures", (list,))):
        value = index.get(field)
        if type(value) not in types:
            raise fail(field, f"expected {types[0].__name__}, got {type(value).__name__}")
    if not 1 <= index["window"] <= MAX_CAPTURES or index["dropped"] < 0:
        raise fail("window", "window or dropped out of range")
    names = index["captures"]
    if len(names) > index["window"]:
        raise fail("captures", "more captures than the window holds")
    for i, name in enumerate(names):
        if not isinstance(name, str) or not re.fullmatch(r"captures/\d{6}", name):
            raise fail(f"captures[{i}]", f"{name!r:.40} is not a capture member name")
    if len(set(names)) != len(names):
        raise fail("captures", "a capture is listed twice")
    return Session(script=index["script"][:4096], device=index["device"][:64],
                   created=float(index["created"]), window=index["window"],
                   dropped=index["dropped"])


def _read_arrays(zf: zipfile.ZipFile, infos: dict, name: str) -> dict[str, np.ndarray]:
    raw = _read(zf, infos[name])
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as inner:
            for info in inner.infolist():
                if not _ARRAY.match(info.filename):
                    raise SessionFormatError(f"{name}: unexpected array {info.filename!r:.60}")
                _check_size(info, MAX_ARRAY_BYTES)
                _check_array_header(inner, info, name)
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            return {key: npz[key] for key in npz.files}
    except SessionFormatError:
        raise
    except (*_UNREADABLE, KeyError) as exc:
        raise SessionFormatError(f"{name}: unreadable arrays ({exc})"[:300]) from exc


def _check_array_header(inner: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    """Refuse an array by its header: numpy allocates the declared shape before reading."""
    with inner.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(f)
        else:  # np.load refuses versions it does not know
            shape, _, dtype = np.lib.format.read_array_header_2_0(f)
    if dtype != np.float32 or len(shape) != 2 or max(shape) > THUMB_SIDE:
        raise SessionFormatError(f"{name}: array {info.filename[:-4]} must be float32 2-D "
                                 f"of at most {THUMB_SIDE}x{THUMB_SIDE}")
