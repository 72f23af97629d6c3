"""The `gradscope` command. For now: train a model script in the terminal, printing the loss.

    gradscope [MODEL.py] [-n ITERATIONS]
"""

from __future__ import annotations

import argparse
import runpy
import sys
import time
from pathlib import Path

DEFAULT_EXAMPLE = Path(__file__).resolve().parent.parent / "resources" / "examples" / "spiral_mlp.py"


def _parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="gradscope", description=__doc__.splitlines()[0])
    p.add_argument("model", nargs="?", default=str(DEFAULT_EXAMPLE),
                   help="a model script defining `model` and `step(i)` (default: spirals MLP)")
    p.add_argument("-n", "--iterations", type=int, default=None,
                   help="iterations to run (default: the script's ITERATIONS, else 100)")
    return p.parse_args(argv)


def train(path: str, iterations: int | None) -> int:
    """Run `step(i)` of the script at `path`, printing the loss per iteration."""
    script = Path(path)
    if not script.is_file():
        print(f"gradscope: no such model script: {script}", file=sys.stderr)
        return 2
    namespace = runpy.run_path(str(script), run_name="__gradscope__")
    step = namespace.get("step")
    if not callable(step):
        print(f"gradscope: {script} defines no function `step(i)`", file=sys.stderr)
        return 2
    n = iterations or int(namespace.get("ITERATIONS", 100))
    start = time.perf_counter()
    for i in range(n):
        loss = step(i)
        value = float(loss.item()) if hasattr(loss, "item") else float(loss)
        print(f"iteration {i + 1:4d}/{n}  loss {value:.6f}", flush=True)
    elapsed = time.perf_counter() - start
    print(f"{n} iterations in {elapsed:.2f} s ({n / elapsed:.1f} it/s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    return train(args.model, args.iterations)
