"""Micro-benchmarks of the conv/pool kernels against PyTorch eager CPU, single-threaded.

Run: OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_conv.py   (prints medians in ms)
Timings are interleaved (engine, torch, engine, ...) so machine noise hits both alike, and
they are this thread's CPU time (user + system, page faults included), not wall time, so
other processes on a shared machine do not inflate them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import torch
from _results import recorded

import autograd_core as ag
from autograd_core.ops.conv import conv2d

torch.set_num_threads(1)


def interleaved(fns: dict[str, Callable[[], object]], reps: int = 200) -> dict[str, float]:
    """Median milliseconds of each callable, run round-robin."""
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(10):
        for f in fns.values():
            f()
    for _ in range(reps):
        for k, f in fns.items():
            t = time.thread_time()
            f()
            times[k].append(time.thread_time() - t)
    return {k: float(np.median(v)) * 1e3 for k, v in times.items()}


def conv_case(n: int, c: int, o: int, h: int, x_grad: bool) -> dict[str, float]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, c, h, h), dtype=np.float32)
    w = rng.standard_normal((o, c, 3, 3), dtype=np.float32)
    b = rng.standard_normal(o, dtype=np.float32)
    ax, aw, ab = ag.tensor(x, requires_grad=x_grad), ag.tensor(w, requires_grad=True), \
        ag.tensor(b, requires_grad=True)
    tx, tw, tb = torch.tensor(x, requires_grad=x_grad), torch.tensor(w, requires_grad=True), \
        torch.tensor(b, requires_grad=True)
    g = rng.standard_normal((n, o, h, h), dtype=np.float32)
    ag_g, t_g = ag.tensor(g), torch.tensor(g)

    def engine() -> None:
        conv2d(ax, aw, ab, padding=1).backward(ag_g)

    def reference() -> None:
        torch.nn.functional.conv2d(tx, tw, tb, padding=1).backward(t_g)

    return interleaved({"engine": engine, "torch": reference})


def main() -> None:
    for n, c, o, h, xg in [(32, 1, 8, 28, False), (32, 8, 16, 14, True)]:
        r = conv_case(n, c, o, h, xg)
        print(f"conv2d fwd+bwd N={n} {c}->{o} {h}x{h}: engine {r['engine']:.3f} ms, "
              f"torch {r['torch']:.3f} ms")
    for name, fn in (("W4 CNN step", w4_steps), ("W5 RNNCell step", w5_steps)):
        r = fn()
        print(f"{name}: engine {r['engine']:.3f} ms, torch {r['torch']:.3f} ms")



def w4_steps() -> dict[str, float]:
    """W4: small CNN on 32x1x28x28, cross-entropy, SGD; one full training step each."""
    from autograd_core import nn, optim

    ag.manual_seed(0)
    m = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                      nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                      nn.Linear(16 * 49, 10))
    tm = torch.nn.Sequential(
        torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(8, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(16 * 49, 10))
    opt, topt = optim.SGD(m.parameters(), lr=0.01), torch.optim.SGD(tm.parameters(), lr=0.01)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, 32)
    ax, ay, tx, ty = ag.tensor(x), ag.tensor(y), torch.tensor(x), torch.tensor(y)

    def engine() -> None:
        loss = ag.nn.functional.cross_entropy(m(ax), ay)
        opt.zero_grad()
        loss.backward()
        opt.step()

    def reference() -> None:
        loss = torch.nn.functional.cross_entropy(tm(tx), ty)
        topt.zero_grad()
        loss.backward()
        topt.step()

    return interleaved({"engine": engine, "torch": reference})


def w5_steps() -> dict[str, float]:
    """W5: tanh RNNCell (32 -> 128, batch 16) over sequences of 5..50 steps, mean(h^2), SGD."""
    from autograd_core import nn, optim

    cell, tcell = nn.RNNCell(32, 128), torch.nn.RNNCell(32, 128)
    opt, topt = optim.SGD(cell.parameters(), lr=0.01), torch.optim.SGD(tcell.parameters(),
                                                                       lr=0.01)
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((50, 16, 32), dtype=np.float32)
    ax, tx = ag.tensor(xs), torch.tensor(xs)
    lengths = iter(range(10**9))

    def run(mod: Any, x: Any, o: Any, lib: Any, t: int) -> None:
        h = None
        for i in range(t):
            h = mod(x[i], h)
        loss = (h * h).mean()
        o.zero_grad()
        loss.backward()
        o.step()

    state = {"t": 5}

    def engine() -> None:
        state["t"] = 5 + next(lengths) % 46
        run(cell, ax, opt, ag, state["t"])

    def reference() -> None:
        run(tcell, tx, topt, torch, state["t"])

    return interleaved({"engine": engine, "torch": reference}, reps=200)


if __name__ == "__main__":
    with recorded("conv"):
        main()
