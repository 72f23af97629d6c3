"""Fault campaign: the worker dies at iteration N (os._exit, a segfault, SIGKILL, memory
exhaustion) under a real `gradscope record`, and the saved file holds exactly N captures."""

from __future__ import annotations

import pytest

from autograd_core import trace

CRASHES = {
    "os_exit": "os._exit(7)",
    "segfault": "ctypes.string_at(0)",
    "sigkill": "os.kill(os.getpid(), signal.SIGKILL)",
    # An address-space limit just above what the worker uses: the next big allocation fails.
    "out_of_memory": ("resource.setrlimit(resource.RLIMIT_AS, (_vm_size() + (64 << 20),) * 2)\n"
                      "        np.ones(1 << 32)"),
}

SCRIPT = """
import ctypes, os, resource, signal
import numpy as np
model = nn.Module()
w = ag.ones(3, requires_grad=True)

def _vm_size():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")

def step(i):
    if i == {n}:
        {crash}
    loss = (w * 2.0).sum()
    loss.backward()
    return loss
"""


@pytest.mark.parametrize("kind", list(CRASHES))
@pytest.mark.parametrize("n", [10])
def test_a_worker_crash_at_iteration_n_leaves_all_n_captures_saved(kind, n, rewrite,
                                                                  tmp_path, recording):
    script = rewrite(SCRIPT.format(n=n, crash=CRASHES[kind]))
    out = tmp_path / "run.gscope"
    run = recording("record", script, "-n", "100", "-o", out)
    assert run.finish() == 1, run.stderr  # the run failed, and says so...
    assert f"iteration {n}" in run.stderr  # where it failed
    assert f"saved the {n} captured iterations made before the failure" in run.stderr
    assert "Traceback" not in run.stderr or kind == "out_of_memory"
    session = trace.load(out)
    assert [c.index for c in session.captures] == list(range(n))  # ...losing none


def test_a_crash_before_any_capture_writes_nothing_over_an_existing_file(rewrite, tmp_path,
                                                                        recording):
    out = tmp_path / "run.gscope"
    out.write_bytes(b"previous contents")
    script = rewrite(SCRIPT.format(n=0, crash=CRASHES["os_exit"]))
    run = recording("record", script, "-o", out)
    assert run.finish() == 1
    assert "nothing was captured" in run.stderr and "left as it was" in run.stderr
    assert out.read_bytes() == b"previous contents"
