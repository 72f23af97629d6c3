"""Small PyTorch training programs, run unchanged three ways and compared with PyTorch.

Each file in this folder is a plain PyTorch program (it imports only `torch` and the standard
library) of a kind people train: an MNIST CNN with a checkpoint resume, a VAE, a DCGAN, an
LSTM language model, a minGPT block, a seq2seq with attention, a triplet net with custom
autograd Functions, a WGAN-GP, a Transformer LM with a packed-sequence GRU head, LSTMCells
trained by LBFGS. Each one runs
  (a) with real PyTorch, in process;
  (b) in process with `torch` resolved to autograd_core (the worker's own `torch_alias`);
  (c) through the worker's plain-script mode: `gradscope record prog.py -n K`, a subprocess.
The losses each prints (and, in process, every parameter at the end) must agree with (a).
Seeded draws differ between engines, so the programs take their data and weights from
deterministic formulas and are run with their random parts (dropout, noise) switched off by
their own command-line options; the runs with them on only have to train.
Tolerances: float64 programs agree to 1e-9 relative; float32 ones to 1e-4 relative (several
steps of float32 training with different summation orders).
"""

from __future__ import annotations

import contextlib
import io
import math
import re
import runpy
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.runner import torch_alias

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
LOSS = re.compile(r"^step (\d+) loss (\S+)")


@dataclass(frozen=True)
class Program:
    name: str
    args: tuple[str, ...]  # the options that make the run deterministic
    rel: float  # relative tolerance of losses and weights against PyTorch
    steps: int  # optimizer steps (the plain-script mode's iterations)
    needs: str = ""  # a branch not yet merged whose API the program needs (xfail until then)
    # Weights' absolute tolerance where it is wider than `rel`: Adam's first steps move a
    # weight by lr * g / (|g| + eps), so a gradient that cancels to ~1e-13 (summation order)
    # moves it by up to lr * 1e-13 / eps = 1e-8 either way.
    weight_atol: float = 0.0


PROGRAMS = [
    Program("mnist_cnn", ("--dropout", "0"), 1e-4, 6),
    Program("vae", ("--fixed-noise",), 1e-9, 4),
    Program("dcgan", (), 1e-4, 6),
    Program("word_lm", ("--dropout", "0"), 1e-4, 4),
    Program("mingpt", ("--sampler", "strided"), 1e-4, 4),
    Program("seq2seq", ("--dropout", "0"), 1e-9, 4),
    Program("triplet_custom_fn", (), 1e-9, 4),
    Program("wgan_gp", ("--fixed-noise",), 1e-9, 8),
    Program("transformer_lm", ("--dropout", "0"), 1e-9, 4, weight_atol=1e-7),
    Program("time_sequence", (), 1e-9, 3),
]
RANDOM_RUNS = {"mnist_cnn": (), "vae": (), "word_lm": (), "mingpt": (), "seq2seq": (),
               "wgan_gp": (), "transformer_lm": ()}  # their random parts on (PyTorch's defaults)


def _params(program: Program) -> list[Any]:
    marks = [pytest.mark.xfail(strict=True, reason=program.needs)] if program.needs else []
    return [pytest.param(program, id=program.name, marks=marks)]


CASES = [case for program in PROGRAMS for case in _params(program)]


@dataclass
class Result:
    losses: dict[int, float]
    weights: dict[str, np.ndarray] = field(default_factory=dict)
    stdout: str = ""


def _losses(text: str) -> dict[int, float]:
    found = (LOSS.match(line) for line in text.splitlines())
    return {int(m.group(1)): float(m.group(2)) for m in found if m}


@contextlib.contextmanager
def _engine(ours: bool) -> Iterator[Any]:
    """`import torch` gives PyTorch, or autograd_core through the worker's alias; the real
    torch modules are put back afterwards (PyTorch cannot be imported twice in a process)."""
    real = {k: v for k, v in sys.modules.items() if k == "torch" or k.startswith("torch.")}
    if ours:
        torch_alias.install()
    try:
        import torch

        default = torch.get_default_dtype()
        try:
            yield torch
        finally:
            torch.set_default_dtype(default)
    finally:
        if ours:
            torch_alias.uninstall()
            sys.modules.update(real)


def run_in_process(program: Program, ours: bool, args: tuple[str, ...] | None = None) -> Result:
    path = HERE / f"{program.name}.py"
    out = io.StringIO()
    argv = sys.argv
    sys.argv = [str(path), *(program.args if args is None else args)]
    try:
        with _engine(ours) as torch, contextlib.redirect_stdout(out):
            names = runpy.run_path(str(path), run_name="__main__")
            weights = {f"{g}.{k}": p.detach().cpu().numpy().copy()
                       for g, m in names.items() if isinstance(m, torch.nn.Module)
                       for k, p in m.named_parameters()}
    finally:
        sys.argv = argv
    return Result(_losses(out.getvalue()), weights, out.getvalue())


