"""`SessionWriter`: streams captures into a `.gscope` file as they arrive.

Each `add` writes that capture's members at once and flushes them to the OS, so if the
writing process is killed the partial file (`partial_path`, beside the target) holds every
complete capture and `trace.load` recovers them. `commit` writes the index and the zip's
central directory, fsyncs and renames onto the target; until that rename the previous file
at the target is untouched. Partial files are kept when a writer dies (they are the data a
user may want back); only `abort` removes one.

Every capture is checked on the way out by the same decoder `trace.load` uses, so what the
writer accepts, the reader accepts.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
import time
import zipfile
import zlib
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from autograd_core.trace.archive import (
    HEADER,
    INDEX,
    MAX_ARRAYS,
    MAX_CAPTURES,
    capture_name,
    check_sizes,
)
from autograd_core.trace.atomic import NAME_MAX, check_target, fsync_directory, refuse_special
from autograd_core.trace.codec import (
    SessionFormatError,
    check_header,
    check_structure,
    decode_capture,
    encode,
    json_float,
)
from autograd_core.trace.records import IterationCapture
from autograd_core.trace.session import SCHEMA_VERSION


class EmptySessionError(ValueError):
    """A session with no captured iteration: nothing is written, the target is unchanged."""


def partial_name(path: Path) -> Path:
    """`NAME.PID-TOKEN.partial` beside `path`, NAME clipped so the whole fits in 255 bytes."""
    tail = f".{os.getpid()}-{secrets.token_hex(4)}.partial"
    raw = path.name.encode("utf-8", "surrogateescape")
    room = NAME_MAX - len(tail)
    name = path.name if len(raw) <= room else raw[:room].decode("utf-8", "ignore")
    return path.with_name(name + tail)


def encode_capture(cap: IterationCapture, member: str) -> tuple[bytes, bytes | None]:
    """The capture's JSON member and its `.npz` of thumbnails (None when it has none),
    checked by the reader's own decoder so the file will load."""
    arrays: dict[str, np.ndarray] = {}
    data = encode(cap, arrays)
    text = json.dumps(data, allow_nan=False).encode("ascii")
    check_sizes(member + ".json", len(text), len(text))
    check_structure(text, member + ".json")
    decode_capture(data, member + ".json", arrays)
    if not arrays:
        return text, None
    if len(arrays) > MAX_ARRAYS:
        raise SessionFormatError(f"{member}.npz: {len(arrays)} thumbnails, over the "
                                 f"{MAX_ARRAYS} a capture may hold")
    buf = io.BytesIO()
    # numpy's stub types **kwds as if a key could be `allow_pickle` (a bool); ours are names.
    np.savez(buf, **arrays)  # type: ignore[arg-type]
    return text, buf.getvalue()


def _method(name: str, data: bytes) -> int:
    """Deflate, unless that would pass the reader's compression-ratio bound (a capture of
    zeros or of one repeated layer can): then store, so the file still loads."""
    if len(data) <= 65536:
        return zipfile.ZIP_DEFLATED  # under the bound's slack whatever the ratio
    try:
        # zlib.compress adds 6 bytes of framing that the zip member lacks: keep a margin.
        check_sizes(name, len(data), len(zlib.compress(data)) - 16)
    except SessionFormatError:
        return zipfile.ZIP_STORED
    return zipfile.ZIP_DEFLATED


