"""Session files: time and memory of `trace.load` (lazy) and of reading every capture.

    .venv/bin/python benchmarks/bench_store.py [--captures 20000] [--skip-hostile]

1. A long recording: real captures of resources/examples/spiral_mlp.py at level `basic`
   (200 recorded iterations, cycled) streamed into one file with SessionWriter.
2. The worst files the hostile tests make (a stored flood of `{}`, an .npz of 200,000
   one-value arrays), and 2 MB of large repetitive captures (each
   3,000 identical layers, the most repetitive real capture measured: ratio 8.6).
Each file is measured in fresh processes: wall time and the growth of peak RSS (untraced
run), peak memory allocated (tracemalloc, a second run), of `load` and then of `load` plus
reading every capture once.
"""

from __future__ import annotations

import argparse
import json
import runpy
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from _results import recorded

ROOT = Path(__file__).resolve().parent.parent

MEASURE = r"""
import json, sys, time, tracemalloc
from autograd_core import trace
path, read_all, traced = sys.argv[1], sys.argv[2] == "all", sys.argv[3] == "traced"
def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1])
rss0 = status("VmRSS:")
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak (VmHWM) to the current RSS: imports are not counted
if traced:  # tracemalloc slows allocation-heavy code: times come from an untraced run
    tracemalloc.start()
t0 = time.perf_counter()
error = None
try:
    s = trace.load(path)
    n = len(s)
    if read_all:
        for i in range(n):
            s[i]
except trace.SessionFormatError as exc:
    error = str(exc)[:120]
    n = 0
dt = time.perf_counter() - t0
peak = tracemalloc.get_traced_memory()[1] if traced else 0
rss = status("VmHWM:") - rss0
print(json.dumps({"seconds": dt, "peak": peak, "rss_kb": rss, "captures": n, "error": error}))
"""


def measure(path: Path, read_all: bool) -> dict:
    """Seconds and RSS growth from a plain run, peak allocations from a traced one."""
    runs = []
    for traced in ("plain", "traced"):
        out = subprocess.run([sys.executable, "-c", MEASURE, str(path),
                              "all" if read_all else "load", traced],
                             capture_output=True, text=True, cwd=ROOT, check=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {**runs[0], "peak": runs[1]["peak"]}


def report(name: str, path: Path) -> None:
    size = path.stat().st_size
    for read_all in (False, True):
        r = measure(path, read_all)
        what = "load + read all" if read_all else "load"
        result = f"refused ({r['error']})" if r["error"] else f"{r['captures']} captures"
        print(f"{name:28s} {size / 2**20:8.2f} MB  {what:16s} {r['seconds']:7.3f} s  "
              f"peak {r['peak'] / 2**20:8.1f} MiB ({r['peak'] / size:5.2f}x file)  "
              f"peak RSS +{r['rss_kb'] / 1024:7.1f} MiB  {result}")


def long_recording(folder: Path, n: int) -> Path:
    from autograd_core import trace

    script = runpy.run_path(str(ROOT / "resources/examples/spiral_mlp.py"))
    with trace.record(script["model"], stats="basic") as rec:
        step = rec.wrap(script["step"])
        for i in range(200):
            step(i)
    caps = rec.captures
    path = folder / "long.gscope"
    t0 = time.perf_counter()
    with trace.SessionWriter(path, script="spiral_mlp.py", window=n) as w:
        for i in range(n):
            w.add(caps[i % len(caps)])
    print(f"wrote {n} captures in {time.perf_counter() - t0:.1f} s "
          f"({path.stat().st_size / 2**20:.1f} MB)")
    return path


def hostile_files(folder: Path) -> dict[str, Path]:
    from autograd_core import trace

    with trace.record(stats="basic") as rec:
        import autograd_core as ag

        x = ag.ones(2, 3, requires_grad=True)
        (x * 2).sum().backward()
        rec.next_iteration()
    base = folder / "base.gscope"
    trace.save(rec.session, base)
    with zipfile.ZipFile(base) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    out = {}
    flood = dict(members)
    flood["captures/000000.json"] = b"[" + b"{}," * (8 * 2**20) + b"{}]"
    out["flood of {} (stored)"] = _zip(folder / "flood.gscope", flood, zipfile.ZIP_STORED)
    npy = b"\x93NUMPY\x01\x00v\x00" + b"{'descr': '<f4', 'fortran_order': False, " \
        b"'shape': (1, 1), }".ljust(117) + b"\n" + bytes(4)
    arrays = folder / "arrays.npz"
    with zipfile.ZipFile(arrays, "w", zipfile.ZIP_STORED) as inner:
        for i in range(200_000):
            inner.writestr(f"a{i}.npy", npy)
    many = dict(members)
    many["captures/000000.npz"] = arrays.read_bytes()
    out["200,000 tiny arrays"] = _zip(folder / "arrays.gscope", many, zipfile.ZIP_STORED)
    out["2 MB of 3,000-layer captures"] = _repeated_layers(folder)
    return out


def _repeated_layers(folder: Path) -> Path:
    """One capture of many identical layers: the most JSON a 2 MB file can carry."""
    import autograd_core as ag
    from autograd_core import nn, trace

    layers = nn.Sequential(*[nn.Tanh() for _ in range(3000)])
    with trace.record(layers, stats="basic") as rec:
        layers(ag.ones(1, 1, requires_grad=True)).sum().backward()
        rec.next_iteration()
    path = folder / "ratio.gscope"
    with trace.SessionWriter(path) as w:
        while True:
            w.add(rec.captures[0])
            w._file.flush()
            if w.partial_path.stat().st_size > 2 * 2**20:
                break
    return path


def _zip(path: Path, members: dict, method: int) -> Path:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--captures", type=int, default=20_000)
    parser.add_argument("--skip-hostile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        report(f"{args.captures} captures (basic)", long_recording(folder, args.captures))
        if not args.skip_hostile:
            for name, path in hostile_files(folder).items():
                report(name, path)


if __name__ == "__main__":
    with recorded("store"):
        main()
