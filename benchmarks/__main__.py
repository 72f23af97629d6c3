"""`python -m benchmarks`: put each benchmark's table from its JSON into the README.

The README marks each table with `<!-- bench:NAME -->` ... `<!-- /bench:NAME -->`. A table is
replaced only when `benchmarks/results/NAME.json` exists and has the same columns as the one
in the README (a curated table with extra columns, such as targets, is left as it is and
named). `--run NAME ...` (or `--run all`) reruns those benchmarks first; `--check` changes
nothing and exits 1 when the README would change.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

from benchmarks._results import RESULTS

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
# name -> the benchmark script that writes results/NAME.json (GPU: gpu_check.sh on a GPU).
SCRIPTS = {
    "engine": "bench_engine.py", "trace": "bench_trace.py", "layout": "bench_layout.py",
    "runner": "bench_runner.py", "store": "bench_store.py", "ui": "bench_ui.py",
    "timing": "bench_timing.py", "gpu": "bench_gpu.py", "remote": "bench_remote.py",
}
BLOCK = re.compile(r"(<!-- bench:(?P<name>\w+) -->\n)(?P<body>.*?)(<!-- /bench:(?P=name) -->)",
                   re.S)


def _columns(table: list[str]) -> list[str]:
    return [c.strip() for c in table[0].strip().strip("|").split("|")] if table else []


def regenerate(text: str, results: Path = RESULTS) -> tuple[str, list[str]]:
    """The README text with each marked table replaced from its JSON, and a note per table."""
    notes: list[str] = []

    def replace(m: re.Match[str]) -> str:
        name, body = m["name"], m["body"]
        path = results / f"{name}.json"
        if not path.exists():
            notes.append(f"{name}: no {path.name}, kept")
            return m.group(0)
        table = json.loads(path.read_text())["table"]
        old = [ln for ln in body.splitlines() if ln.startswith("|")]
        if _columns(table) != _columns(old):
            notes.append(f"{name}: the benchmark prints other columns than the README's "
                         f"curated table, kept")
            return m.group(0)
        notes.append(f"{name}: table from {path.name}")
        return m.group(1) + "\n".join(table) + "\n" + m.group(4)

    return BLOCK.sub(replace, text), notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--run", nargs="+", metavar="NAME", choices=[*SCRIPTS, "all"],
                        default=[], help="rerun these benchmarks first")
    parser.add_argument("--check", action="store_true", help="report only; exit 1 if stale")
    args = parser.parse_args(argv)
    for name in SCRIPTS if "all" in args.run else args.run:
        script = Path(__file__).resolve().parent / SCRIPTS[name]
        print(f"+ {sys.executable} {script.relative_to(ROOT)}", flush=True)
        subprocess.run([sys.executable, str(script)], cwd=ROOT, check=True)
    text = README.read_text()
    new, notes = regenerate(text)
    print("\n".join(notes))
    if args.check:
        return int(new != text)
    if new != text:
        README.write_text(new)
        print("README.md: tables updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
