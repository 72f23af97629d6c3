"""The default example script trains: its loss falls clearly within 20 iterations."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "examples" / "spiral_mlp.py"


def test_default_example_defines_the_script_contract():
    ns = runpy.run_path(str(EXAMPLE), run_name="__gradscope__")
    assert callable(ns["step"])
    assert ns["ITERATIONS"] == 200
    assert hasattr(ns["model"], "parameters")
    first_line = EXAMPLE.read_text().splitlines()[0]
    assert first_line.startswith("# ")


def test_default_example_loss_goes_down():
    ns = runpy.run_path(str(EXAMPLE), run_name="__gradscope__")
    losses = [float(ns["step"](i).item()) for i in range(20)]
    assert losses[0] == pytest.approx(1.1, abs=0.15)  # ~ln(3): an untrained 3-class model
    assert losses[-1] < 0.8 * losses[0]
    assert min(losses[-5:]) < min(losses[:5])
