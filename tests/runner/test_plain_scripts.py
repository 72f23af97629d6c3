"""Plain PyTorch scripts (`import torch`, a loop, no `model`/`step`) run unchanged in the worker.

Real worker processes through `Driver` and the `gradscope record` command; the losses of an
unmodified script are compared with the same file run by PyTorch itself.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.runner import Driver
from app.runner import protocol as p
from tests.runner.conftest import ROOT, Session

# A top-level training loop, deterministic without a seed (both engines draw differently),
# as a user would write it for PyTorch. Its helpers stay in their own module-level names.
LOOP = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.fc2 = nn.Linear(8, 3)

    def forward(self, x):
        return self.fc2(torch.tanh(self.fc1(x)))


net = Net()
with torch.no_grad():
    for k, p in enumerate(net.parameters()):
        p.copy_(torch.linspace(-0.5, 0.4 + 0.1 * k, p.numel()).reshape(p.shape))
x = torch.linspace(-1.0, 1.0, 40).reshape(10, 4)
y = torch.tensor([0, 1, 2, 1, 0, 2, 1, 0, 2, 1])
optimizer = torch.optim.SGD(net.parameters(), lr=0.5, momentum=0.9)
try:
    for i in range({n}):
        optimizer.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        optimizer.step()
        print(f"loss {{loss.item():.8f}}")
finally:
    print("cleanup")
print("done")
"""


def _session(tmp_path: Path, text: str, name: str = "train.py", **options) -> Session:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    options.setdefault("record", "basic")
    driver = Driver(str(path), **options)
    driver.start()
    return Session(driver)


@pytest.fixture
def sessions():
    made: list[Session] = []

    def make(tmp_path: Path, text: str, **options) -> Session:
        s = _session(tmp_path, text, **options)
        made.append(s)
        return s

    yield make
    for s in made:
        s.driver.close()


def _finished(s: Session) -> p.Finished:
    return s.wait_for(lambda e: isinstance(e, p.Finished), timeout=60)


def _errors(s: Session) -> list[p.Error]:
    return [e for e in s.of(p.Error) if e.kind != "warning"]


def test_a_top_level_loop_runs_by_iterations_and_matches_pytorch(tmp_path, sessions):
    s = sessions(tmp_path, LOOP.format(n=5))
    s.wait_for(lambda e: isinstance(e, p.Loaded), timeout=60)
    s.driver.run(3)
    assert _finished(s).iteration == 3
    captures = [e.capture for e in s.of(p.Captured)]
    assert [c.index for c in captures] == [0, 1, 2]
    modules = {n.module for n in captures[-1].nodes}
    assert {"Net", "Net.fc1", "Net.fc2"} <= modules  # the modules the iteration ran
    params = sorted(n.key.split(":")[-1] for n in captures[-1].nodes if n.kind == "param")
    assert params == ["Net.fc1.bias", "Net.fc1.weight", "Net.fc2.bias", "Net.fc2.weight"]
    assert captures[-1].backward  # the backward pass is in the capture
    assert "done" not in [o.text for o in s.of(p.Output)]  # paused between iterations

    s.driver.run(None)  # the rest: the script runs to its end
    end = s.wait_for(lambda e: isinstance(e, p.Error) and e.kind == "warning", timeout=60)
    assert "ran to its end after 5 iterations" in end.message
    assert [o.text for o in s.of(p.Output)][-2:] == ["cleanup", "done"]
    ours = [e.value for e in s.of(p.Loss)]
    assert len(ours) == 5 and not _errors(s)
    # The iteration's loss is the tensor its backward() started from: the printed one.
    printed = [float(o.text.split()[1]) for o in s.of(p.Output) if o.text.startswith("loss")]
    assert ours == pytest.approx(printed, rel=1e-6)

    pytest.importorskip("torch")  # the same file, run by PyTorch itself
    theirs = _torch_losses(tmp_path / "train.py")
    assert ours == pytest.approx(theirs, rel=1e-5, abs=1e-6)


