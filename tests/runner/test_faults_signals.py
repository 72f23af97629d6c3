"""Fault campaign: signals and kills around a real `gradscope record`.

SIGINT/SIGTERM/SIGHUP stop the run and save what was captured (one line, no traceback);
kill -9 of the CLI at any moment leaves the previous file or the complete new one; a script
that forks leaves nothing behind holding the CLI's stdout.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import select
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from autograd_core import trace

ROOT = Path(__file__).resolve().parents[2]

TICKING = """
import time
model = nn.Module()
w = ag.ones(3, requires_grad=True)

def step(i):
    print(f"it {i}", flush=True)
    time.sleep(0.02)  # a slow-ish iteration, so the signal lands mid-run
    loss = (w * 2.0).sum()
    loss.backward()
    return loss
"""


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_a_signal_mid_run_stops_saves_what_was_captured_and_says_so(name, rewrite, tmp_path,
                                                                   recording):
    out = tmp_path / "run.gscope"
    run = recording("record", rewrite(TICKING), "-n", "100000", "-o", out)
    run.wait_line(lambda line: line == "it 5")
    run.proc.send_signal(getattr(signal, name))
    code = run.finish()
    assert code == 128 + getattr(signal, name), run.stderr
    assert "Traceback" not in run.stderr
    said = re.search(rf"interrupted by {name} at iteration (\d+); saved (\d+) captured "
                     rf"iterations to {re.escape(str(out))}", run.stderr)
    assert said, run.stderr
    saved = int(said[2])
    assert saved >= 5
    assert [c.index for c in trace.load(out).captures] == list(range(saved))


def test_ctrl_c_to_the_whole_foreground_group_gives_one_line_and_a_saved_file(
        rewrite, tmp_path, recording):
    out = tmp_path / "run.gscope"
    run = recording("record", rewrite(TICKING), "-n", "100000", "-o", out, own_group=True)
    run.wait_line(lambda line: line == "it 3")
    os.killpg(run.proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    assert run.finish() == 130, run.stderr
    assert "Traceback" not in run.stderr and "KeyboardInterrupt" not in run.stderr
    said = [ln for ln in run.stderr.splitlines() if "interrupted by SIGINT" in ln]
    assert len(said) == 1, run.stderr
    assert len(trace.load(out).captures) >= 3


def test_a_signal_while_the_script_loads_ends_promptly_and_touches_nothing(rewrite, tmp_path,
                                                                          recording):
    out = tmp_path / "run.gscope"
    out.write_bytes(b"previous")
    script = rewrite("""
        print("loading", flush=True)
        while True:       # an endless loop at import
            pass
        """)
    run = recording("record", script, "-o", out)
    run.wait_line(lambda line: line == "loading")
    run.proc.send_signal(signal.SIGINT)
    assert run.finish(timeout=30) == 130
    assert "interrupted by SIGINT; nothing was captured" in run.stderr
    assert "Traceback" not in run.stderr
    assert out.read_bytes() == b"previous"


def test_kill_9_of_the_cli_at_any_moment_leaves_the_old_file_or_the_complete_new_one(
        rewrite, tmp_path, recording):
    out = tmp_path / "run.gscope"
    script = rewrite(TICKING)
    first = recording("record", script, "-n", "3", "-o", out)
    assert first.finish() == 0, first.stderr
    previous = out.read_bytes()
    rng = random.Random(1234)
    outcomes = set()
    for _ in range(5):
        run = recording("record", script, "-n", "20", "-o", out)
        # A random moment from start-up through the iterations to the save.
        try:
            run.proc.wait(rng.uniform(0.5, 8.0))
        except subprocess.TimeoutExpired:
            run.proc.kill()
        run.finish()
        captures = trace.load(out).captures
        if out.read_bytes() == previous:
            outcomes.add("previous")
        else:
            assert [c.index for c in captures] == list(range(20))
            outcomes.add("complete")
    assert outcomes  # each round ended in one of the two, never neither


def test_a_script_that_forks_leaves_no_process_holding_the_clis_stdout(rewrite, tmp_path,
                                                                      recording):
    script = rewrite("""
        import os, time
        model = nn.Module()
        w = ag.ones(3, requires_grad=True)
        if os.fork() == 0:      # a child that outlives the run, holding stdout
            time.sleep(600)
            os._exit(0)

        def step(i):
            if i == 1 and os.fork() == 0:
                time.sleep(600)
                os._exit(0)
            loss = (w * 2.0).sum()
            loss.backward()
            return loss
        """)
    run = recording("record", script, "-n", "3", "-o", tmp_path / "run.gscope")
    # finish() waits for the exit code and then for EOF on both pipes: a leftover child
    # would hold them for ten minutes.
    assert run.finish(timeout=60) == 0, run.stderr
    assert "saved 3 captured iterations" in run.stdout


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(c) for c in f.read().split()]


def _ends_within(pid: int, timeout: float) -> bool:
    """Whether process `pid` (not ours to wait for) ends within `timeout` seconds."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([fd], [], [], timeout)[0])
    finally:
        os.close(fd)


