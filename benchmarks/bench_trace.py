"""Trace overhead: the engine's step untraced vs recorded at levels off / basic / full.

    .venv/bin/python benchmarks/bench_trace.py [--only W2,W5] [--quick] [--rounds N]

W2, W3 and W5 are the engine benchmark's workloads (benchmarks/bench_engine.py), run
single-threaded in one process. Each round runs one step of every variant back to back
(untraced, off, basic, full; the order rotates each round so no variant always follows the
same one), the observer attached only around its own step, one capture closed per step. A
variant's ratio in a round is its time over the untraced step of the same round; the table
reports the median of those per-round ratios and their spread (25th-75th percentile), for
thread CPU time (little disturbed by other processes on a shared machine) and wall time.
Then the host memory one captured iteration holds at each level, and the CPU time to build
its records when it is first read (the GUI or the runner reads each capture once; that cost is
not in the step). A last check records 10,000 iterations into a bounded session.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy loads its BLAS

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import bench_engine  # noqa: E402
from _results import recorded  # noqa: E402

import autograd_core as ag  # noqa: E402
from autograd_core import hooks, trace  # noqa: E402
from autograd_core.trace.session import approx_nbytes  # noqa: E402

LEVELS = ("off", "basic", "full")
ROUNDS = {"W2": 600, "W3": 40, "W5": 276}  # W5: six cycles of sequence lengths 5..50
WARMUP = {"W2": 20, "W3": 3, "W5": 46}
LIMITS = {"W2": {"off": 1.10, "full": 1.5}, "W3": {"off": 1.02, "full": 1.10},
          "W5": {"off": 1.10}}


def measure(key: str, rounds: int, warmup: int) -> dict[str, object]:
    """Per-round ratios (CPU and wall) of each level to the untraced step."""
    step = bench_engine.WORKLOADS[key][1]()["ours"]
    recs: list[tuple[str, trace.Recorder | None]] = [("untraced", None)]
    recs += [(lvl, trace.Recorder(stats=lvl, window=4)) for lvl in LEVELS]
    cpu: dict[str, list[int]] = {name: [] for name, _ in recs}
    wall: dict[str, list[int]] = {name: [] for name, _ in recs}
    for r in range(warmup + rounds):
        k = r % len(recs)
        for name, rec in recs[k:] + recs[:k]:
            hooks.set_observer(rec)
            c0, w0 = time.thread_time_ns(), time.perf_counter_ns()
            step(r)
            if rec is not None:
                rec.next_iteration()
            w1, c1 = time.perf_counter_ns(), time.thread_time_ns()
            hooks.set_observer(None)
            if r >= warmup:
                cpu[name].append(c1 - c0)
                wall[name].append(w1 - w0)
    build = {lvl: _build_ms(rec) for lvl, rec in recs if rec}
    memory = {lvl: approx_nbytes(rec.captures[-1]) for lvl, rec in recs if rec}
    return {"cpu": _ratios(cpu), "wall": _ratios(wall), "memory": memory, "build": build,
            "base_ms": statistics.median(cpu["untraced"]) / 1e6}


def _build_ms(rec: trace.Recorder) -> float:
    """Median CPU ms to build a capture's records on first read (not part of the step)."""
    times = []
    for i in range(len(rec.session)):
        c0 = time.thread_time_ns()
        rec.session[i]
        times.append(time.thread_time_ns() - c0)
    return statistics.median(times) / 1e6


def _ratios(times: dict[str, list[int]]) -> dict[str, tuple[float, float, float]]:
    """level -> (median, 25th, 75th percentile) of the per-round ratio to untraced."""
    base = times["untraced"]
    out = {}
    for lvl in LEVELS:
        ratios = [t / b for t, b in zip(times[lvl], base, strict=True)]
        q = statistics.quantiles(ratios, n=4)
        out[lvl] = (statistics.median(ratios), q[0], q[2])
    return out


def window_check(n: int = 10_000, window: int = 100) -> tuple[int, int, int]:
    """Record n tiny iterations; returns (captures kept, dropped, session bytes)."""
    w = ag.randn(8, 8, requires_grad=True)
    x = ag.randn(4, 8)
    with trace.record(stats="full", window=window) as rec:
        for _ in range(n):
            (x @ w).tanh().sum().backward()
            rec.next_iteration()
    return len(rec.session), rec.session.dropped, approx_nbytes(rec.session.captures)


def _cell(key: str, lvl: str, stat: tuple[float, float, float], mark: bool) -> str:
    med, lo, hi = stat
    limit = LIMITS[key].get(lvl)
    flag = "" if limit is None or not mark else (" ✓" if med <= limit else f" ✗ (≤{limit})")
    return f"{med:.3f}x [{lo:.2f}-{hi:.2f}]{flag}"


def _row(key: str, result: dict) -> str:
    cells = [f"{result['base_ms']:.2f}"]
    cells += [_cell(key, lvl, result["cpu"][lvl], True) for lvl in LEVELS]
    cells += [_cell(key, lvl, result["wall"][lvl], False) for lvl in LEVELS]
    cells += [f"{result['memory'][lvl] / 1024:.1f}" for lvl in LEVELS]
    cells += [f"{result['build'][lvl]:.2f}" for lvl in LEVELS]
    return f"| {key} | " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="W2,W3,W5")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=float, default=1.0, help="scale the round counts")
    args = parser.parse_args(argv)
    print("Ratios to the untraced step: median of per-round ratios [25th-75th percentile].")
    print("| workload | untraced CPU ms/step | CPU off | CPU basic | CPU full | wall off | "
          "wall basic | wall full | KiB/capture off | basic | full | read ms/capture off | "
          "basic | full |")
    print("|---" * 14 + "|")
    for key in args.only.split(","):
        rounds = max(int(ROUNDS[key] * args.rounds), 8)
        if args.quick:
            rounds = max(rounds // 10, 8)
        print(_row(key, measure(key, rounds, WARMUP[key])), flush=True)
    kept, dropped, nbytes = window_check(1000 if args.quick else 10_000)
    print(f"\n{kept + dropped} iterations recorded with window=100: {kept} kept, "
          f"{dropped} dropped, {nbytes / 2**20:.2f} MiB held")


if __name__ == "__main__":
    with recorded("trace"):
        main()
