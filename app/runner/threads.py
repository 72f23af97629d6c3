"""The worker's BLAS/OpenMP thread setting: environment variables set before numpy loads.

One thread is the default. Our ops are small (a layer of a few hundred units): a thread pool
costs more to wake than the work it splits, and on a busy machine its threads wait for cores.
Measured on the shared 2-core VM (benchmarks/bench_timing.py, default example, recording
basic, through the worker), one thread against OpenBLAS's default (one per core): at load
about 1.4, 1.03 vs 1.09 ms/step in one run and 1.38 vs 4.05 in another; with two busy
processes added (load 2.3-2.5), 1.59 vs 10.74 and 1.80 vs 15.84. One thread is never slower
here, and the pool's cost grows with whatever else the machine runs.
Large models on an idle many-core machine can ask for more (`Driver(threads=N)`, `gradscope
record --threads N`); 0 leaves the libraries' own default (one thread per core, or what the
environment's OMP_NUM_THREADS / OPENBLAS_NUM_THREADS say).
"""

from __future__ import annotations

import os

DEFAULT_THREADS = 1
# Every pool numpy, SciPy and their BLAS builds read; OpenBLAS reads its own first.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


def thread_env(env: dict[str, str], threads: int) -> dict[str, str]:
    """`env` with the thread variables set to `threads` (0: left as they are)."""
    if threads < 0:
        raise ValueError(f"threads must be 0 (the libraries' default) or more, not {threads}")
    out = dict(env)
    if threads:
        out.update({name: str(threads) for name in THREAD_VARIABLES})
    return out


def effective_threads(setting: int) -> int:
    """The threads ops run with: the setting, or for 0 what OpenBLAS/OpenMP will take (the
    environment's count, else one per core this process may use)."""
    if setting > 0:
        return setting
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(name, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
