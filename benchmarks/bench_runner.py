"""Runner overhead: W2 recorded at `basic` through the worker process vs in one process.

    .venv/bin/python benchmarks/bench_runner.py [--iterations 200] [--repeats 6]

W2 is the engine benchmark's workload (batch 64, 784-256-10 MLP, ReLU, cross-entropy, SGD),
written here as a model script. "in-process" runs it under `trace.Recorder(stats="basic")`,
closing and building every capture (what a viewer in the same process would read);
"worker" runs the same script through `app.runner.Driver`, which streams every capture over
the pipe to a driver that only counts events. Blocks of each run alternately (both stay
loaded), and the table gives the median ms per iteration over the blocks, the worker's ratio
to in-process (target: at most 1.2x), events per second and bytes per iteration on the pipe.
Wall time on a shared machine swings with its load, so the table also gives CPU time per
iteration (from the kernel's per-thread run time, /proc/PID/task/TID/schedstat): the thread
that runs `step` (in-process: this one; worker: its main thread) and, for the worker, all its
threads. The worker's step thread encodes and sends each capture before the next iteration
starts (so a crash loses none); its sender thread ships the rest (status, output) in batches.
Both sides run numpy single-threaded.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy loads its BLAS (the worker inherits it)

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from _results import recorded  # noqa: E402

from app.runner import Driver  # noqa: E402
from app.runner import protocol as p  # noqa: E402
from app.runner.script import load  # noqa: E402
from autograd_core import hooks, trace  # noqa: E402

W2_SCRIPT = '''\
import numpy as np
import autograd_core as ag
import autograd_core.nn.functional as F
from autograd_core import nn, optim

ag.manual_seed(0)
rng = np.random.default_rng(0)
model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
optimizer = optim.SGD(model.parameters(), lr=0.01)
x = ag.tensor(rng.standard_normal((64, 784)).astype(np.float32))
y = ag.tensor(rng.integers(0, 10, 64))

def step(i):
    loss = F.cross_entropy(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss
'''


class InProcess:
    """The script recorded at basic in this process, captures built."""

    def __init__(self, path: str) -> None:
        self.script = load(path)
        self.rec = trace.Recorder(self.script.model, stats="basic", window=4, auto_split=False)
        self.i = 0

    def block(self, iterations: int) -> tuple[float, float]:
        """(wall seconds, CPU seconds of this thread) per iteration."""
        previous = hooks.set_observer(self.rec)
        try:
            t0, c0 = time.perf_counter(), time.thread_time()
            for _ in range(iterations):
                loss = float(self.script.step(self.i).item())
                if self.rec.next_iteration(loss) is not None:
                    self.rec.session[-1]  # build the records, as the worker does to send them
                self.i += 1
            return ((time.perf_counter() - t0) / iterations,
                    (time.thread_time() - c0) / iterations)
        finally:
            hooks.set_observer(previous)


class ThroughWorker:
    """The same script in a worker; the driver reads and counts every event."""

    def __init__(self, path: str) -> None:
        self.driver = Driver(path, record="basic")
        self.driver.start()
        _until(self.driver, lambda e: isinstance(e, p.Status) and e.state == p.IDLE)

    def block(self, iterations: int) -> tuple[float, ...]:
        """Per iteration: wall seconds, CPU seconds of the worker's main thread and of all
        its threads; then events per second and bytes per iteration."""
        pid = self.driver.process.pid
        bytes0 = self.driver.bytes_received
        main0, all0 = _cpu(pid)
        t0 = time.perf_counter()
        self.driver.run(iterations)
        count = _until(self.driver, lambda e: isinstance(e, p.Finished))
        elapsed = time.perf_counter() - t0
        main1, all1 = _cpu(pid)
        return (elapsed / iterations, (main1 - main0) / iterations,
                (all1 - all0) / iterations, count / elapsed,
                (self.driver.bytes_received - bytes0) / iterations)

    def close(self) -> None:
        self.driver.close()


def _cpu(pid: int) -> tuple[float, float]:
    """CPU seconds run so far by the process's main thread and by all its threads."""
    total, main = 0, 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            ns = int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # a thread that just ended
        total += ns
        if task.name == str(pid):
            main = ns
    return main / 1e9, total / 1e9


def _until(driver: Driver, done: object) -> int:
    """Read events until `done(event)`; returns how many were read (the driver only counts)."""
    count = 0
    while True:
        for event in driver.wait_events(1.0):
            count += 1
            if isinstance(event, p.Error | p.Died):
                raise RuntimeError(f"the worker failed: {event}")
            if done(event):  # type: ignore[operator]
                return count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200, help="iterations per block")
    parser.add_argument("--repeats", type=int, default=6, help="blocks of each variant")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "w2_mlp.py")
        Path(path).write_text(W2_SCRIPT)
        local, worker = InProcess(path), ThroughWorker(path)
        try:
            local.block(10)
            worker.block(10)  # warm both up
            locals_, results = [], []
            for _ in range(args.repeats):  # alternate blocks, so machine load hits both alike
                locals_.append(local.block(args.iterations))
                results.append(worker.block(args.iterations))
        finally:
            worker.close()
    _table([statistics.median(col) for col in zip(*locals_)],
           [statistics.median(col) for col in zip(*results)], args=args)


def _table(local: list[float], worker: list[float], *, args: argparse.Namespace) -> None:
    wall, cpu = local
    w_wall, w_main, w_all, rate, size = worker
    print(f"W2 (64x784-256-10 MLP, SGD), recording basic; median of {args.repeats} "
          f"alternating blocks of {args.iterations} iterations; {platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}")
    print("| variant | wall ms/iter | ratio | CPU ms/iter, step thread | ratio | "
          "CPU ms/iter, all threads | ratio | events/s | bytes/iter |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(f"| in-process (records built) | {wall * 1e3:.3f} | 1.00 | {cpu * 1e3:.3f} | 1.00 | "
          f"{cpu * 1e3:.3f} | 1.00 | - | - |")
    print(f"| worker -> pipe -> driver | {w_wall * 1e3:.3f} | {w_wall / wall:.2f} | "
          f"{w_main * 1e3:.3f} | {w_main / cpu:.2f} | {w_all * 1e3:.3f} | {w_all / cpu:.2f} | "
          f"{rate:.0f} | {size:.0f} |")
    ratio = w_wall / wall
    verdict = "ok" if ratio <= 1.2 else "OVER the 1.2x target"
    print(f"worker / in-process = {ratio:.2f} wall, {w_main / cpu:.2f} CPU of the step thread "
          f"(target <= 1.20): {verdict}")


if __name__ == "__main__":
    with recorded("runner"):
        main()