def _torch_losses(path: Path) -> list[float]:
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         timeout=300, check=True).stdout
    return [float(line.split()[1]) for line in out.splitlines() if line.startswith("loss")]


def test_iterations_past_the_requested_count_stop_the_script_cleanly(tmp_path, sessions):
    s = sessions(tmp_path, LOOP.format(n=50), record="none")
    s.driver.run(2)
    assert _finished(s).iteration == 2
    s.driver._send(p.Shutdown())  # what `gradscope record -n 2` does once it has two
    died = s.wait_for(lambda e: isinstance(e, p.Died), timeout=60)
    assert died.exitcode == 0
    texts = [o.text for o in s.of(p.Output)]
    assert texts.count("cleanup") == 1 and "done" not in texts  # finally ran, nothing after
    assert len([t for t in texts if t.startswith("loss")]) == 2
    assert not _errors(s)


NO_OPTIMIZER = """\
import torch

w = torch.zeros(3, requires_grad=True)
x = torch.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]])
y = torch.tensor([1.0, -1.0])
for i in range(4):
    loss = ((x @ w - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():  # a manual update stays in its iteration
        w -= 0.1 * w.grad
        w.grad.zero_()
    print("loss", loss.item())
"""


def test_without_an_optimizer_each_backward_ends_an_iteration(tmp_path, sessions):
    s = sessions(tmp_path, NO_OPTIMIZER)
    s.driver.run(10)
    s.wait_for(lambda e: isinstance(e, p.Error) and e.kind == "warning", timeout=60)
    captures = [e.capture for e in s.of(p.Captured)]
    assert [c.index for c in captures] == [0, 1, 2, 3]
    assert [e.value for e in s.of(p.Loss)] == pytest.approx(
        [float(o.text.split()[1]) for o in s.of(p.Output)], rel=1e-6)
    for c in captures:  # each: forward ops, their backward nodes, once
        ops = [n.op for n in c.nodes if n.kind == "op"]
        assert ops.count("MatMul") + ops.count("Mv") >= 1 and len(c.backward) >= 3
    assert not _errors(s)


ARGPARSE = """\
import argparse
import sys

import torch
import torch.nn.functional
import torch.utils.data
from torch import nn, optim


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--lr", type=float, default=0.01)
    args = parser.parse_args()
    print("argv", sys.argv[1:], args.epochs, args.lr)
    print("engine", torch.__name__, torch.nn.functional.__name__, torch.utils.data.__name__)
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
    opt = optim.Adam(model.parameters(), lr=args.lr)
    x = torch.ones(8, 2)
    for epoch in range(args.epochs):
        opt.zero_grad()
        loss = model(x).pow(2).mean()
        loss.backward()
        opt.step()
    return 0


if __name__ == "__main__":
    sys.exit(main())
"""


def test_argparse_scripts_get_their_arguments_and_main_runs(tmp_path, sessions):
    s = sessions(tmp_path, ARGPARSE, args=["--epochs", "3", "--lr", "0.1"], record="off")
    s.driver.run(100)
    end = s.wait_for(lambda e: isinstance(e, p.Error) and e.kind == "warning", timeout=60)
    assert "ran to its end after 3 iterations" in end.message  # sys.exit(0) is a normal end
    assert s.of(p.Output)[0].text == "argv ['--epochs', '3', '--lr', '0.1'] 3 0.1"
    # torch is our engine in the worker, whether or not PyTorch is installed there
    assert s.of(p.Output)[1].text == ("engine autograd_core autograd_core.nn.functional "
                                      "autograd_core.utils.data")
    assert len(s.of(p.Captured)) == 3 and not _errors(s)
    modules = {n.module for n in s.of(p.Captured)[-1].capture.nodes}
    assert {"Sequential.0", "Sequential.2"} <= modules  # by class and attribute name


