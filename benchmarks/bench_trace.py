"""Trace overhead: the engine's step untraced vs recorded at levels off / basic / full.

    .venv/bin/python benchmarks/bench_trace.py [--only W2,W5] [--quick]

W2, W3 and W5 are the engine benchmark's workloads (benchmarks/bench_engine.py), run
single-threaded. The variants run interleaved (one step each in turn, the observer attached
only around its own step, closing one capture per step) and the table reports median step
times and their ratio to the untraced step, plus the host memory one captured iteration
holds at each level. A last check records 10,000 iterations into a bounded session.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy loads its BLAS

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_engine  # noqa: E402

import autograd_core as ag  # noqa: E402
from autograd_core import hooks, trace  # noqa: E402
from autograd_core.trace.session import approx_nbytes  # noqa: E402

LEVELS = ("off", "basic", "full")
ROUNDS = {"W2": 300, "W3": 20, "W5": 92}
LIMITS = {"W2": {"off": 1.10, "full": 1.5}, "W3": {"off": 1.02, "full": 1.10},
          "W5": {"off": 1.10}}


def measure(key: str, rounds: int, warmup: int = 5) -> dict[str, object]:
    step = bench_engine.WORKLOADS[key][1]()["ours"]
    recs: dict[str, trace.Recorder | None] = {"untraced": None}
    recs.update({lvl: trace.Recorder(stats=lvl, window=4) for lvl in LEVELS})
    times: dict[str, list[float]] = {name: [] for name in recs}
    clock = time.perf_counter
    for r in range(warmup + rounds):
        for name, rec in recs.items():
            hooks.set_observer(rec)
            t0 = clock()
            step(r)
            if rec is not None:
                rec.next_iteration()
            dt = clock() - t0
            hooks.set_observer(None)
            if r >= warmup:
                times[name].append(dt)
    med = {name: statistics.median(ts) for name, ts in times.items()}
    memory = {lvl: approx_nbytes(rec.captures[-1]) for lvl, rec in recs.items() if rec}
    return {"median": med, "memory": memory}


def window_check(n: int = 10_000, window: int = 100) -> tuple[int, int, int]:
    """Record n tiny iterations; returns (captures kept, dropped, session bytes)."""
    w = ag.randn(8, 8, requires_grad=True)
    x = ag.randn(4, 8)
    with trace.record(stats="full", window=window) as rec:
        for _ in range(n):
            (x @ w).tanh().sum().backward()
            rec.next_iteration()
    return len(rec.session), rec.session.dropped, approx_nbytes(rec.session.captures)


def _row(key: str, result: dict) -> str:
    med = result["median"]
    base = med["untraced"]
    cells = [f"{base * 1e3:.2f}"]
    for lvl in LEVELS:
        ratio = med[lvl] / base
        limit = LIMITS[key].get(lvl)
        mark = "" if limit is None else (" ✓" if ratio <= limit else f" ✗ (≤{limit})")
        cells.append(f"{ratio:.3f}x{mark}")
    cells += [f"{result['memory'][lvl] / 1024:.1f}" for lvl in LEVELS]
    return f"| {key} | " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="W2,W3,W5")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    keys = args.only.split(",")
    print("| workload | untraced ms/step | off | basic | full | KiB/capture off | basic | full |")
    print("|---|---|---|---|---|---|---|---|")
    for key in keys:
        rounds = max(ROUNDS[key] // 10, 5) if args.quick else ROUNDS[key]
        print(_row(key, measure(key, rounds)), flush=True)
    kept, dropped, nbytes = window_check(1000 if args.quick else 10_000)
    print(f"\n{kept + dropped} iterations recorded with window=100: {kept} kept, "
          f"{dropped} dropped, {nbytes / 2**20:.2f} MiB held")


if __name__ == "__main__":
    main()


