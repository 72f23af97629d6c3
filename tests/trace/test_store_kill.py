"""kill -9 of a process writing with SessionWriter: the previous file stays intact and the
partial file loads with every capture the writer had finished."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograd_core import trace

ROOT = Path(__file__).resolve().parents[2]
# The child records one real iteration at level full (thumbnails: several members per
# capture), then streams it N times, reporting each completed add on stdout.
SETUP = r"""
import sys
import autograd_core as ag
from autograd_core import trace

target, n, commit = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "commit"
ag.manual_seed(0)
w1 = ag.randn(32, 48, requires_grad=True)
w2 = ag.randn(48, 16, requires_grad=True)
with trace.record(stats="full") as rec:
    ((ag.randn(8, 32) @ w1).tanh() @ w2).sum().backward()
    rec.next_iteration()
cap = rec.captures[0]
"""
CHILD = SETUP + r"""
writer = trace.SessionWriter(target, script="kill.py")
print("partial", writer.partial_path, flush=True)
for i in range(n):
    writer.add(cap)
    print("added", i + 1, flush=True)
if commit:
    print("committing", flush=True)
    writer.commit()
    print("committed", flush=True)
"""


def _child(target: Path, n: int, commit: bool) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-u", "-c", CHILD, str(target), str(n),
                             "commit" if commit else "no"], stdout=subprocess.PIPE,
                            text=True, cwd=ROOT, env=env)


def _kill_after(proc: subprocess.Popen, line_starts: str, deadline_s: float = 120.0) -> list:
    """Read the child's lines until one starts with `line_starts`, then SIGKILL it; the
    lines read (a deadline guards a stuck child)."""
    lines = []
    end = time.monotonic() + deadline_s
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append(line.split())
        if line.startswith(line_starts) or time.monotonic() > end:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    return lines


@pytest.fixture
def previous(tmp_path: Path, recorded: trace.Recorder) -> tuple[Path, bytes]:
    target = tmp_path / "run.gscope"
    trace.save(recorded.session, target)
    return target, target.read_bytes()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kill_while_adding_keeps_old_file_and_recovers_the_partial(
        previous: tuple[Path, bytes], seed: int) -> None:
    target, old = previous
    kill_at = random.Random(seed).randint(1, 25)
    proc = _child(target, 1000, commit=False)
    lines = _kill_after(proc, f"added {kill_at}")
    partial = Path(lines[0][1])
    done = max(int(w[1]) for w in lines if w[0] == "added")
    assert done == kill_at
    assert target.read_bytes() == old  # untouched: nothing is renamed before commit
    session = trace.load(partial)
    assert session.recovered and session.script == "kill.py"
    assert len(session) >= done  # every capture the writer finished, maybe one more
    first = session[0]
    assert len(first.nodes) > 3 and any(m.stats and m.stats.thumb is not None
                                        for m in first.tensors.values())
    assert all(session[i] == first for i in range(len(session)))


def test_kill_during_commit_leaves_old_or_new_never_half(previous: tuple[Path, bytes]
                                                         ) -> None:
    target, old = previous
    proc = _child(target, 40, commit=True)
    lines = _kill_after(proc, "committing")
    partial = Path(lines[0][1])
    if target.read_bytes() == old:  # killed before the rename: the partial has them all
        assert len(trace.load(partial)) == 40
    else:  # the rename happened: the new file is whole
        assert len(trace.load(target)) == 40 and not partial.exists()


def test_every_cut_of_a_partial_recovers_exactly_its_complete_captures(
        tmp_path: Path, recorded: trace.Recorder) -> None:
    # A kill can stop the file at any byte: what loads is the captures whose JSON member
    # was entirely written before that byte, never a damaged one.
    writer = trace.SessionWriter(tmp_path / "run.gscope")
    ends = []
    for cap in recorded.captures:
        writer.add(cap)
        writer._file.flush()
        ends.append(writer.partial_path.stat().st_size)  # the capture's last byte
    raw = writer.partial_path.read_bytes()
    writer.abort()
    cut_path = tmp_path / "cut.partial"
    for cut in sorted({*random.Random(0).sample(range(len(raw)), 150), *ends, len(raw)}):
        cut_path.write_bytes(raw[:cut])
        complete = sum(end <= cut for end in ends)
        try:
            session = trace.load(cut_path)
        except trace.SessionFormatError:
            assert complete == 0, cut
            continue
        assert session.recovered and len(session) == complete, cut
        assert session.captures == recorded.captures[:complete]
        session.close()


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="POSIX file-size limit")
def test_a_write_failing_midway_keeps_the_old_file_and_leaves_nothing(
        previous: tuple[Path, bytes]) -> None:
    # A real failing write (a file-size limit: EFBIG, as a full disk gives ENOSPC), in a
    # child process so the limit binds only there.
    target, old = previous
    child = SETUP + r"""
import resource, signal
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
session = trace.Session(script="big.py")
session.extend([cap] * 50)
try:
    trace.save(session, target)
except OSError as exc:
    print("failed", exc.errno, flush=True)
"""
    out = subprocess.run([sys.executable, "-c", child, str(target), "0", "no"], cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                         text=True, timeout=120)
    assert "failed" in out.stdout, out.stderr[-2000:]
    assert target.read_bytes() == old
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]