def test_gradscope_record_passes_the_arguments_after_the_double_dash(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(ARGPARSE)
    out = tmp_path / "run.gscope"
    done = subprocess.run(
        [sys.executable, "-m", "app", "record", str(script), "-n", "2", "--stats", "off",
         "-o", str(out), "--", "--epochs", "9", "--lr", "0.5"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "argv ['--epochs', '9', '--lr', '0.5'] 9 0.5" in done.stdout
    from autograd_core import trace

    assert len(trace.load(str(out)).captures) == 2


MISSING = """\
import torch
import torch.nn.functional as F

x = torch.ones(3, requires_grad=True)
y = F.not_a_function(x)
"""


@pytest.mark.parametrize("line, api", [
    ("y = F.not_a_function(x)", "torch.nn.functional.not_a_function"),
    ("y = torch.func.vmap(torch.sin)(x)", "torch.func"),
    ("import torch.distributed.rpc", "torch.distributed.rpc"),  # torch.distributed exists
    ("from torch.nn import NotALayer", "torch.nn.NotALayer"),
    ("y = x.not_a_method()", "torch.Tensor.not_a_method"),
])
def test_a_missing_api_is_named_with_the_users_line(tmp_path, sessions, line, api):
    s = sessions(tmp_path, MISSING.replace("y = F.not_a_function(x)", line), record="none")
    s.driver.run(1)
    err = s.wait_for(lambda e: isinstance(e, p.Error) and e.kind != "warning", timeout=60)
    path = str(tmp_path / "train.py")
    assert err.message == f"{path}:5: {api} is not supported by autograd_core (in iteration 0)"
    assert err.location == f"{path}:5"


STEPPED = LOOP.format(n=10**6)  # never runs out before the Stop


def test_stepping_and_stop_work_as_for_model_scripts(tmp_path, sessions):
    s = sessions(tmp_path, STEPPED)
    s.driver.run(1)
    _finished(s)
    s.driver.step_forward()  # the next iteration starts, one op at a time
    first = s.wait_for(lambda e: isinstance(e, p.Stepped), timeout=60)
    assert first.phase == "forward" and first.iteration == 1 and first.index == 0
    s.driver.step_forward()
    assert s.wait_for(lambda e: isinstance(e, p.Stepped)).index == 1
    s.driver.step_backward()  # skips the rest of the forward pass
    node = s.wait_for(lambda e: isinstance(e, p.Stepped))
    assert node.phase == "backward" and node.index == 0
    s.driver.finish_iteration()
    assert _finished(s).iteration == 2
    assert [e.capture.index for e in s.of(p.Captured)] == [0, 1]

    s.driver.run(None)  # running freely, then Stop: the script ends where it was
    s.wait_for(lambda e: isinstance(e, p.Captured) and e.iteration >= 4, timeout=60)
    s.driver.stop()  # mid-iteration or between two: either way the script ends
    s.wait_state(p.IDLE)
    stopped = [e for e in s.of(p.Error) if e.kind == "stopped"]
    assert all("stopped by you at" in e.message and "train.py:" in e.message for e in stopped)
    assert "cleanup" in [o.text for o in s.of(p.Output)]  # its `finally` ran
    s.driver.run(1)  # the script is over: it says so instead of running
    over = s.wait_for(lambda e: isinstance(e, p.Error) and e.kind == "warning")
    assert "was stopped" in over.message and "Restart" in over.message

    s.driver.restart()  # from the top again
    s.wait_for(lambda e: isinstance(e, p.Loaded), timeout=60)
    s.driver.run(2)
    fin = _finished(s)
    assert fin.iteration == 2 and s.driver.alive


def test_the_driver_process_never_imports_autograd_core_as_torch(tmp_path, sessions):
    from app.runner.torch_alias import TorchAlias

    s = sessions(tmp_path, LOOP.format(n=2), record="none")
    s.driver.run(2)
    _finished(s)
    assert not any(isinstance(f, TorchAlias) for f in sys.meta_path)
    torch = sys.modules.get("torch")
    assert torch is None or not torch.__name__.startswith("autograd_core")


# ----------------------------------------------------------------- boundaries, in-process
@pytest.fixture
def cuts():
    """Runs code under a Controller with plain-script boundaries; returns the ops seen
    between boundaries (one list per iteration, the open one last)."""
    from app.runner.plain import Boundaries
    from app.runner.stepping import Controller
    from autograd_core import hooks

    iterations: list[list[str]] = [[]]

    class Ops:
        op_begin = backward_begin = None

        def op_end(self, token, fn, *rest):
            iterations[-1].append(fn.__name__)

        def __getattr__(self, name):
            return lambda *a: None

    controller = Controller(lambda stepped: None)
    controller.inner = Ops()
    controller.plain = Boundaries(lambda: iterations.append([]))
    previous = hooks.set_observer(controller)
    yield iterations
    hooks.set_observer(previous)


def _model():
    import autograd_core as torch

    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
    return torch, net, torch.ones(5, 3)


def test_clipping_and_schedulers_between_backward_and_step_stay_in_the_iteration(cuts):
    torch, net, x = _model()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, 1)
    for _ in range(3):
        opt.zero_grad()
        net(x).pow(2).mean().backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 0.5)
        with torch.no_grad():
            net[0].weight.grad.mul_(1.0)
        opt.step()
        sched.step()
    assert len(cuts) == 3  # two boundaries taken; the third iteration is still open
    assert cuts[0] == cuts[1] == cuts[2] and "Linear" in cuts[0]


def test_a_gradient_penalty_is_part_of_the_forward_pass_and_two_optimizers_two_steps(cuts):
    torch, net, x = _model()
    x.requires_grad_(True)
    d, g = (torch.optim.Adam(net.parameters()) for _ in range(2))
    for _ in range(2):
        out = net(x).sum()
        (grad,) = torch.autograd.grad(out, x, retain_graph=True)  # WGAN-GP style: not an end
        penalty = (grad * grad).sum()
        (out + penalty).backward()
        d.step()
        net(x).mean().backward()
        g.step()
    assert len(cuts) == 4  # each optimizer.step() ends an iteration
    assert "Mul" in cuts[0] and "Sum" in cuts[0]


@pytest.mark.parametrize("source, plain", [
    ("import torch\nstep = 0\nfor i in range(3):\n    step += 1\n", True),  # a counter
    ("import torch\nmodel = torch.nn.Linear(2, 1)\nstep = 0\n", True),
    ("import torch\nmodel = torch.nn.Linear(2, 1)\ndef step(i):\n    return model(i)\n", False),
    ("import autograd_core as ag\nmodel = ag.nn.Linear(2, 1)\nstep = 0\n", False),  # told so
    ("import torch\nx = torch.ones(2)\n", True),
])
def test_a_pytorch_scripts_step_counter_does_not_make_it_a_model_script(source, plain):
    from app.runner.script import is_plain

    assert is_plain(source) is plain


def test_with_an_optimizer_two_backward_passes_before_its_step_are_one_iteration(cuts):
    torch, net, x = _model()
    opt = torch.optim.Adam(net.parameters())
    for _ in range(3):  # DCGAN's discriminator step: real and fake losses, then one step
        opt.zero_grad()
        err_real = net(x).mean()
        err_real.backward()
        err_fake = net(x * 2).pow(2).mean()
        err_fake.backward()
        err = err_real + err_fake  # a statistic, with gradients on, after the backward
        opt.step()
        print(err.item())
    assert len(cuts) == 3  # one boundary per step(); the third iteration is still open
    assert cuts[0] == cuts[1] and cuts[0].count("Mean") == 2 and "Add" in cuts[0]
