"""Where each benchmark leaves its figures: `benchmarks/results/NAME.json`, beside its table.

A benchmark wraps its run in `recorded(NAME)`: what it prints still goes to the terminal, and
the markdown table in it (the lines that start with '|') is kept with its rows as
dictionaries, the command line and the machine, so `python -m benchmarks` can put the table
into the README without rerunning anything.
"""

from __future__ import annotations

import contextlib
import io
import json
import platform
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

RESULTS = Path(__file__).resolve().parent / "results"


class _Tee(io.TextIOBase):
    """Writes to the terminal and keeps a copy."""

    def __init__(self, out: TextIO) -> None:
        self.out, self.copy = out, io.StringIO()

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self.out.write(text)

    def flush(self) -> None:
        self.out.flush()


def table_of(printed: str) -> list[str]:
    """The first markdown table in `printed`: its consecutive lines starting with '|'."""
    lines = printed.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.startswith("|")), len(lines))
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    return lines[start:end]


def rows_of(table: list[str]) -> list[dict[str, str]]:
    """The table's body rows as {column: cell} (the header row names the columns)."""
    def cells(line: str) -> list[str]:
        return [c.strip() for c in line.strip().strip("|").split("|")]

    if len(table) < 2:
        return []
    header = cells(table[0])
    return [dict(zip(header, cells(line))) for line in table[2:]]


def save(name: str, printed: str, extra: dict[str, Any] | None = None) -> Path:
    """Write `results/NAME.json` from what the benchmark printed; returns its path."""
    table = table_of(printed)
    record = {
        "name": name,
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "table": table,
        "rows": rows_of(table),
        "printed": printed,
        **(extra or {}),
    }
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    return path


@contextlib.contextmanager
def recorded(name: str) -> Iterator[None]:
    """Run the body with stdout teed; on success, save its table as `results/NAME.json`."""
    tee = _Tee(sys.stdout)
    with contextlib.redirect_stdout(tee):
        yield
    path = save(name, tee.copy.getvalue())
    print(f"results: {path}", file=sys.stderr)
