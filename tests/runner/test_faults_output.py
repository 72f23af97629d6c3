"""Fault campaign: where `gradscope record` writes, and the arguments it takes.

Special outputs are refused before anything runs; a full disk ends the run with a clear
error and the previous file intact; a --timeout that fires before the first capture never
replaces a file with an empty session; bad numbers get argparse's own error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from autograd_core import trace

QUICK = """
model = nn.Module()
w = ag.ones(3, requires_grad=True)

def step(i):
    loss = (w * 2.0).sum()
    loss.backward()
    return loss
"""


def special_outputs(tmp_path: Path, script: Path) -> dict[str, Path]:
    fifo = tmp_path / "pipe.gscope"
    os.mkfifo(fifo)
    null = tmp_path / "null.gscope"
    null.symlink_to("/dev/null")
    folder = tmp_path / "folder.gscope"
    folder.mkdir()
    return {"fifo": fifo, "devnull_link": null, "directory": folder, "the_script": script,
            "missing_folder": tmp_path / "no" / "such" / "run.gscope"}


@pytest.mark.parametrize("kind", ["fifo", "devnull_link", "directory", "the_script",
                                  "missing_folder"])
def test_a_special_output_is_refused_before_running(kind, rewrite, tmp_path, recording):
    script = rewrite(QUICK.replace("model =", "print('ran')\nmodel ="))
    before = script.read_bytes()
    out = special_outputs(tmp_path, script)[kind]
    run = recording("record", script, "-n", "2", "-o", out)
    assert run.finish() == 2
    assert str(out) in run.stderr and "Traceback" not in run.stderr
    assert "ran" not in run.stdout  # refused before the script started
    assert script.read_bytes() == before
    assert Path("/dev/null").is_char_device()


def test_an_existing_file_is_named_as_replaced(rewrite, tmp_path, recording):
    out = tmp_path / "run.gscope"
    out.write_bytes(b"old")
    run = recording("record", rewrite(QUICK), "-n", "2", "-o", out)
    assert run.finish() == 0, run.stderr
    assert f"{out} exists and will be replaced" in run.stderr
    assert len(trace.load(out).captures) == 2


@pytest.mark.parametrize("where", ["import", "first_step"])
def test_a_timeout_before_the_first_capture_leaves_the_existing_file(where, rewrite, tmp_path,
                                                                    recording):
    out = tmp_path / "run.gscope"
    out.write_bytes(b"previous")
    hang = "while True:\n    pass\n"
    body = hang + QUICK if where == "import" else QUICK.replace(
        "    loss = (w", "    while True:\n        w * 2\n    loss = (w")
    run = recording("record", rewrite(body), "--timeout", "2", "-o", out)
    # The script never returns: only the timeout (covering loading too) ends the run, so an
    # end within finish()'s deadline is the proof, with no wall-clock bound of our own.
    assert run.finish(timeout=60) == 1, run.stderr
    assert "nothing was captured" in run.stderr and f"{out} was left as it was" in run.stderr
    assert out.read_bytes() == b"previous"


@pytest.mark.parametrize("args, error", [
    (["-n", "-1"], "argument -n/--iterations: must be at least 1"),
    (["-n", "0"], "argument -n/--iterations: must be at least 1"),
    (["-n", "ten"], "argument -n/--iterations: not an integer"),
    (["--timeout", "nan"], "argument --timeout: must be a positive finite number"),
    (["--timeout", "inf"], "argument --timeout: must be a positive finite number"),
    (["--timeout", "0"], "argument --timeout: must be a positive finite number"),
    (["--timeout", "-3"], "argument --timeout: must be a positive finite number"),
    (["--timeout", "soon"], "argument --timeout: not a number"),
])
def test_bad_numbers_get_argparses_own_error(args, error, rewrite, tmp_path, recording):
    out = tmp_path / "run.gscope"
    run = recording("record", rewrite(QUICK), *args, "-o", out)
    assert run.finish(timeout=60) == 2
    assert "usage: gradscope record" in run.stderr and error in run.stderr
    assert not out.exists()


def _mount_tmpfs(folder: Path, size: str) -> bool:
    if shutil.which("mount") is None or os.geteuid() != 0:
        return False
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True)
    return done.returncode == 0


def test_a_full_disk_ends_the_run_with_a_clear_error_and_the_previous_file_intact(
        rewrite, tmp_path, recording):
    disk = tmp_path / "small_disk"
    if not _mount_tmpfs(disk, "512k"):
        pytest.skip("cannot mount a small tmpfs here (needs root and mount)")
    try:
        script = rewrite(QUICK)
        out = disk / "run.gscope"
        first = recording("record", script, "-n", "2", "--stats", "full", "-o", out)
        assert first.finish() == 0, first.stderr
        previous = out.read_bytes()
        run = recording("record", script, "-n", "100000", "--stats", "full", "-o", out)
        assert run.finish(timeout=300) == 2, run.stderr
        assert f"cannot write {out}: No space left on device" in run.stderr
        assert f"{out} was left as it was" in run.stderr and "Traceback" not in run.stderr
        assert out.read_bytes() == previous
        assert len(trace.load(out).captures) == 2
        assert sorted(p.name for p in disk.iterdir()) == ["run.gscope"]  # no partial left
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


class _RefusesThird:
    """A sink that cannot hold the third capture (as a file format limit would)."""

    def __init__(self) -> None:
        self.kept: list = []

    def add(self, capture: object) -> None:
        if len(self.kept) == 2:
            raise ValueError("capture 2: a value the format cannot hold")
        self.kept.append(capture)


def test_a_sink_that_refuses_a_capture_ends_the_run_keeping_those_before(rewrite):
    from app.runner.record import record

    sink = _RefusesThird()
    result = record(str(rewrite(QUICK)), iterations=50, sink=lambda device, total: sink)
    assert isinstance(result.write_error, ValueError) and not result.ok
    assert result.captured == 2 and [c.index for c in sink.kept] == [0, 1]
    assert result.iterations < 50  # stopped there, not run to the end


def test_a_huge_iteration_count_records_until_the_timeout(rewrite, tmp_path, recording):
    out = tmp_path / "run.gscope"
    run = recording("record", rewrite(QUICK), "-n", str(10**14), "--timeout", "3", "-o", out)
    assert run.finish(timeout=60) == 0, run.stderr
    assert "stopped after --timeout 3 s" in run.stderr
    assert len(trace.load(out).captures) >= 1