class SessionWriter:
    """Writes captures to `path` as they come; `commit()` makes the file, atomically.

    Args:
        path: the session file to create or replace.
        script, device, created: session metadata (created: seconds since the epoch).
        window: the window the session was recorded with (default: the number written).

    Example:
        with SessionWriter("run.gscope", script="mlp.py") as w:
            for cap in captures:
                w.add(cap)          # on disk now; a kill -9 loses at most this one
        # committed on exit (or on an exception, if anything was written)
    """

    def __init__(self, path: str | os.PathLike, *, script: str = "", device: str = "cpu",
                 created: float | None = None, window: int | None = None) -> None:
        self.path = Path(path)
        check_target(self.path)
        self.script, self.device = script, device
        self.created = time.time() if created is None else created
        self.window = window
        self.dropped = 0
        self.count = 0
        # (iteration, loss) per capture, for the index: a viewer draws the loss curve of a
        # long session without decoding every capture.
        self._losses: list[list[Any]] = []
        head = check_header(self._header(1), f"{self.path}: session metadata")
        self.script, self.device = head["script"], head["device"]
        self.partial_path = partial_name(self.path)
        self._file: Any = open(self.partial_path, "xb")  # noqa: SIM115 (lives until commit)
        self._zip: zipfile.ZipFile | None = zipfile.ZipFile(self._file, "w",
                                                            zipfile.ZIP_DEFLATED)
        self._put(HEADER, json.dumps(self._header(None), allow_nan=False).encode("ascii"))

    def _header(self, count: int | None) -> dict[str, Any]:
        head = {"format": "gscope", "schema_version": SCHEMA_VERSION, "script": self.script,
                "device": self.device, "created": self.created}
        if count is not None:  # the index: what is known once writing is done
            window = max(self.window or 0, count, 1)
            head.update(window=window, dropped=self.dropped)
        return head

    def _put(self, name: str, data: bytes) -> None:
        if self._zip is None:
            raise ValueError(f"{self.path}: the session writer is closed")
        try:
            self._zip.writestr(name, data, compress_type=_method(name, data))
            self._file.flush()  # to the OS: a kill -9 of this process cannot lose it now
        except BaseException:
            # A half-written member (a full disk): nothing more can follow it. The partial
            # file keeps every capture before it; abort() removes it. The ZipFile must not
            # try to finish the file either when it is collected (it would write to a closed
            # file and print a traceback): without its file object it has nothing to close.
            if self._zip is not None:
                self._zip.fp = None
            self._zip = None
            with contextlib.suppress(OSError, ValueError):
                self._file.close()
            raise

    def add(self, capture: Any) -> None:
        """Write one capture (an IterationCapture, or anything with `.build()` returning one).

        Raises:
            SessionFormatError: the capture has a value the file format cannot hold.
        """
        if self._zip is None:
            raise ValueError(f"{self.path}: the session writer is closed")
        if self.count >= MAX_CAPTURES:
            raise ValueError(f"{self.path}: a session holds at most {MAX_CAPTURES} captures")
        cap = capture if isinstance(capture, IterationCapture) else capture.build()
        name = capture_name(self.count)
        text, npz = encode_capture(cap, name)
        if npz is not None:  # arrays first: a complete JSON member means a complete capture
            self._put(name + ".npz", npz)
        self._put(name + ".json", text)
        self.count += 1
        self._losses.append([cap.index, None if cap.loss is None else json_float(cap.loss)])

    def commit(self) -> Path:
        """Write the index and central directory, fsync, and rename onto the target.

        Raises:
            EmptySessionError: nothing was added; the target is left as it was.
            OSError: the write failed (a full disk); the target is left as it was and the
                partial file stays for recovery (`abort()` removes it).
        """
        if self._zip is None:
            raise ValueError(f"{self.path}: the session writer is closed")
        if self.count == 0:
            self.abort()
            raise EmptySessionError(f"no captured iterations; {self.path} left unchanged")
        index = {**self._header(self.count),
                 "captures": [capture_name(i) for i in range(self.count)],
                 "losses": self._losses}
        check_header(index, f"{self.path}: index")
        self._put(INDEX, json.dumps(index, allow_nan=False).encode("ascii"))
        zf, self._zip = self._zip, None
        try:
            zf.close()
            self._file.flush()
            os.fsync(self._file.fileno())
        finally:
            self._file.close()  # on failure the partial stays: it recovers what it holds
        refuse_special(self.path)
        os.replace(self.partial_path, self.path)
        fsync_directory(self.path.parent)
        return self.path

    def abort(self) -> None:
        """Stop and remove the partial file; the target is left as it was. Safe to call
        after a failed write or commit (a full disk must not stop the clean-up)."""
        zf, self._zip = self._zip, None
        if zf is not None:
            with contextlib.suppress(OSError, ValueError):
                zf.close()
        with contextlib.suppress(OSError, ValueError):
            self._file.close()
        self.partial_path.unlink(missing_ok=True)

    @property
    def closed(self) -> bool:
        return self._zip is None

    def __enter__(self) -> SessionWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.closed:
            return
        if kind is None:
            self.commit()
        elif self.count > 0:
            # Keep what was recorded before the failure; if even that fails, the partial file
            # stays (load recovers it) and the first error is the one raised.
            with contextlib.suppress(Exception):
                self.commit()
        else:
            self.abort()

    def __repr__(self) -> str:
        return f"SessionWriter({str(self.path)!r}, count={self.count})"
