"""`gradscope record` / `python -m app record`, run as a real command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def gradscope(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=ROOT)


def test_record_saves_a_session_that_loads(rewrite, simple, tmp_path):
    from autograd_core import trace

    script = rewrite(simple.replace("    return loss", "    print('it', i)\n    return loss"))
    out = tmp_path / "run.gscope"
    done = gradscope("record", str(script), "-n", "4", "--stats", "full", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "it 0" in done.stdout and "saved 4 captured iterations" in done.stdout
    assert "4/4" in done.stderr and "it/s" in done.stderr  # the progress bar
    session = trace.load(out)
    assert [c.index for c in session.captures] == [0, 1, 2, 3]
    assert session.captures[0].level == "full" and session.captures[0].loss == 6.0


def test_record_error_prints_the_users_line_and_exits_non_zero(rewrite, tmp_path):
    script = rewrite("""
        model = nn.Module()

        def step(i):
            raise RuntimeError("diverged")
        """)
    out = tmp_path / "run.gscope"
    done = gradscope("record", str(script), "-o", str(out))
    assert done.returncode == 1
    assert f"{script}:7: RuntimeError: diverged" in done.stderr
    assert not out.exists()


def test_record_timeout_stops_saves_and_says_so(rewrite, tmp_path):
    script = rewrite("""
        model = nn.Module()
        w = ag.ones(2, requires_grad=True)

        def step(i):
            if i == 3:
                while True:          # a hang inside the 4th iteration
                    w * 2
            loss = (w * 3).sum()
            loss.backward()
            return loss
        """)
    out = tmp_path / "run.gscope"
    done = gradscope("record", str(script), "-n", "100", "--timeout", "1.5", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "stopped after --timeout 1.5 s at iteration 3" in done.stderr
    from autograd_core import trace

    assert len(trace.load(out).captures) == 3


def test_record_names_where_the_first_nan_was_born(tmp_path):
    example = ROOT / "resources" / "examples" / "nan_divergence.py"
    done = gradscope("record", str(example), "-n", "8", "-o", str(tmp_path / "nan.gscope"))
    assert done.returncode == 0, done.stderr
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("first NaN"))
    assert "iteration 5" in line and "Log#0" in line and "nan_divergence.py:30" in line
