"""GPU benchmark: our engine on CuPy vs PyTorch CUDA eager vs hand-written CuPy (issue 7).

    PYTHONPATH=. python benchmarks/bench_gpu.py            # on a GPU machine; prints one table
    PYTHONPATH=. python benchmarks/bench_gpu.py --smoke    # CPU smoke run of the same code

W1 per-op cost (200 chained ops on (8,)), W2 784-256-10 MLP (batch 64), W3 1024-1024-1024-10
(batch 512), W5 tanh RNNCell (32->128, batch 16, lengths cycling 5..50), W6 4096-4096-4096-10
(batch 4096), all float32 with TF32 off, SGD, in one process. Each figure is the median of
synchronised per-step wall times (W5: per-step mean over whole length cycles, medianed).
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np
from _results import recorded

import autograd_core as ag

LR = 0.01
MLPS = {"W2": (64, [784, 256, 10]), "W3": (512, [1024, 1024, 1024, 10]),
        "W6": (4096, [4096, 4096, 4096, 10])}
TARGETS = {"W2": 1.0, "W3": 1.0, "W5": 1.0, "W6": 1.0}  # ours / PyTorch CUDA, at most


def median_ms(step: Callable[[], Any], sync: Callable[[], None], warmup: int,
              iters: int) -> float:
    """Median wall time of one synchronised call of `step`, in ms."""
    for _ in range(warmup):
        step()
    sync()
    times = []
    for _ in range(iters):
        t0 = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - t0)
    return 1e3 * statistics.median(times)


def interleaved_ms(steps: dict[str, Callable[[], Any]], sync: Callable[[], None], warmup: int,
                   iters: int, rounds: int = 5) -> dict[str, float]:
    """Median ms of one synchronised step per implementation, timed in interleaved rounds
    (rotating the order) so a burst of noise on the shared host hits every implementation.
    An implementation that raises is dropped from the row and reported."""
    for key, step in list(steps.items()):
        try:
            for _ in range(warmup):
                step()
        except Exception:
            traceback.print_exc()
            del steps[key]
    sync()
    times: dict[str, list[float]] = {k: [] for k in steps}
    keys = list(steps)
    for r in range(rounds):
        for key in keys[r % len(keys):] + keys[:r % len(keys)]:
            for _ in range(max(1, iters // rounds)):
                t0 = time.perf_counter()
                steps[key]()
                sync()
                times[key].append(time.perf_counter() - t0)
    return {k: 1e3 * statistics.median(v) for k, v in times.items()}


# ------------------------------------------------------------------ W1: per-op cost
def w1(lib: Any, dev: str) -> Callable[[], Any]:
    """W1 through `lib`: autograd_core or torch (the same code runs on both)."""
    x0 = lib.randn(8, device=dev, requires_grad=True)
    a, b = lib.full((8,), 0.9, device=dev), lib.full((8,), 0.1, device=dev)

    def step() -> None:
        x = x0
        for _ in range(100):
            x = (x * a + b).tanh()  # multiply-add, then tanh: 200 ops of the chain
        x0.grad = None
        x.sum().backward()
    return step


def w1_hand(xp: Any) -> Callable[[], Any]:
    x0 = xp.asarray(np.random.default_rng(0).standard_normal(8).astype(np.float32))
    a, b = xp.full((8,), 0.9, dtype=xp.float32), xp.full((8,), 0.1, dtype=xp.float32)

    def step() -> None:
        x, ys = x0, []
        for _ in range(100):
            x = xp.tanh(x * a + b)
            ys.append(x)
        g = xp.ones_like(x)
        for y in reversed(ys):
            g = g * (1 - y * y) * a
    return step


# ------------------------------------------------------------------ MLPs (W2, W3, W6)
def _mlp_data(batch: int, sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return (rng.standard_normal((batch, sizes[0])).astype(np.float32),
            rng.integers(0, sizes[-1], batch))


def mlp(lib: Any, batch: int, sizes: list[int], dev: str) -> Callable[[], Any]:
    """An MLP step through `lib`: autograd_core or torch (the same code runs on both)."""
    layers: list[Any] = []
    for i, (m, n) in enumerate(itertools.pairwise(sizes)):
        layers += [lib.nn.Linear(m, n)] + ([lib.nn.ReLU()] if i < len(sizes) - 2 else [])
    model = lib.nn.Sequential(*layers).to(dev)
    opt = lib.optim.SGD(model.parameters(), lr=LR)
    xs, ys = _mlp_data(batch, sizes)
    x, y = lib.tensor(xs, device=dev), lib.tensor(ys, device=dev)

    def step() -> None:
        loss = lib.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def mlp_hand(xp: Any, batch: int, sizes: list[int]) -> Callable[[], Any]:
    """The same math by hand: x@W.T+b, relu, softmax cross-entropy, backward, SGD."""
    rng = np.random.default_rng(0)
    ws = [xp.asarray((rng.standard_normal((n, m)) / np.sqrt(m)).astype(np.float32))
          for m, n in itertools.pairwise(sizes)]
    bs = [xp.zeros(n, dtype=xp.float32) for n in sizes[1:]]
    xs, ys = _mlp_data(batch, sizes)
    x, y = xp.asarray(xs), xp.asarray(ys)
    rows = xp.arange(batch)

    def step() -> None:
        acts, h = [x], x
        for i, (w, b) in enumerate(zip(ws, bs)):
            h = h @ w.T + b
            if i < len(ws) - 1:
                h = xp.maximum(h, 0)
            acts.append(h)
        z = h - h.max(axis=1, keepdims=True)
        e = xp.exp(z)
        p = e / e.sum(axis=1, keepdims=True)
        p[rows, y] -= 1
        g = p * np.float32(1.0 / batch)
        for i in range(len(ws) - 1, -1, -1):
            gw, gb = g.T @ acts[i], g.sum(axis=0)
            if i:
                g = (g @ ws[i]) * (acts[i] > 0)
            ws[i] -= LR * gw
            bs[i] -= LR * gb
    return step


# ------------------------------------------------------------------ W5: RNNCell
LENGTHS = list(range(5, 51))


def rnn(lib: Any, dev: str) -> Callable[[], Any]:
    """One cycle of W5 lengths through `lib`: autograd_core or torch."""
    cell = lib.nn.RNNCell(32, 128).to(dev)
    opt = lib.optim.SGD(cell.parameters(), lr=LR)
    xs = lib.tensor(np.random.default_rng(0).standard_normal((50, 16, 32)).astype(np.float32),
                    device=dev)

    def cycle() -> None:
        for n in LENGTHS:
            h = lib.zeros(16, 128, device=dev)
            for t in range(n):
                h = cell(xs[t], h)
            loss = (h * h).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    return cycle


def rnn_hand(xp: Any) -> Callable[[], Any]:
    rng = np.random.default_rng(0)
    k = np.float32(1 / np.sqrt(128))
    wi = xp.asarray(rng.uniform(-k, k, (128, 32)).astype(np.float32))
    wh = xp.asarray(rng.uniform(-k, k, (128, 128)).astype(np.float32))
    bi, bh = xp.zeros(128, dtype=xp.float32), xp.zeros(128, dtype=xp.float32)
    xs = xp.asarray(rng.standard_normal((50, 16, 32)).astype(np.float32))

    def cycle() -> None:
        nonlocal wi, wh, bi, bh
        for n in LENGTHS:
            hs = [xp.zeros((16, 128), dtype=xp.float32)]
            for t in range(n):
                hs.append(xp.tanh(xs[t] @ wi.T + bi + hs[-1] @ wh.T + bh))
            g = hs[-1] * np.float32(2.0 / hs[-1].size)
            gwi, gwh = xp.zeros_like(wi), xp.zeros_like(wh)
            gb = xp.zeros_like(bi)
            for t in range(n, 0, -1):
                g = g * (1 - hs[t] * hs[t])
                gwi += g.T @ xs[t - 1]
                gwh += g.T @ hs[t - 1]
                gb += g.sum(axis=0)
                g = g @ wh
            wi -= LR * gwi
            wh -= LR * gwh
            bi -= LR * gb
            bh -= LR * gb
    return cycle


# ------------------------------------------------------------------ driver
def run(smoke: bool, skip_cpu: bool, profile: str = "", repeat: int = 1) -> list[dict[str, Any]]:
    import torch

    torch.backends.cuda.matmul.allow_tf32 = False  # full float32, as our CuPy matmuls
    torch.backends.cudnn.allow_tf32 = False
    dev = "cpu" if smoke else "cuda"
    xp = np if smoke else ag.backend.module_for_device(ag.device("cuda"))
    if smoke:
        def sync() -> None:
            return None
    else:
        def sync() -> None:
            ag.cuda.synchronize()
            torch.cuda.synchronize()
    scale = 0.05 if smoke else 1.0
    rows = []

    def bench(name: str, ours: Any, theirs: Any, hand: Any, warmup: int, iters: int,
              per: int = 1) -> dict[str, Any]:
        it = max(1, int(iters * scale))
        row: dict[str, Any] = {"workload": name}
        steps = {}
        for key, make in (("ours", ours), ("torch", theirs), ("cupy", hand)):
            try:  # one broken implementation must not cost the other rows
                steps[key] = make()
            except Exception as exc:
                traceback.print_exc()
                row[f"{key}_error"] = f"{type(exc).__name__}: {exc}"
        got = interleaved_ms(steps, sync, warmup, it)
        for key in ("ours", "torch", "cupy"):
            row[key] = got[key] / per if key in got else float("nan")
        rows.append(row)
        print(f"  {name}: " + ", ".join(f"{k} {row[k]:.3f} ms" for k in ("ours", "torch",
              "cupy")), file=sys.stderr, flush=True)
        return row

    for _ in range(repeat):  # whole passes: a slow phase of the host shows as a spread
        bench("W1 per-op x200", lambda: w1(ag, dev), lambda: w1(torch, dev),
              lambda: w1_hand(xp), 5, 50)
        for name in ("W2", "W3"):
            b, s = MLPS[name]
            bench(name, lambda b=b, s=s: mlp(ag, b, s, dev),
                  lambda b=b, s=s: mlp(torch, b, s, dev), lambda b=b, s=s: mlp_hand(xp, b, s),
                  10, 200)
        bench("W5", lambda: rnn(ag, dev), lambda: rnn(torch, dev), lambda: rnn_hand(xp), 1, 5,
              per=len(LENGTHS))
        b, s = MLPS["W6"]
        if smoke:
            b, s = 64, [128, 128, 128, 10]
        bench("W6", lambda b=b, s=s: mlp(ag, b, s, dev), lambda b=b, s=s: mlp(torch, b, s, dev),
              lambda b=b, s=s: mlp_hand(xp, b, s), 3, 30)
    merged = _merge(rows)
    if not skip_cpu and not smoke:
        b, s = MLPS["W6"]
        merged[-1]["ours_cpu"] = median_ms(mlp(ag, b, s, "cpu"), lambda: None, 1, 3)
    if profile:
        _profile(profile, dev, sync)
    return merged


def _merge(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per workload: median times over the passes, and the ours/PyTorch ratios."""
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        m = out.setdefault(r["workload"], {"workload": r["workload"], "passes": []})
        m["passes"].append({k: r[k] for k in ("ours", "torch", "cupy")})
        m.update({k: v for k, v in r.items() if k.endswith("_error")})
    for m in out.values():
        for key in ("ours", "torch", "cupy"):
            m[key] = statistics.median(p[key] for p in m["passes"])
        m["ratios"] = [p["ours"] / p["torch"] for p in m["passes"]]
    return list(out.values())


