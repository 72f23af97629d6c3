"""Atomic writes: an export that fails midway leaves the old file whole and no temp file."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from autograd_core import trace
from autograd_core.trace.atomic import (
    OutputPathError,
    atomic_path,
    atomic_write,
    check_output_path,
)


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "graph.dot"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_write(target, "w", encoding="utf-8") as f:
        f.write("half of the new")
        raise RuntimeError("the writer broke")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.dot"]


def test_every_export_replaces_its_file_whole(tmp_path: Path, recorded: trace.Recorder) -> None:
    cap = recorded.captures[-1]
    writers = {"g.dot": trace.export_dot, "g.graphml": trace.export_graphml,
               "g.json": trace.export_json, "g.trace.json": trace.export_chrome_trace}
    for name, write in writers.items():
        (tmp_path / name).write_text("stale")
        write(cap, tmp_path / name)
        assert (tmp_path / name).read_text() != "stale"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(writers)


# ------------------------------------------------------------ special targets, names, stale
def _writers(tmp_path: Path, recorded: trace.Recorder) -> dict[str, Callable[[Path], Any]]:
    """Every way we write a file, by name."""
    def text(path: Path) -> None:
        with atomic_write(path, "w", encoding="utf-8") as f:
            f.write("data\n")

    def path_writer(path: Path) -> None:
        with atomic_path(path) as tmp:
            tmp.write_text("data\n")

    return {"atomic_write": text, "atomic_path": path_writer,
            "save": lambda p: trace.save(recorded.session, p),
            "SessionWriter": lambda p: trace.SessionWriter(p).abort(),
            "export_json": lambda p: trace.export_json(recorded.captures[0], p)}


@pytest.mark.skipif(os.name != "posix", reason="FIFOs and /dev/null are POSIX")
def test_special_targets_are_refused_and_left_alone(tmp_path: Path,
                                                    recorded: trace.Recorder) -> None:
    fifo = tmp_path / "pipe.gscope"
    os.mkfifo(fifo)
    devnull_link = tmp_path / "null.gscope"
    devnull_link.symlink_to("/dev/null")
    folder = tmp_path / "folder.gscope"
    folder.mkdir()
    for name, write in _writers(tmp_path, recorded).items():
        for target, kind in ((fifo, "FIFO"), (devnull_link, "character device"),
                             (folder, "directory")):
            with pytest.raises(OutputPathError, match=kind):
                write(target)
            assert check_output_path_raises(target, kind), name
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and devnull_link.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.gscope", "null.gscope",
                                                          "pipe.gscope"]


def check_output_path_raises(path: Path, words: str) -> bool:
    with pytest.raises(OutputPathError, match=words):
        check_output_path(path)
    return True


def test_check_output_path(tmp_path: Path) -> None:
    script = tmp_path / "model.py"
    script.write_text("x = 1\n")
    assert check_output_path(tmp_path / "new.gscope", protect=[script]) is False
    (tmp_path / "old.gscope").write_bytes(b"old")
    assert check_output_path(tmp_path / "old.gscope", protect=[script]) is True
    with pytest.raises(OutputPathError, match=r"model\.py.*input"):
        check_output_path(script, protect=[script])
    (tmp_path / "alias.py").symlink_to(script)
    with pytest.raises(OutputPathError, match="input"):
        check_output_path(tmp_path / "alias.py", protect=[script])
    with pytest.raises(OutputPathError, match="does not exist"):
        check_output_path(tmp_path / "missing" / "run.gscope")
    too_long = tmp_path / ("a" * 256)
    for write in (check_output_path, trace.SessionWriter, lambda p: atomic_write(p).__enter__()):
        with pytest.raises(OutputPathError, match="longer than 255 bytes"):
            write(too_long)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alias.py", "model.py",
                                                          "old.gscope"]
    assert isinstance(OutputPathError("x"), ValueError)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="root writes anywhere: the permission check cannot fail")
def test_check_output_path_unwritable_folder(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(OutputPathError, match="not writable"):
        check_output_path(locked / "run.gscope")


@pytest.mark.parametrize("name", ["a" * 237 + ".gscope", "é" * 120 + ".gscope",
                                  "b" * 255])
def test_long_legal_file_names_save(tmp_path: Path, recorded: trace.Recorder,
                                    name: str) -> None:
    assert len(name.encode()) <= 255
    target = tmp_path / name
    trace.save(recorded.session, target)
    trace.save(recorded.session, target)  # and replace
    assert trace.load(target).captures == recorded.captures
    with atomic_write(tmp_path / name, "w", encoding="utf-8") as f:
        f.write("text")
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    writer = trace.SessionWriter(target)
    assert len(writer.partial_path.name.encode()) <= 255
    writer.abort()


def _dead_pid() -> int:
    """A PID no process has, with as many digits as ours: the clipped-name case below swaps
    one for the other in a 255-byte name, which a longer PID would push past the limit."""
    digits = len(str(os.getpid()))
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()  # exited and reaped: no process has it (until reused, rarely)
    if len(str(proc.pid)) == digits:
        return proc.pid
    for pid in range(10 ** digits - 1, 10 ** (digits - 1), -1):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except OSError:
            continue
    raise RuntimeError("no free PID found")


def test_stale_temporaries_of_dead_writers_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "graph.dot"
    dead, alive = _dead_pid(), os.getppid()
    stale = tmp_path / f".graph.dot.{dead}.0123456789ab.tmp"
    busy = tmp_path / f".graph.dot.{alive}.0123456789ab.tmp"
    other = tmp_path / f".other.dot.{dead}.0123456789ab.tmp"
    user = tmp_path / ".graph.dot.notes.tmp"
    for p in (stale, busy, other, user):
        p.write_text("x")
    with atomic_write(target, "w", encoding="utf-8") as f:
        f.write("new")
    left = sorted(p.name for p in tmp_path.iterdir())
    assert stale.name not in left
    assert {busy.name, other.name, user.name, "graph.dot"} <= set(left)
    # A long name is clipped in the temporary; its stale ones are found all the same.
    long_target = tmp_path / ("c" * 250)
    with atomic_path(long_target) as tmp:
        assert len(tmp.name.encode()) <= 255 and f".{os.getpid()}." in tmp.name
        clipped_stale = tmp.with_name(tmp.name.replace(f".{os.getpid()}.", f".{dead}."))
        clipped_stale.write_text("x")
        tmp.write_text("new")
    with atomic_write(long_target, "w") as f:
        f.write("again")
    assert not clipped_stale.exists()
