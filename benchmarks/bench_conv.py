"""Micro-benchmarks of the conv/pool kernels against PyTorch eager CPU, single-threaded.

Run: OMP_NUM_THREADS=1 .venv/bin/python benchmarks/bench_conv.py   (prints medians in ms)
Timings are interleaved (engine, torch, engine, ...) so machine noise hits both alike.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import numpy as np
import torch

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
            t = time.perf_counter()
            f()
            times[k].append(time.perf_counter() - t)
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


if __name__ == "__main__":
    main()
