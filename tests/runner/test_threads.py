"""The worker's BLAS/OpenMP thread setting: in its environment before numpy loads, in Status,
in each capture, and through `gradscope record --threads`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.runner import Driver
from app.runner import protocol as p

ROOT = Path(__file__).resolve().parents[2]

# The script prints what its numpy was started with: the variables must be set before the
# worker's first import of numpy, which happens before the script runs.
REPORTS = """
import os
print("threads", os.environ.get("OPENBLAS_NUM_THREADS"), os.environ.get("OMP_NUM_THREADS"))
model = nn.Linear(3, 2)

def step(i):
    loss = model(ag.ones(4, 3)).sum()
    loss.backward()
    return loss
"""


def _output(s) -> str:
    return s.wait_for(lambda e: isinstance(e, p.Output) and e.text.startswith("threads")).text


def test_default_is_one_thread_in_the_environment_in_status_and_in_captures(start):
    s = start(REPORTS, record="off")
    assert _output(s) == "threads 1 1"
    assert s.wait_state(p.IDLE, timeout=60).threads == 1
    s.driver.run(1)
    capture = s.wait_for(lambda e: isinstance(e, p.Captured), timeout=30).capture
    assert capture.threads == 1


def test_a_chosen_count_reaches_the_worker(start):
    s = start(REPORTS, threads=2)
    assert _output(s) == "threads 2 2"
    assert s.wait_state(p.IDLE).threads == 2


def test_zero_leaves_the_libraries_default(start, monkeypatch):
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    s = start(REPORTS, threads=0)
    assert _output(s) == "threads None None"
    assert s.wait_state(p.IDLE).threads == len(os.sched_getaffinity(0))


def test_a_negative_count_is_refused(tmp_path):
    with pytest.raises(ValueError, match="threads"):
        Driver(str(tmp_path / "model.py"), threads=-1)


def test_record_threads_option_reaches_the_saved_captures(rewrite, tmp_path):
    from autograd_core import trace

    script = rewrite(REPORTS)
    out = tmp_path / "run.gscope"
    done = subprocess.run([sys.executable, "-m", "app", "record", str(script), "-n", "2",
                           "--threads", "1", "-o", str(out)], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "threads 1 1" in done.stdout
    assert [c.threads for c in trace.load(out).captures] == [1, 1]
    bad = subprocess.run([sys.executable, "-m", "app", "record", str(script), "--threads",
                          "-2", "-o", str(out)], capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)), cwd=ROOT)
    assert bad.returncode == 2 and "--threads" in bad.stderr
