"""Engine benchmark: ours vs hand-written numpy (the floor) vs PyTorch eager CPU.

    .venv/bin/python benchmarks/bench_engine.py [--only W1,W3] [--quick]

Each workload runs in its own single-threaded process; the implementations start from the
same weights and data, must agree on the first loss, then run round-robin (one step each in
turn) and report the median step time. Prints a markdown table. W9 and W10 (an LSTM language
model, a GPT block) have no hand-written floor: their first loss is checked against PyTorch's.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before numpy loads its BLAS

import argparse  # noqa: E402
import gc  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import _engine_floor as floor  # noqa: E402
import numpy as np  # noqa: E402
from _results import recorded  # noqa: E402

import autograd_core as ag  # noqa: E402

try:
    import torch

    torch.set_num_threads(1)
except ImportError:  # the table then has no PyTorch column
    torch = None

Step = Callable[[int], float]
LR = 0.01
N_TINY_OPS = 200


# ------------------------------------------------------------------ shared weights and data
def _rng() -> np.random.Generator:
    return np.random.default_rng(0)


def _uniform(rng: np.random.Generator, shape: tuple, fan_in: int) -> np.ndarray:
    bound = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, shape).astype(np.float32)


def _load_ours(module: Any, arrays: list[np.ndarray]) -> None:
    for p, a in zip(module.parameters(), arrays, strict=True):
        p.data = ag.tensor(a.copy())


def _load_torch(module: Any, arrays: list[np.ndarray]) -> None:
    with torch.no_grad():
        for p, a in zip(module.parameters(), arrays, strict=True):
            p.copy_(torch.from_numpy(a))


def _trainer(model: Any, lib: Any, loss_fn: Callable[[Any, int], Any]) -> Step:
    """A step in the user-script shape: forward, zero_grad, backward, SGD step."""
    opt = lib.optim.SGD(model.parameters(), lr=LR)

    def step(i: int) -> float:
        loss = loss_fn(model, i)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    return step


# ------------------------------------------------------------------ W1 tiny ops
def w1_tiny_ops() -> dict[str, Step]:
    rng = _rng()
    x0, a, b = (rng.standard_normal(8).astype(np.float32) for _ in range(3))

    def chain(lib: Any) -> Step:
        ta, tb = lib.tensor(a), lib.tensor(b)

        def step(i: int) -> float:
            x0t = lib.tensor(x0, requires_grad=True)
            x = x0t
            for k in range(N_TINY_OPS):
                kind = k % 3
                x = x * ta if kind == 0 else (x + tb if kind == 1 else x.tanh())
            loss = x.sum()
            loss.backward()
            return loss.item()

        return step

    impls = {"ours": chain(ag), "floor": lambda i: floor.tiny_chain(x0, a, b, N_TINY_OPS)}
    if torch is not None:
        impls["torch"] = chain(torch)
    return impls


# ------------------------------------------------------------------ W2 / W3 MLPs
def _mlp(sizes: tuple[int, ...], batch: int) -> dict[str, Step]:
    rng = _rng()
    arrays: list[np.ndarray] = []
    for fi, fo in itertools.pairwise(sizes):
        arrays += [_uniform(rng, (fo, fi), fi), _uniform(rng, (fo,), fi)]
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = rng.integers(0, sizes[-1], batch)

    def build(lib: Any, load: Callable) -> Step:
        layers: list[Any] = []
        for fi, fo in itertools.pairwise(sizes):
            layers += [lib.nn.Linear(fi, fo), lib.nn.ReLU()]
        model = lib.nn.Sequential(*layers[:-1])
        load(model, arrays)
        xt, yt = lib.tensor(x), lib.tensor(y)
        return _trainer(model, lib, lambda m, i: lib.nn.functional.cross_entropy(m(xt), yt))

    layers_np = [[arrays[i].copy(), arrays[i + 1].copy()] for i in range(0, len(arrays), 2)]
    impls = {"ours": build(ag, _load_ours),
             "floor": lambda i: floor.mlp_step(layers_np, x, y, LR)}
    if torch is not None:
        impls["torch"] = build(torch, _load_torch)
    return impls


def w2_mlp_small() -> dict[str, Step]:
    return _mlp((784, 256, 10), 64)


def w3_mlp_large() -> dict[str, Step]:
    return _mlp((1024, 1024, 1024, 10), 512)


# ------------------------------------------------------------------ W4 CNN
def w4_cnn_small() -> dict[str, Step]:
    rng = _rng()
    p = {"c1w": _uniform(rng, (8, 1, 3, 3), 9), "c1b": _uniform(rng, (8,), 9),
         "c2w": _uniform(rng, (16, 8, 3, 3), 72), "c2b": _uniform(rng, (16,), 72),
         "fw": _uniform(rng, (10, 16 * 7 * 7), 784), "fb": _uniform(rng, (10,), 784)}
    arrays = list(p.values())
    x = rng.standard_normal((32, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, 32)

    def build(lib: Any, load: Callable) -> Step:
        nn = lib.nn
        model = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(16 * 7 * 7, 10),
        )
        load(model, arrays)
        xt, yt = lib.tensor(x), lib.tensor(y)
        return _trainer(model, lib, lambda m, i: nn.functional.cross_entropy(m(xt), yt))

    p_np = {k: v.copy() for k, v in p.items()}
    impls = {"ours": build(ag, _load_ours), "floor": lambda i: floor.cnn_step(p_np, x, y, LR)}
    if torch is not None:
        impls["torch"] = build(torch, _load_torch)
    return impls


# ------------------------------------------------------------------ W5 dynamic RNN
def _seq_len(i: int) -> int:
    return 5 + i % 46  # 5, 6, ..., 50, 5, ...


def w5_rnn_dynamic() -> dict[str, Step]:
    rng = _rng()
    hidden, inp, batch = 128, 32, 16
    p = {"w_ih": _uniform(rng, (hidden, inp), hidden), "w_hh": _uniform(rng, (hidden, hidden),
                                                                          hidden),
         "b_ih": _uniform(rng, (hidden,), hidden), "b_hh": _uniform(rng, (hidden,), hidden)}
    arrays = list(p.values())
    xs = rng.standard_normal((50, batch, inp)).astype(np.float32)

    def build(lib: Any, load: Callable) -> Step:
        cell = lib.nn.RNNCell(inp, hidden)
        load(cell, arrays)
        xts = [lib.tensor(xs[t]) for t in range(50)]

        def loss_fn(m: Any, i: int) -> Any:
            h = lib.zeros(batch, hidden)
            for t in range(_seq_len(i)):
                h = m(xts[t], h)
            return (h * h).mean()

        return _trainer(cell, lib, loss_fn)

    p_np = {k: v.copy() for k, v in p.items()}
    impls = {"ours": build(ag, _load_ours),
             "floor": lambda i: floor.rnn_step(p_np, xs[:_seq_len(i)], LR)}
    if torch is not None:
        impls["torch"] = build(torch, _load_torch)
    return impls


# ------------------------------------------------------------------ W9 LSTM language model
def _random_weights(model: Any, seed: int = 0, scale: float = 0.1) -> list[np.ndarray]:
    """One float32 array per parameter of `model` (ours), in parameter order."""
    rng = np.random.default_rng(seed)
    return [rng.uniform(-scale, scale, tuple(p.shape)).astype(np.float32)
            for p in model.parameters()]


def w9_lstm_lm() -> dict[str, Step]:
    """The word language model's step: embedding, 2-layer batch-first LSTM, decoder, SGD."""
    vocab, width, batch, steps = 1000, 200, 20, 35
    rng = _rng()
    tokens = rng.integers(0, vocab, (batch, steps + 1))

    def build(lib: Any, load: Callable, arrays: list[np.ndarray] | None) -> tuple[Step, Any]:
        nn = lib.nn

        class LM(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.emb = nn.Embedding(vocab, width)
                self.rnn = nn.LSTM(width, width, num_layers=2, batch_first=True)
                self.dec = nn.Linear(width, vocab)

            def forward(self, x: Any) -> Any:
                out, _ = self.rnn(self.emb(x))
                return self.dec(out)

        model = LM()
        arrays = _random_weights(model) if arrays is None else arrays
        load(model, arrays)
        x, y = lib.tensor(tokens[:, :-1]), lib.tensor(tokens[:, 1:]).reshape(-1)

        def loss_fn(m: Any, i: int) -> Any:
            return nn.functional.cross_entropy(m(x).reshape(-1, vocab), y)

        return _trainer(model, lib, loss_fn), arrays

    ours, arrays = build(ag, _load_ours, None)
    impls = {"ours": ours}
    if torch is not None:
        impls["torch"] = build(torch, _load_torch, arrays)[0]
    return impls


# ------------------------------------------------------------------ W10 GPT block
def w10_gpt_block() -> dict[str, Step]:
    """One pre-norm GPT block (causal self-attention, GELU MLP) between an embedding and a
    head, minGPT's way of writing attention; AdamW."""
    vocab, width, heads, batch, ctx = 256, 128, 4, 16, 64
    rng = _rng()
    tokens = rng.integers(0, vocab, (batch, ctx + 1))
    mask = np.tril(np.ones((ctx, ctx), dtype=bool))

    def build(lib: Any, load: Callable, arrays: list[np.ndarray] | None) -> tuple[Step, Any]:
        nn, F = lib.nn, lib.nn.functional

        class GPT(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.tok, self.pos = nn.Embedding(vocab, width), nn.Embedding(ctx, width)
                self.ln1, self.ln2, self.ln_f = (nn.LayerNorm(width) for _ in range(3))
                self.qkv, self.proj = nn.Linear(width, 3 * width), nn.Linear(width, width)
                self.fc, self.fc_out = nn.Linear(width, 4 * width), nn.Linear(4 * width, width)
                self.head = nn.Linear(width, vocab)

            def attend(self, x: Any) -> Any:
                b, t, c = x.shape
                q, k, v = (z.view(b, t, heads, c // heads).transpose(1, 2)
                           for z in self.qkv(x).split(c, dim=2))
                att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(c // heads))
                att = F.softmax(att.masked_fill(causal == 0, float("-inf")), dim=-1)
                return self.proj((att @ v).transpose(1, 2).contiguous().view(b, t, c))

            def forward(self, idx: Any) -> Any:
                x = self.tok(idx) + self.pos(positions)
                x = x + self.attend(self.ln1(x))
                x = x + self.fc_out(F.gelu(self.fc(self.ln2(x))))
                return self.head(self.ln_f(x))

        model = GPT()
        arrays = _random_weights(model) if arrays is None else arrays
        load(model, arrays)
        causal, positions = lib.tensor(mask.astype(np.int64)), lib.arange(ctx)
        x, y = lib.tensor(tokens[:, :-1]), lib.tensor(tokens[:, 1:]).reshape(-1)
        opt = lib.optim.AdamW(model.parameters(), lr=1e-3)

        def step(i: int) -> float:
            loss = F.cross_entropy(model(x).view(-1, vocab), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss.item()

        return step, arrays

    ours, arrays = build(ag, _load_ours, None)
    impls = {"ours": ours}
    if torch is not None:
        impls["torch"] = build(torch, _load_torch, arrays)[0]
    return impls


WORKLOADS: dict[str, tuple[str, Callable[[], dict[str, Step]], int, float]] = {
    # name: (description, builder, timed rounds, time unit divisor -> reported value)
    "W1": ("tiny-ops: 200 chained elementwise ops on (8,), µs/op", w1_tiny_ops, 400,
           N_TINY_OPS),
    "W2": ("mlp-small: 64x784-256-10, ms/step", w2_mlp_small, 300, 1e-3),
    "W3": ("mlp-large: 512x1024-1024-1024-10, ms/step", w3_mlp_large, 60, 1e-3),
    "W4": ("cnn-small: 32x1x28x28, 2 conv + pool, ms/step", w4_cnn_small, 60, 1e-3),
    "W5": ("rnn-dynamic: RNNCell 32->128, batch 16, T=5..50, ms/step", w5_rnn_dynamic, 92,
           1e-3),
    "W9": ("lstm-lm: 20x35 tokens, vocab 1000, 2-layer LSTM 200, SGD, ms/step", w9_lstm_lm, 40,
           1e-3),
    "W10": ("gpt-block: 16x64 tokens, width 128, 4 heads, GELU MLP, AdamW, ms/step",
            w10_gpt_block, 40, 1e-3),
}


# ------------------------------------------------------------------ measuring
def _check_losses(impls: dict[str, Step]) -> dict[str, float]:
    """Step 0 of every implementation from identical weights: the losses must agree (with
    the floor's, or PyTorch's where a workload has no hand-written floor)."""
    losses = {name: step(0) for name, step in impls.items()}
    ref_name = "floor" if "floor" in losses else "torch" if "torch" in losses else "ours"
    ref = losses[ref_name]
    for name, value in losses.items():
        if not np.isclose(value, ref, rtol=1e-4, atol=1e-6):
            raise AssertionError(f"{name} loss {value} differs from {ref_name}'s {ref}")
    return losses


def _time(impls: dict[str, Step], rounds: int, warmup: int = 5) -> dict[str, float]:
    """Round-robin: each round runs one step of every implementation; median seconds."""
    times: dict[str, list[float]] = {name: [] for name in impls}
    clock = time.perf_counter
    for r in range(1, warmup + rounds + 1):
        for name, step in impls.items():
            t0 = clock()
            step(r)
            dt = clock() - t0
            if r > warmup:
                times[name].append(dt)
    return {name: statistics.median(ts) for name, ts in times.items()}


def _peak_ours(step: Step) -> int:
    """Bytes: tracemalloc sees numpy's buffers (numpy reports them to it) and Python objects."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    step(1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - base


def _peak_torch(step: Step) -> int:
    """Bytes: PyTorch's profiler with profile_memory=True logs every CPU-allocator call with
    its size; the running sum of those sizes over one step, at its highest, is the peak."""
    import tempfile

    from torch.profiler import ProfilerActivity, profile

    gc.collect()
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        step(1)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "trace.json")
        prof.export_chrome_trace(path)
        with open(path) as f:
            events = json.load(f)["traceEvents"]
    mem = sorted((e for e in events if e.get("name") == "[memory]"), key=lambda e: e["ts"])
    total = peak = 0
    for e in mem:
        total += e["args"]["Bytes"]
        peak = max(peak, total)
    return peak


def run_workload(key: str, quick: bool) -> dict[str, Any]:
    desc, build, rounds, unit = WORKLOADS[key]
    impls = build()
    losses = _check_losses(impls)
    medians = _time(impls, max(rounds // 10, 5) if quick else rounds)
    result: dict[str, Any] = {"key": key, "desc": desc, "losses": losses,
                              "values": {n: s / unit * (1e6 if key == "W1" else 1.0)
                                         for n, s in medians.items()}}
    if key == "W3":
        result["peak"] = {"ours": _peak_ours(impls["ours"])}
        if "torch" in impls:
            result["peak"]["torch"] = _peak_torch(impls["torch"])
    return result


def _run_child(key: str, quick: bool) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", key] + (["--quick"] if quick else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        err = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"key": key, "desc": WORKLOADS[key][0], "error": err}
    return json.loads(lines[-1])


def _fmt(v: float | None) -> str:
    return "n/a" if v is None else f"{v:.3g}" if v < 10 else f"{v:.1f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "n/a" if a is None or b is None else f"{a / b:.2f}x"


# The README's targets, printed in the table so `python -m benchmarks` can rewrite it whole.
TARGETS = {"W1": "≤ 1.0x PyTorch", "W2": "≤ 1.0x PyTorch", "W3": "≤ 1.05x floor",
           "W4": "≤ 1.0x PyTorch", "W5": "≤ 1.0x PyTorch", "W9": "≤ 1.0x PyTorch",
           "W10": "≤ 1.0x PyTorch"}


def print_table(results: list[dict[str, Any]]) -> None:
    print("| workload | ours | numpy floor | PyTorch | ours/floor | ours/PyTorch | target |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for r in results:
        target = TARGETS.get(r["key"], "")
        if "error" in r:
            print(f"| {r['key']} {r['desc']} | failed: {r['error'][:80]} | | | | | {target} |")
            continue
        v = r["values"]
        ours, fl, th = v.get("ours"), v.get("floor"), v.get("torch")
        print(f"| {r['key']} {r['desc']} | {_fmt(ours)} | {_fmt(fl)} | {_fmt(th)} | "
              f"{_ratio(ours, fl)} | {_ratio(ours, th)} | {target} |")
    for r in results:
        if "peak" in r:
            pk = r["peak"]
            th = pk.get("torch")
            print(f"\nPeak memory of one W3 step: ours {pk['ours'] / 2**20:.1f} MiB (tracemalloc), "
                  f"PyTorch {'n/a' if th is None else f'{th / 2**20:.1f} MiB'} "
                  "(torch.profiler profile_memory: running sum of allocator events)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(WORKLOADS), help="e.g. W1,W3")
    parser.add_argument("--quick", action="store_true", help="a tenth of the rounds")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_workload(args.child, args.quick)))
        return
    results = [_run_child(k, args.quick) for k in args.only.split(",")]
    print_table(results)


if __name__ == "__main__":
    if "--child" in sys.argv:  # one workload's process: its JSON line is for the parent
        main()
    else:
        with recorded("engine"):
            main()