def test_a_worker_whose_cli_was_killed_leaves_with_what_its_script_forked(rewrite, tmp_path,
                                                                          recording):
    script = rewrite("""
        import os, time
        model = nn.Module()
        child = os.fork()
        if child == 0:
            time.sleep(600)
            os._exit(0)

        def step(i):
            print(f"child {child}", flush=True)
            while True:       # never reaches an op again: Stop cannot land
                pass
        """)
    run = recording("record", script, "-o", tmp_path / "run.gscope")
    child = int(run.wait_line(lambda line: line.startswith("child ")).split()[1])
    worker = _children(run.proc.pid)[0]
    run.proc.kill()  # kill -9: the CLI cannot stop its worker
    run.finish()
    assert _ends_within(worker, 30) and _ends_within(child, 30)


def test_captures_are_on_disk_while_the_run_goes_on(rewrite, tmp_path, recording):
    script = rewrite("""
        import time
        model = nn.Module()
        w = ag.ones(3, requires_grad=True)

        def step(i):
            if i == 5:
                print("waiting", flush=True)
                while True:
                    time.sleep(0.05)
            loss = (w * 2.0).sum()
            loss.backward()
            return loss
        """)
    out = tmp_path / "run.gscope"
    run = recording("record", script, "-n", "100", "-o", out)
    run.wait_line(lambda line: line == "waiting")
    # The file is not committed yet, but its partial twin already holds all five captures.
    partial = [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    assert len(partial) == 1 and not out.exists()
    assert [c.index for c in trace.load(partial[0]).captures] == [0, 1, 2, 3, 4]
    run.proc.send_signal(signal.SIGTERM)
    assert run.finish() == 143
    assert len(trace.load(out).captures) == 5 and not partial[0].exists()


def test_a_detached_process_of_the_script_does_not_hold_the_clis_stdout(rewrite, tmp_path,
                                                                        recording):
    pid_file = tmp_path / "daemon.pid"
    script = rewrite(f"""
        import os, time
        model = nn.Module()
        if os.fork() == 0:      # a daemon: its own session, out of reach of our group kill
            os.setsid()
            with open({str(pid_file)!r}, "w") as f:
                f.write(str(os.getpid()))
            os.write(1, b"native output from the daemon\\n")
            time.sleep(600)
            os._exit(0)
        while not os.path.exists({str(pid_file)!r}):
            time.sleep(0.01)
        os.system("echo native output from a subprocess")
        w = ag.ones(3, requires_grad=True)

        def step(i):
            loss = (w * 2.0).sum()
            loss.backward()
            return loss
        """)
    run = recording("record", script, "-n", "2", "-o", tmp_path / "run.gscope")
    try:
        assert run.finish(timeout=60) == 0, run.stderr  # exit and EOF on both pipes
    finally:
        if pid_file.exists() and pid_file.read_text():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid_file.read_text()), signal.SIGKILL)
    assert "native output from a subprocess" in run.stdout


def test_a_hangup_with_the_terminal_gone_still_saves_what_was_captured(rewrite, tmp_path):
    out = tmp_path / "run.gscope"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "app", "record", str(rewrite(TICKING)),
                             "-n", "100000", "-o", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env, cwd=ROOT)
    try:
        for line in proc.stdout:
            if line == b"it 3\n":
                break
        proc.stdout.close()  # the terminal is gone: every later write fails
        proc.stderr.close()
        proc.send_signal(signal.SIGHUP)
        assert proc.wait(60) == 128 + signal.SIGHUP
    finally:
        if proc.poll() is None:
            proc.kill()
    assert len(trace.load(out).captures) >= 3
