"""Warnings raised inside the engine never reach the user's Output; the script's own do, with
their file:line, even when the script resets the warning filters."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from app.runner import protocol as p
from app.runner import warnings_filter
from tests.runner.conftest import ROOT

NAN_EXAMPLE = ROOT / "resources" / "examples" / "nan_divergence.py"


def _stderr(session) -> str:
    return "\n".join(e.text for e in session.of(p.Output) if e.stream == "stderr")


def test_a_diverging_run_shows_no_engine_warning(start, tmp_path):
    # A step that also warns itself, after the example has diverged to NaN and inf.
    body = NAN_EXAMPLE.read_text() + (
        "\n_step = step\n\n"
        "def step(i):\n"
        "    loss = _step(i)\n"
        "    if i == 150:\n"
        "        import warnings\n"
        "        warnings.warn('lr looks too large')  # the user's own: shown\n"
        "    return loss\n")
    s = start(body, name="nan_user.py", record="full")
    s.wait_state(p.IDLE)
    s.driver.run(200)
    s.wait_for(lambda e: isinstance(e, p.Finished), timeout=60)
    losses = [e.value for e in s.of(p.Loss)]
    assert any(np.isnan(v) for v in losses) and max(abs(v) for v in losses
                                                    if not np.isnan(v)) > 1e20
    err = _stderr(s)
    assert "autograd_core" not in err and "RuntimeWarning" not in err
    assert "nan_user.py:" in err and "UserWarning: lr looks too large" in err


def test_the_scripts_numpy_warnings_still_show_when_it_resets_the_filters(start):
    s = start("""
        import warnings
        import numpy as np
        warnings.simplefilter("always")     # the script's choice: every warning, every time
        model = nn.Module()
        w = ag.tensor([1e30, -1.0], requires_grad=True)

        def step(i):
            loss = (w * w).sum().log()      # overflow, then log of inf: inside the engine
            np.log(np.array([-1.0]))        # the script's own numpy call
            return loss
        """, record="full")
    s.wait_state(p.IDLE)
    s.driver.run(2)
    s.wait_for(lambda e: isinstance(e, p.Finished))
    err = _stderr(s)
    assert "autograd_core" not in err
    assert "model.py:" in err and "invalid value encountered in log" in err


@pytest.mark.parametrize("engine", [True, False])
def test_the_filter_tells_engine_files_from_others(engine, tmp_path):
    root = warnings_filter.engine_dir()
    name = root + "ops/x.py" if engine else str(tmp_path / "autograd_core_x.py")
    assert warnings_filter.from_engine(name) is engine


def test_install_drops_engine_warnings_and_keeps_others(tmp_path):
    saved = warnings.showwarning
    try:
        with warnings.catch_warnings(record=False):
            shown: list[str] = []
            warnings.showwarning = lambda m, c, f, ln, file=None, line=None: shown.append(f)
            warnings_filter.install()
            warnings.simplefilter("always")
            engine_file = warnings_filter.engine_dir() + "ops/fake.py"
            warnings.warn_explicit("ours", RuntimeWarning, engine_file, 1)
            warnings.warn_explicit("theirs", UserWarning, str(tmp_path / "user.py"), 1)
            assert shown == [str(tmp_path / "user.py")]
    finally:
        warnings.showwarning = saved