def run_recorded(program: Program, tmp_path: Path) -> tuple[Result, Any]:
    """`gradscope record PROGRAM -n STEPS -- ARGS` in a subprocess; the session it wrote."""
    out = tmp_path / f"{program.name}.gscope"
    done = subprocess.run(
        [sys.executable, "-m", "app", "record", str(HERE / f"{program.name}.py"),
         "-n", str(program.steps), "--stats", "off", "-o", str(out), "--", *program.args],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    from autograd_core import trace

    return Result(_losses(done.stdout), stdout=done.stdout), trace.load(str(out))


@pytest.fixture(scope="module")
def pytorch_runs() -> dict[str, Result]:
    pytest.importorskip("torch")
    return {}


def _pytorch(program: Program, cache: dict[str, Result]) -> Result:
    if program.name not in cache:
        cache[program.name] = run_in_process(program, ours=False)
        assert len(cache[program.name].losses) >= program.steps
    return cache[program.name]


def _assert_losses_match(ours: dict[int, float], theirs: dict[int, float], rel: float) -> None:
    assert ours, "the program printed no loss"
    for step, value in ours.items():
        assert math.isfinite(value), f"step {step}: loss {value}"
        assert value == pytest.approx(theirs[step], rel=rel, abs=rel), f"step {step}"


@pytest.mark.oracle
@pytest.mark.parametrize("program", CASES)
def test_program_with_torch_swapped_matches_pytorch(program, pytorch_runs):
    theirs = _pytorch(program, pytorch_runs)
    ours = run_in_process(program, ours=True)
    assert sorted(ours.losses) == sorted(theirs.losses)
    _assert_losses_match(ours.losses, theirs.losses, program.rel)
    assert sorted(ours.weights) == sorted(theirs.weights)
    for name, value in theirs.weights.items():
        np.testing.assert_allclose(ours.weights[name], value, rtol=program.rel,
                                   atol=max(program.rel, program.weight_atol), err_msg=name)


@pytest.mark.oracle
@pytest.mark.parametrize("program", CASES)
def test_program_recorded_as_a_plain_script_matches_pytorch(program, pytorch_runs, tmp_path):
    theirs = _pytorch(program, pytorch_runs)
    ours, session = run_recorded(program, tmp_path)
    assert len(session.captures) == program.steps  # one iteration per optimizer step
    assert all(c.backward for c in session.captures)
    # The last iteration's print can fall after the cut that ends the recording.
    assert len(ours.losses) >= program.steps - 1, ours.stdout[-2000:]
    _assert_losses_match(ours.losses, theirs.losses, program.rel)


@pytest.mark.parametrize("program", [c for c in CASES if c.values[0].name in RANDOM_RUNS])
def test_program_with_its_random_parts_on_trains(program):
    """Dropout, sampled noise and random samplers on (PyTorch's defaults): finite losses."""
    ours = run_in_process(program, ours=True, args=RANDOM_RUNS[program.name])
    assert len(ours.losses) >= program.steps
    assert all(math.isfinite(v) for v in ours.losses.values()), ours.stdout


@pytest.mark.oracle
def test_checkpoints_move_both_ways_between_the_programs_engines(tmp_path):
    """The LBFGS program's checkpoint (state_dict, LBFGS state, a list of floats): ours loads
    into PyTorch, PyTorch's into ours, each equal to the other engine's own."""
    torch = pytest.importorskip("torch")
    program = next(p for p in PROGRAMS if p.name == "time_sequence")
    ours_file, theirs_file = tmp_path / "ours.pt", tmp_path / "theirs.pt"
    run_in_process(program, ours=True, args=("--checkpoint", str(ours_file)))
    run_in_process(program, ours=False, args=("--checkpoint", str(theirs_file)))
    theirs = torch.load(theirs_file, weights_only=True)
    ours_in_torch = torch.load(ours_file, weights_only=True)
    import autograd_core

    theirs_in_ours = autograd_core.load(str(theirs_file), weights_only=True)
    assert ours_in_torch["model"].keys() == theirs["model"].keys()
    for key, value in theirs["model"].items():
        np.testing.assert_allclose(ours_in_torch["model"][key].numpy(), value.numpy(),
                                   rtol=1e-9, atol=1e-12, err_msg=key)
        np.testing.assert_array_equal(theirs_in_ours["model"][key].numpy(), value.numpy())
    state, their_state = ours_in_torch["optimizer"]["state"][0], theirs["optimizer"]["state"][0]
    assert state.keys() == their_state.keys()
    assert state["n_iter"] == their_state["n_iter"]
    assert ours_in_torch["losses"] == pytest.approx(theirs["losses"], rel=1e-9)
    assert ours_in_torch["optimizer"]["param_groups"] == theirs["optimizer"]["param_groups"]