def _profile(out: str, dev: str, sync: Callable[[], None]) -> None:
    """cProfile our W2 and W5 steps (where the host time goes), into the file `out`."""
    import cProfile
    import io
    import pstats

    text = io.StringIO()
    for name, make, n in (("W2", lambda: mlp(ag, *MLPS["W2"], dev), 50),
                          ("W5", lambda: rnn(ag, dev), 1)):
        step = make()
        step()
        sync()
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(n):
            step()
        sync()
        prof.disable()
        print(f"==================== {name} ====================", file=text)
        stats = pstats.Stats(prof, stream=text)
        stats.sort_stats("tottime").print_stats(45)
        stats.sort_stats("cumulative").print_stats(30)
    with open(out, "w") as f:
        f.write(text.getvalue())


def table(rows: list[dict[str, Any]], device_name: str) -> str:
    passes = len(rows[0]["passes"]) if rows else 0
    lines = [f"GPU benchmark on {device_name} (float32, TF32 off; ms per step, medians of "
             f"{passes} interleaved pass{'es' if passes != 1 else ''})",
             f"{'workload':<16}{'ours':>10}{'PyTorch':>10}{'CuPy hand':>11}{'ours/PT':>9}"
             f"{'[range]':>14}{'ours/CuPy':>10}  target"]
    for r in rows:
        key = r["workload"].split()[0]
        ratio = statistics.median(r["ratios"])
        spread = f"[{min(r['ratios']):.2f}-{max(r['ratios']):.2f}]"
        target = TARGETS.get(key)
        verdict = "" if target is None else (f"<= {target:.1f}x PT: "
                                              + ("met" if ratio <= target else "NOT met"))
        lines.append(f"{r['workload']:<16}{r['ours']:>10.3f}{r['torch']:>10.3f}"
                     f"{r['cupy']:>11.3f}{ratio:>8.2f}x{spread:>14}"
                     f"{r['ours'] / r['cupy']:>9.2f}x  {verdict}")
        if "ours_cpu" in r:
            speedup = r["ours_cpu"] / r["ours"]
            lines.append(f"{'W6 ours CPU':<16}{r['ours_cpu']:>10.1f}  -> GPU speed-up "
                         f"{speedup:.0f}x (target >= 59x: {'met' if speedup >= 59 else 'NOT met'})")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny CPU run of the same code")
    parser.add_argument("--skip-cpu", action="store_true", help="no W6 CPU baseline")
    parser.add_argument("--json", help="also write the rows here")
    parser.add_argument("--profile", default="", help="write cProfile text of our W2/W5 steps here")
    parser.add_argument("--repeat", type=int, default=1, help="whole passes (ratios' spread)")
    args = parser.parse_args()
    rows = run(args.smoke, args.skip_cpu, args.profile, args.repeat)
    name = "CPU (smoke run)" if args.smoke else ag.cuda.get_device_name()
    print(table(rows, name))
    if not args.smoke:
        from autograd_core.backend import fastpath

        print(f"GPU fast paths switched off: {', '.join(sorted(fastpath.off)) or 'none'}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"device": name, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    with recorded("gpu"):
        main()
