"""The remote worker: over ssh to localhost (a private sshd) vs the local worker.

    .venv/bin/python benchmarks/bench_remote.py [--iterations 100] [--repeats 3]

For the default example (`gradscope` with no argument opens resources/examples/spiral_mlp.py)
recorded at `basic` and at `full`, each variant runs `--iterations` iterations per block
(median over `--repeats` alternating blocks) and reads every event as the window would:
wall ms per iteration, events per second, bytes per iteration on the link (as received: a
remote frame over 64 KiB travels deflated), and the latency of a capture from the end of its
iteration in the worker (its `wall_time` plus its active duration, `time.time()` on the
worker's clock: the same clock, as the host is this machine) to the event's arrival in the
driver: building and encoding the capture, the link, and the driver's read.
"ssh" is `ssh -T` to 127.0.0.1 through a private sshd on a loopback port (generated keys,
see tests/remote/sshd.py); without sshd the remote rows are skipped with the reason.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy loads its BLAS (the worker inherits it)

import argparse  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's `app`, and the tests' private sshd

from _results import recorded  # noqa: E402

from app.runner import Driver, RemoteTarget  # noqa: E402
from app.runner import protocol as p  # noqa: E402
from tests.remote.sshd import PrivateSshd, SshdUnavailableError  # noqa: E402

EXAMPLE = ROOT / "resources" / "examples" / "spiral_mlp.py"


class Variant:
    """One worker (local, or over ssh) recording the example at `level`."""

    def __init__(self, level: str, remote: RemoteTarget | None) -> None:
        self.driver = Driver(str(EXAMPLE), record=level, remote=remote)
        self.driver.start()
        # Loaded, then idle: one wait (events after the match in its batch are dropped)
        self._until(lambda e: isinstance(e, p.Status) and e.state == p.IDLE, [])

    def block(self, iterations: int) -> tuple[float, float, float, float]:
        """(ms/iteration, events/s, bytes/iteration, median capture latency in ms)."""
        bytes0 = self.driver.bytes_received
        latencies: list[float] = []
        t0 = time.perf_counter()
        self.driver.run(iterations)
        count = self._until(lambda e: isinstance(e, p.Finished), latencies)
        elapsed = time.perf_counter() - t0
        return (elapsed / iterations * 1e3, count / elapsed,
                (self.driver.bytes_received - bytes0) / iterations,
                statistics.median(latencies) * 1e3 if latencies else float("nan"))

    def _until(self, done: object, latencies: list[float]) -> int:
        count = 0
        while True:
            events = self.driver.wait_events(1.0)
            now = time.time()
            for event in events:
                count += 1
                if isinstance(event, p.Error | p.Died | p.LinkLost):
                    raise RuntimeError(f"the worker failed: {event}")
                if isinstance(event, p.Captured):
                    cap = event.capture  # decoded, as a window showing it would
                    latencies.append(now - (cap.wall_time + cap.duration_ns / 1e9))
                if done(event):  # type: ignore[operator]
                    return count

    def close(self) -> None:
        self.driver.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=100, help="iterations per block")
    parser.add_argument("--repeats", type=int, default=3, help="blocks of each variant")
    args = parser.parse_args(argv)
    server = PrivateSshd()
    try:
        server.start()
        target: RemoteTarget | None = RemoteTarget.parse(
            server.destination, server.options, f"env PYTHONPATH={ROOT} {sys.executable}")
    except (SshdUnavailableError, OSError) as exc:
        print(f"skipping the ssh rows: {exc}")
        target = None
    rows = []
    try:
        for level in ("basic", "full"):
            variants = {"local": Variant(level, None)}
            if target is not None:
                variants["ssh localhost"] = Variant(level, target)
            try:
                results: dict[str, list] = {name: [] for name in variants}
                for v in variants.values():
                    v.block(5)  # warm up
                for _ in range(args.repeats):  # alternate: machine load hits both alike
                    for name, v in variants.items():
                        results[name].append(v.block(args.iterations))
            finally:
                for v in variants.values():
                    v.close()
            for name, blocks in results.items():
                rows.append((level, name, [statistics.median(c) for c in zip(*blocks)]))
    finally:
        server.stop()
    print(f"spiral_mlp (the default example), median of {args.repeats} alternating blocks of "
          f"{args.iterations} iterations; {platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}")
    print("| level | worker | ms/iter | events/s | bytes/iter | capture latency ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for level, name, (ms, rate, size, latency) in rows:
        print(f"| {level} | {name} | {ms:.2f} | {rate:.0f} | {size:.0f} | {latency:.2f} |")


if __name__ == "__main__":
    with recorded("remote"):
        main()
