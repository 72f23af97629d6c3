"""A PyTorch-style training program using this helper's API runs unchanged against torch.

The same source runs with `torch` bound to PyTorch and to autograd_core (the import-line
swap); losses and final weights must agree in float64.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd_core

torch = pytest.importorskip("torch")

PROGRAM = '''
torch.backends.cudnn.benchmark = True
torch.backends.cudnn.deterministic = True
torch.backends.cuda.matmul.allow_tf32 = False
torch.cuda.manual_seed_all(0)
device = torch.accelerator.current_accelerator() or "cpu"
if torch.backends.mps.is_available():
    device = "mps"
ptdtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
use_amp = torch.cuda.is_available() and torch.cuda.is_bf16_supported()
ctx = torch.amp.autocast(device_type="cpu", dtype=ptdtype["bfloat16"], enabled=use_amp)
scaler = torch.cuda.amp.GradScaler(enabled=use_amp)

torch.set_default_dtype(torch.float64)
X = torch.DoubleTensor(data["x"])
Y = torch.DoubleTensor(data["y"])
model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
with torch.no_grad():
    for p, w in zip(model.parameters(), data["weights"]):
        p.copy_(torch.DoubleTensor(w))
model = torch.nn.DataParallel(model)
log = []

def train(opt, sched, steps, plateau=False):
    for step in range(steps):
        opt.zero_grad(set_to_none=True)
        with ctx:
            loss = ((model(X) - Y) ** 2).mean()
        scaler.scale(loss).backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(opt)
        scaler.update()
        sched.step(loss.item()) if plateau else sched.step()
        log.append(f"{loss:.10f}")

opt = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.1)
warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=3)
cos = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2)
train(opt, torch.optim.lr_scheduler.SequentialLR(opt, [warm, cos], milestones=[3]), 10)
for name, kwargs in [("NAdam", {}), ("RAdam", {}), ("Adamax", {}), ("Adagrad", {}),
                     ("Adadelta", {"lr": 1.0})]:
    opt = getattr(torch.optim, name)(model.parameters(), **kwargs)
    cycle = "betas" in opt.defaults  # Adagrad and Adadelta have no momentum to cycle
    train(opt, torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=5,
                                                   cycle_momentum=cycle), 5)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
train(opt, torch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0), 6, plateau=True)
weights = [p.detach().numpy().copy() for p in model.parameters()]
lbfgs = torch.optim.LBFGS(model.parameters(), history_size=5, max_iter=10,
                          line_search_fn="strong_wolfe")

def closure():
    lbfgs.zero_grad()
    loss = ((model(X) - Y) ** 2).mean()
    loss.backward()
    return loss

for _ in range(3):
    log.append(f"{lbfgs.step(closure):.10f}")
picks = torch.multinomial(torch.tensor([0.0, 1.0, 0.0]), 1).item()
torch.set_default_dtype(torch.float32)
'''


def _run(module):
    rng = np.random.default_rng(0)
    data = {"x": rng.standard_normal((16, 4)).tolist(), "y": rng.standard_normal((16, 1)).tolist(),
            "weights": [rng.standard_normal(s).tolist() for s in ((8, 4), (8,), (1, 8), (1,))]}
    scope = {"torch": module, "data": data}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecation notes of the cuda.amp spellings
        exec(compile(PROGRAM, "<program>", "exec"), scope)  # the test's own source
    return scope


@pytest.mark.skipif(torch.cuda.is_available() or autograd_core.cuda.is_available(),
                    reason="the program takes the CPU path")
def test_program_matches_torch():
    ours, theirs = _run(autograd_core), _run(torch)
    assert len(ours["log"]) == len(theirs["log"]) == 10 + 25 + 6 + 3
    a, b = np.array(ours["log"], dtype=float), np.array(theirs["log"], dtype=float)
    np.testing.assert_allclose(a[:-3], b[:-3], rtol=1e-8)
    # LBFGS's iterations amplify round-off (see tests/optim/test_optimizers_more.py): its
    # losses are compared loosely, and the weights before it
    np.testing.assert_allclose(a[-3:], b[-3:], rtol=1e-5)
    for a, b in zip(ours["weights"], theirs["weights"]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    assert ours["picks"] == theirs["picks"] == 1
