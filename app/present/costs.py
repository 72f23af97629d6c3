"""The cost table, Qt-free: what each op and each module cost per iteration (forward,
backward and total time, a module's self time, calls, bytes saved for backward), averaged over
the captures given, and the table as CSV. The Costs dock (`app.ui.cost_table`) shows it.

Times are the capture's host times (`time_ns`), the numbers the time overlays and the timeline
show. A module's forward time is its measured call span (what its own Python code cost
included); its backward time is the sum of its ops' backward nodes, since the engine runs
backward per node, not per module.
"""

from __future__ import annotations

import csv
import io
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

__all__ = ["COLUMNS", "CaptureRowsCache", "CostRow", "CostTable", "capture_rows", "cost_csv",
           "cost_table", "format_bytes", "format_ns", "last_captures", "module_parent"]

# (attribute, header) in the order the table and the CSV show them.
# The answer first: what, where, how long in all; then the parts and the rest.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "Name"), ("module", "Module"), ("total_ns", "Total"), ("forward_ns", "Forward"),
    ("backward_ns", "Backward"), ("self_ns", "Self"), ("calls", "Calls"),
    ("saved_bytes", "Saved for backward"), ("kind", "Kind"), ("source", "Source"),
)


@dataclass(frozen=True)
class CostRow:
    """One op (by its stable key) or one module (by its path), per iteration on average.

    `self_ns` is a module's total less its child modules' totals (None for ops); `calls` is
    calls per iteration (a module called in a loop counts each call; an op of a dynamic graph
    absent from some iterations counts less than 1)."""

    kind: str          # "op" or "module"
    key: str           # node key of an op, module path of a module
    name: str          # op name, or module path
    module: str        # the module an op ran in ('' at top level); a module's own path
    forward_ns: float = 0.0
    backward_ns: float = 0.0
    self_ns: float | None = None
    calls: float = 0.0
    saved_bytes: float = 0.0
    source: str = ""

    @property
    def total_ns(self) -> float:
        return self.forward_ns + self.backward_ns


@dataclass(frozen=True)
class CostTable:
    """The rows of some captures and which iterations they average (oldest first)."""

    rows: tuple[CostRow, ...]
    iterations: tuple[int, ...]

    def ops(self) -> list[CostRow]:
        return [r for r in self.rows if r.kind == "op"]

    def modules(self) -> list[CostRow]:
        return [r for r in self.rows if r.kind == "module"]

    def row(self, kind: str, key: str) -> CostRow | None:
        return next((r for r in self.rows if r.kind == kind and r.key == key), None)


def last_captures(captures: Sequence[Any], n: int) -> list[Any]:
    """The newest `n` captures that are not None (unreadable ones are skipped), oldest first."""
    kept = [c for c in captures if c is not None]
    return kept[-n:] if n > 0 else []


def cost_table(captures: Iterable[Any], rows_of: Callable[[Any], list[CostRow]] | None = None
               ) -> CostTable:
    """Average cost per iteration of `captures` (IterationCaptures).

    An op or module absent from some iterations counts 0 there, so its numbers are what it
    adds to an average iteration. `rows_of` (default `capture_rows`) gives one capture's
    rows; a caller that recomputes often passes a cached one (`CaptureRowsCache`).

    Example:
        table = cost_table(session.captures[-10:])
        max(table.ops(), key=lambda r: r.total_ns).name    # e.g. 'Conv2d'
    """
    caps = [c for c in captures if c is not None]
    rows_of = rows_of or capture_rows
    first: dict[tuple[str, str], CostRow] = {}
    sums: dict[tuple[str, str], list[float]] = {}
    for cap in caps:
        for row in rows_of(cap):
            ident = (row.kind, row.key)
            acc = sums.get(ident)
            if acc is None:
                sums[ident] = [row.forward_ns, row.backward_ns, row.self_ns or 0.0, row.calls,
                               row.saved_bytes]
            else:
                acc[0] += row.forward_ns
                acc[1] += row.backward_ns
                acc[2] += row.self_ns or 0.0
                acc[3] += row.calls
                acc[4] += row.saved_bytes
            first[ident] = row  # the newest row names it (source line, module)
    n = max(len(caps), 1)
    rows = tuple(replace(row, forward_ns=acc[0] / n, backward_ns=acc[1] / n,
                         self_ns=None if row.kind == "op" else acc[2] / n, calls=acc[3] / n,
                         saved_bytes=acc[4] / n)
                 for (ident, row), acc in zip(first.items(), sums.values(), strict=True))
    return CostTable(rows, tuple(int(c.index) for c in caps))


