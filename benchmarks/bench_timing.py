"""Honest times: op times captured in step mode vs a free run, and BLAS threads vs ms/step.

    .venv/bin/python benchmarks/bench_timing.py [--iterations 100] [--repeats 5] [--load N]

Rows run the default example (resources/examples/spiral_mlp.py; step mode also a 512x256 MLP
with millisecond ops) through a real worker (`app.runner.Driver`, recording `basic`, as the
window does).

Step mode: the user steps through every forward op of an iteration, pausing `--pause` seconds
at each; the captured op times (each op's own execution) and the iteration's duration (its
active time) are compared with the median of the same ops over free-running iterations
(target: ratio <= 1.2). Before pauses were left out, the duration grew by every pause.

Threads: wall ms/step over a `Run(n)` block (events read as they come) with the default thread
setting (1) against 0 (the BLAS library's default: one thread per core), in alternating blocks
so machine load hits both alike. `--load N` starts N busy-looping processes for the run, to
show what a machine busy with other work (a browser, a build, other helpers) does to a pool.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from _results import recorded

from app.runner import Driver
from app.runner import protocol as p
from app.runner.threads import DEFAULT_THREADS

EXAMPLE = Path(__file__).resolve().parent.parent / "resources" / "examples" / "spiral_mlp.py"
# Millisecond ops (the step-mode test's model): the cold-cache penalty after a pause is a few
# tens of microseconds per op, so it matters for the example's ~20 µs ops, not for these.
MATMULS = """\
import autograd_core as ag
from autograd_core import nn
model = nn.Sequential(nn.Linear(256, 256), nn.Tanh(), nn.Linear(256, 256), nn.Tanh(),
                      nn.Linear(256, 1))
x = ag.randn(512, 256)

def step(i):
    loss = model(x).pow(2).mean()
    loss.backward()
    return loss
"""


class Worker:
    """A driver plus a small event buffer (events of one read may match different waits)."""

    def __init__(self, threads: int, path: Path = EXAMPLE) -> None:
        self.driver = Driver(str(path), record="basic", threads=threads)
        self.driver.start()
        self._buffer: list[Any] = []
        self.wait(lambda e: isinstance(e, p.Loaded))

    def wait(self, match: Any, timeout: float = 120.0) -> Any:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if not self._buffer:
                self._buffer.extend(self.driver.wait_events(0.5))
            while self._buffer:
                event = self._buffer.pop(0)
                if isinstance(event, p.Error | p.Died):
                    raise RuntimeError(f"the worker failed: {event}")
                if match(event):
                    return event
        raise TimeoutError("the worker did not answer")

    def captures(self, n: int) -> list[Any]:
        self.driver.run(n)
        out = [self.wait(lambda e: isinstance(e, p.Captured)).capture for _ in range(n)]
        self.wait(lambda e: isinstance(e, p.Finished))
        return out

    def ms_per_step(self, n: int) -> float:
        """Wall ms per iteration over a Run(n), as the user waits for it."""
        t0 = time.perf_counter()
        self.driver.run(n)
        self.wait(lambda e: isinstance(e, p.Finished))
        return (time.perf_counter() - t0) * 1e3 / n

    def stepped(self, pause: float) -> Any:
        """One iteration stepped through its forward ops, `pause` seconds at each."""
        self.driver.step_forward()
        while True:
            event = self.wait(lambda e: isinstance(e, p.Stepped | p.Captured))
            if isinstance(event, p.Captured):
                self.wait(lambda e: isinstance(e, p.Finished))
                return event.capture
            time.sleep(pause)  # the user reading the op
            if event.phase == "forward":
                self.driver.step_forward()
            else:  # the forward pass is done: let the rest run freely
                self.driver.finish_iteration()

    def close(self) -> None:
        self.driver.close()


def step_mode(args: argparse.Namespace, path: Path = EXAMPLE) -> tuple[float, float]:
    """(op time ratio, duration ratio) of stepped iterations against free ones."""
    worker = Worker(DEFAULT_THREADS, path)
    try:
        worker.captures(20)  # warm-up
        op_ratios, duration_ratios = [], []
        for _ in range(args.repeats):
            free = worker.captures(args.iterations // 5 or 1)
            stepped = worker.stepped(args.pause)
            forward = [n for n in stepped.ops() if n.phase == "forward"]
            mine = sum(n.time_ns for n in forward)
            theirs = sum(statistics.median(_time_of(c, n.key) for c in free) for n in forward)
            op_ratios.append(mine / theirs)
            duration_ratios.append(stepped.duration_ns /
                                   statistics.median(c.duration_ns for c in free))
    finally:
        worker.close()
    return statistics.median(op_ratios), statistics.median(duration_ratios)


def _time_of(capture: Any, key: str) -> int:
    node = capture.node_by_key(key)
    return node.time_ns if node is not None else 0


def threads(args: argparse.Namespace) -> dict[int, float]:
    """Median ms/step per thread setting, over alternating blocks."""
    workers = {n: Worker(n) for n in (DEFAULT_THREADS, 0)}
    try:
        for w in workers.values():
            w.ms_per_step(20)  # warm-up
        blocks: dict[int, list[float]] = {n: [] for n in workers}
        for _ in range(args.repeats):
            for n, w in workers.items():
                blocks[n].append(w.ms_per_step(args.iterations))
    finally:
        for w in workers.values():
            w.close()
    return {n: statistics.median(b) for n, b in blocks.items()}


def _spin() -> None:
    while True:
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=100, help="iterations per block")
    parser.add_argument("--repeats", type=int, default=5, help="blocks (stepped iterations)")
    parser.add_argument("--pause", type=float, default=0.5, help="seconds paused per step")
    parser.add_argument("--load", type=int, default=0, help="busy processes during the run")
    args = parser.parse_args(argv)
    spinners = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(args.load)]
    for s in spinners:
        s.start()
    try:
        example = step_mode(args)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "matmuls.py"
            path.write_text(MATMULS)
            matmuls = step_mode(args, path)
        ms = threads(args)
    finally:
        for s in spinners:
            s.kill()
            s.join()
    _table(args, {"default example": example, "512x256 MLP (ms ops)": matmuls}, ms)


def _table(args: argparse.Namespace, ratios: dict[str, tuple[float, float]],
           ms: dict[int, float]) -> None:
    load = os.getloadavg()[0]
    print(f"recording basic, through the worker; "
          f"{platform.machine()}, {os.cpu_count()} CPUs, {args.load} busy processes added, "
          f"load average {load:.1f}; medians of {args.repeats}")
    print("| measure | value | target |")
    print("| --- | ---: | ---: |")
    for name, (op_ratio, duration_ratio) in ratios.items():
        print(f"| {name}: forward op time, stepped ({args.pause:g} s pauses) / free run | "
              f"{op_ratio:.2f} | <= 1.2 |")
        print(f"| {name}: iteration duration, stepped / free run | {duration_ratio:.2f} | "
              "<= 1.2 |")
    print(f"| ms/step, threads {DEFAULT_THREADS} (default) | {ms[DEFAULT_THREADS]:.2f} | - |")
    print(f"| ms/step, threads 0 (library default, {os.cpu_count()} on this machine) | "
          f"{ms[0]:.2f} | - |")


if __name__ == "__main__":
    with recorded("timing"):
        main()
