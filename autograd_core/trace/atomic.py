"""Atomic file writes: a temporary file beside the target, synced, then renamed into place.

A crash or an exception while writing leaves the old file (or none), never half a file.
Only regular files are ever replaced: a directory, a device (`-o /dev/null`, even through a
symlink), a FIFO or a socket is refused with `OutputPathError` before anything is written.
Temporary names carry the writer's pid (`.NAME.PID.TOKEN.tmp`, within 255 bytes); a writer
removes the temporaries of its own target left by processes that no longer run.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

NAME_MAX = 255  # bytes in one file name on Linux, macOS and Windows file systems
_TMP = re.compile(r"^\.(?P<name>.*)\.(?P<pid>\d{1,10})\.[0-9a-f]{12}\.tmp$", re.DOTALL)


class OutputPathError(ValueError):
    """An output path we must not or cannot write: the message names the path and why."""


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb",
                 encoding: str | None = None) -> Iterator[IO[Any]]:
    """Open a temporary file beside `path` for writing; on success it replaces `path`.

    Example:
        >>> with atomic_write("graph.dot", "w", encoding="utf-8") as f:
        ...     f.write(text)
    """
    with atomic_path(path) as tmp:
        # os.open, not mkstemp: the file gets what a plain open() gives it (0o666 less the
        # umask), not mkstemp's owner-only 0o600, so a saved file can be shared.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o666)
        with os.fdopen(fd, mode, encoding=encoding) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path beside `path` for a writer that wants a file name (Qt's image
    writers, networkx); renamed onto `path` when the block succeeds, removed when it fails.

    Raises:
        OutputPathError: `path` exists and is not a regular file (directory, device, FIFO).
    """
    path = Path(path)
    check_target(path)
    remove_stale_temporaries(path)
    tmp = sibling_name(path, "tmp")
    try:
        yield tmp
        refuse_special(path)  # it may have become one while we wrote
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def sibling_name(path: Path, suffix: str) -> Path:
    """`.NAME.PID.TOKEN.SUFFIX` beside `path`, NAME shortened so the whole is a legal name."""
    tail = f".{os.getpid()}.{secrets.token_hex(6)}.{suffix}"
    room = NAME_MAX - len(tail.encode()) - 1
    return path.with_name("." + _clip_utf8(path.name, room) + tail)


def _clip_utf8(name: str, max_bytes: int) -> str:
    """`name` cut to at most `max_bytes` of UTF-8, never in the middle of a character."""
    raw = name.encode("utf-8", "surrogateescape")
    if len(raw) <= max_bytes:
        return name
    return raw[:max_bytes].decode("utf-8", "ignore")


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove `.NAME.PID.*.tmp` siblings of `path` whose writing process is gone; the list."""
    removed: list[Path] = []
    try:
        siblings = list(os.scandir(path.parent))
    except OSError:
        return removed
    for entry in siblings:
        m = _TMP.match(entry.name)
        if m is None or not _names_target(m["name"], path.name) or _alive(int(m["pid"])):
            continue
        with contextlib.suppress(OSError):
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def _names_target(clipped: str, name: str) -> bool:
    """Whether a temporary's NAME part stands for `name` (whole, or clipped to fit)."""
    if clipped == name:
        return True
    # Only a name clipped by sibling_name (long: within ~40 bytes of the limit) is a prefix.
    return len(clipped.encode("utf-8", "surrogateescape")) >= NAME_MAX - 40 and \
        name.startswith(clipped)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # ours: another writer in this process may still be using it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # exists but belongs to someone else, or we cannot tell: keep it
    return True


def check_target(path: Path) -> bool:
    """What every writer checks before writing a byte: a legal file name, and no existing
    non-regular file there. True if a regular file will be replaced.

    Raises:
        OutputPathError: naming the path and what is wrong.
    """
    if not path.name or path.name in (".", ".."):
        raise OutputPathError(f"{path}: not a file name")
    if len(path.name.encode("utf-8", "surrogateescape")) > NAME_MAX:
        raise OutputPathError(f"{path.name[:40]}...: file name longer than {NAME_MAX} bytes")
    return refuse_special(path)


def refuse_special(path: Path) -> bool:
    """Raise OutputPathError if `path` exists and is not a regular file (symlinks followed);
    True if a regular file is there."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise OutputPathError(f"{path}: cannot use as output ({exc.strerror or exc})") from exc
    if stat.S_ISREG(st.st_mode):
        return True
    raise OutputPathError(f"{path}: is {_kind(st.st_mode)}, not a regular file; "
                          "refusing to write there")


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "a special file"


def check_output_path(path: str | os.PathLike, protect: Iterable[str | os.PathLike] = ()
                      ) -> bool:
    """Check, before a run, that `path` can receive an output file.

    Args:
        path: where the output will go.
        protect: inputs (the model script, the session being exported) that must never be
            overwritten by the output.
    Returns:
        True if a regular file exists there (it will be replaced), False if none does.
    Raises:
        OutputPathError: the path is a directory, device, FIFO or socket, its folder is missing
            or not writable, the name is too long, or it is one of `protect`.

    Example:
        >>> check_output_path("run.gscope", protect=["model.py"])
        False
    """
    path = Path(path)
    exists = check_target(path)
    folder = path.parent
    if not folder.is_dir():
        raise OutputPathError(f"{path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputPathError(f"{path}: folder {folder} is not writable")
    for other in protect:
        if exists and _same_file(path, Path(other)):
            raise OutputPathError(f"{path}: is the input {other}; refusing to overwrite it")
    return exists


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def fsync_directory(directory: Path) -> None:
    """Make a rename durable (POSIX only: Windows cannot open a directory)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_fsync_directory = fsync_directory  # the old private name