class CaptureRowsCache:
    """`capture_rows` remembered for the last `size` capture objects: a capture does not
    change once read, and averaging ten 5k-op captures twice a second otherwise recomputes
    them all."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._rows: OrderedDict[int, tuple[Any, list[CostRow]]] = OrderedDict()

    def __call__(self, cap: Any) -> list[CostRow]:
        hit = self._rows.get(id(cap))
        if hit is not None and hit[0] is cap:
            self._rows.move_to_end(id(cap))
            return hit[1]
        rows = capture_rows(cap)
        self._rows[id(cap)] = (cap, rows)  # the capture is kept, so its id is not reused
        self._trim()
        return rows

    def _trim(self) -> None:
        while len(self._rows) > self.size:
            self._rows.popitem(last=False)

    def clear(self) -> None:
        self._rows.clear()


def capture_rows(cap: Any) -> list[CostRow]:
    """The op and module rows of one capture (its own numbers, not averaged)."""
    ops = [_op_row(cap, node) for node in cap.nodes if node.kind == "op"]
    return ops + _module_rows(cap, ops)


def _op_row(cap: Any, node: Any) -> CostRow:
    backward = cap.backward[node.backward].time_ns if node.backward is not None else 0
    return CostRow("op", node.key, node.op, node.module, float(node.time_ns), float(backward),
                   None, 1.0, float(node.saved_bytes), node.source)


def _module_rows(cap: Any, ops: list[CostRow]) -> list[CostRow]:
    """One row per module path (and every enclosing path) that ran or holds an op. Each op
    is added to its module and every enclosing one (one pass: a 5k-op graph has hundreds
    of modules)."""
    spans: dict[str, list[float]] = {}
    for span in cap.modules:
        if span.phase == "forward" and span.path:
            spans.setdefault(span.path, [0.0, 0])
            spans[span.path][0] += span.time_ns
            spans[span.path][1] += 1
    inside: dict[str, list[float]] = {p: [0.0, 0.0, 0.0, 0] for p in spans}
    for op in ops:
        parts = op.module.split(".") if op.module else []
        for i in range(1, len(parts) + 1):
            acc = inside.setdefault(".".join(parts[:i]), [0.0, 0.0, 0.0, 0])
            acc[0] += op.forward_ns
            acc[1] += op.backward_ns
            acc[2] += op.saved_bytes
            acc[3] += 1
    rows = {}
    for path, (forward, backward, saved, count) in inside.items():
        span = spans.get(path)
        calls = span[1] if span else (1 if count else 0)
        rows[path] = CostRow("module", path, path, path, span[0] if span else forward,
                             backward, None, float(calls), saved)
    children: dict[str, float] = {}
    for path, row in rows.items():
        parent = module_parent(path, rows)
        if parent:
            children[parent] = children.get(parent, 0.0) + row.total_ns
    return [replace(row, self_ns=max(row.total_ns - children.get(path, 0.0), 0.0))
            for path, row in rows.items()]


def module_parent(path: str, modules: Iterable[str]) -> str:
    """The nearest enclosing path of `path` among `modules` ('' when none: top level)."""
    known = modules if isinstance(modules, (set, dict, frozenset)) else set(modules)
    parts = path.split(".")
    for i in range(len(parts) - 1, 0, -1):
        parent = ".".join(parts[:i])
        if parent in known:
            return parent
    return ""


def cost_csv(rows: Iterable[CostRow]) -> str:
    """The rows as CSV text with a header: times in microseconds, bytes as numbers, names
    exactly as captured (the csv module quotes what needs quoting)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_csv_header(attr, head) for attr, head in COLUMNS])
    for row in rows:
        writer.writerow([_csv_value(row, attr) for attr, _ in COLUMNS])
    return out.getvalue()


def _csv_header(attr: str, head: str) -> str:
    if attr.endswith("_ns"):
        return f"{head} (us)"
    return f"{head} (bytes)" if attr == "saved_bytes" else head


def _csv_value(row: CostRow, attr: str) -> str:
    value = getattr(row, attr)
    if value is None:
        return ""
    if attr.endswith("_ns"):
        return f"{value / 1e3:.3f}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def format_ns(ns: float | None) -> str:
    """A time as the table shows it: '850 us', '12.3 ms', '1.20 s' ('' for None)."""
    if ns is None:
        return ""
    us = ns / 1e3
    if us < 1000:
        return f"{us:.3g} us"
    return f"{us / 1e3:.3g} ms" if us < 1e6 else f"{us / 1e6:.3g} s"


def format_bytes(n: float) -> str:
    """A size as the table shows it: '800 B', '324 KiB', '1.5 MiB'."""
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:.0f} B"
