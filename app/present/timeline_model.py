"""The timeline's numbers, Qt-free: spans of consecutive iterations laid side by side on one
time axis, in forward / backward / update lanes, ops nested under the module calls that ran
them (backward nodes under their forward op's modules); the tick marks of an axis; and the
visible time window that zoom and pan move.

Example:
    tl = build_timeline([cap4, cap5])
    [(s.lane, s.depth, s.label) for s in tl.spans][:2]  # [('forward', 0, '<model>'), ...]
    tl.lines[("forward", 2)].starts                     # the row's start times on the axis
    window = TimeWindow(0, tl.total_ns, tl.total_ns).zoom(2.0, anchor_ns=tl.total_ns / 2)
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

__all__ = ["LANES", "CaptureSpans", "Row", "Span", "TimeWindow", "Timeline", "build_timeline",
           "capture_spans", "format_ns", "nice_ticks", "span_tip", "visible"]

LANES = ("forward", "backward", "update")
GAP = 0.04  # space between iterations, as a share of the longest one


@dataclass(slots=True)
class Span:
    """One bar: a module call, an op, a backward node or the optimizer's update. Times are
    ns from the start of its iteration (the timeline places iterations; see `Row`); `key` is
    the graph node to select ("" for modules and the update)."""

    lane: str
    depth: int
    start_ns: float
    dur_ns: float
    label: str
    kind: str  # "module", "op", "backward", "update"
    key: str = ""
    module: str = ""
    source: str = ""
    iteration: int = 0

    @property
    def end_ns(self) -> float:
        return self.start_ns + self.dur_ns


@dataclass(slots=True)
class Row:
    """The spans of one (lane, depth) row in time order, and their start and end times as
    arrays (on the timeline's axis; from the capture's start in a `CaptureSpans`)."""

    spans: list[Span]
    starts: np.ndarray
    ends: np.ndarray


@dataclass(slots=True)
class CaptureSpans:
    """One capture's rows, built once per capture (a view may cache it by capture)."""

    index: int
    duration: float
    rows: dict[tuple[str, int], Row]


@dataclass(slots=True)
class Timeline:
    """Rows of one or more iterations side by side: `lines[(lane, depth)]`, `rows[lane]`
    (how many depths it has), `iterations` as (index, start, end) on the axis."""

    lines: dict[tuple[str, int], Row] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LANES, 1))
    iterations: list[tuple[int, float, float]] = field(default_factory=list)
    total_ns: float = 0.0

    @property
    def spans(self) -> list[Span]:
        return [s for key in sorted(self.lines, key=_row_order) for s in self.lines[key].spans]

    def offset_of(self, iteration: int) -> float:
        """Where iteration `iteration` starts on the axis (0 when it is not shown)."""
        return next((start for i, start, _ in self.iterations if i == iteration), 0.0)


def capture_spans(cap: Any) -> CaptureSpans:
    """The rows of one capture (times from its start)."""
    rows: dict[tuple[str, int], list[Span]] = {}
    for span in _capture_spans(cap, 0.0):
        rows.setdefault((span.lane, span.depth), []).append(span)
    out = {}
    for key, spans in rows.items():
        spans.sort(key=lambda s: s.start_ns)
        starts = np.array([s.start_ns for s in spans], dtype=np.float64)
        out[key] = Row(spans, starts, starts + np.array([s.dur_ns for s in spans]))
    return CaptureSpans(int(cap.index), _duration(cap), out)


def build_timeline(captures: Sequence[Any],
                   spans_of: Callable[[Any], CaptureSpans] = capture_spans) -> Timeline:
    """The timeline of `captures` (consecutive iterations, oldest first), side by side;
    `spans_of` may answer from a cache (a capture's spans do not depend on its neighbours)."""
    tl = Timeline()
    parts = [spans_of(c) for c in captures if c is not None]
    longest = max((p.duration for p in parts), default=0.0)
    offset = 0.0
    pieces: dict[tuple[str, int], list[tuple[Row, float]]] = {}
    for part in parts:
        tl.iterations.append((part.index, offset, offset + part.duration))
        for key, row in part.rows.items():
            pieces.setdefault(key, []).append((row, offset))
        offset += part.duration + GAP * longest
    tl.total_ns = max(offset - GAP * longest, 0.0)
    for key, rows in pieces.items():
        tl.lines[key] = Row([s for row, _ in rows for s in row.spans],
                            np.concatenate([row.starts + off for row, off in rows]),
                            np.concatenate([row.ends + off for row, off in rows]))
    for lane in LANES:
        tl.rows[lane] = 1 + max((d for ln, d in tl.lines if ln == lane), default=0)
    return tl


def visible(row: Row, start_ns: float, px_per_ns: float, left: float, right: float
            ) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """What of `row` to draw on pixels [left, right] with the axis at `start_ns` there: the
    indices of bars at least 2 px wide, and the runs of pixel columns [x0, x1) covered by
    narrower ones (thousands of tiny ops collapse into a few marks, in time linear in
    the row, not in Python per span)."""
    x0 = left + (row.starts - start_ns) * px_per_ns
    x1 = left + (row.ends - start_ns) * px_per_ns
    seen = (x1 >= left) & (x0 <= right)
    wide = seen & (x1 - x0 >= 2.0)
    # Sorted pixel columns; repeats are not gaps. (np.unique would import a numpy submodule
    # on first use: ~50 ms in the middle of a live run's first paint.)
    cols = np.sort(np.clip(x0[seen & ~wide], left, right).astype(np.int64))
    runs: list[tuple[int, int]] = []
    if cols.size:
        breaks = np.nonzero(cols[1:] - cols[:-1] > 1)[0]
        firsts = np.concatenate([[0], breaks + 1])
        lasts = np.concatenate([breaks, [cols.size - 1]])
        runs = [(int(cols[a]), int(cols[b]) + 1) for a, b in zip(firsts, lasts, strict=True)]
    return np.nonzero(wide)[0], runs


def _row_order(key: tuple[str, int]) -> tuple[int, int]:
    return LANES.index(key[0]), key[1]


def _duration(cap: Any) -> float:
    ends = [n.start_ns + n.time_ns for n in cap.nodes] + [
        b.start_ns + b.time_ns for b in cap.backward] + [e for _, e in cap.phases.values()]
    return float(max([cap.duration_ns, *ends]))


@functools.lru_cache(maxsize=4096)
def _depth(path: str) -> int:
    """Nesting depth of a module path: the model itself 0, `block` 1, `block.attn` 2."""
    return path.count(".") + 1 if path else 0


def _capture_spans(cap: Any, offset: float) -> list[Span]:
    it = int(cap.index)
    spans = [Span("forward" if m.phase == "forward" else m.phase, _depth(m.path),
                  offset + m.start_ns, m.time_ns, m.path or "<model>", "module",
                  module=m.path, iteration=it)
             for m in cap.modules if m.phase in LANES]
    for n in cap.nodes:
        if n.kind == "op" and n.phase in LANES:
            spans.append(Span(n.phase, _depth(n.module) + 1, offset + n.start_ns, n.time_ns,
                              n.op, "op", n.key, n.module, n.source, it))
    backward = []
    for b in cap.backward:
        fwd = cap.nodes[b.forward] if 0 <= b.forward < len(cap.nodes) else None
        module = fwd.module if fwd is not None else ""
        backward.append(Span("backward", _depth(module) + 1, offset + b.start_ns, b.time_ns,
                             b.name, "backward", fwd.key if fwd is not None else "", module,
                             fwd.source if fwd is not None else "", it))
    spans += backward + _backward_modules(backward)
    start, end = cap.phases.get("update", (-1, -1))
    if start >= 0 and end >= start:
        spans.append(Span("update", 0, offset + start, end - start, "optimizer step", "update",
                          iteration=it))
    return spans


def _backward_modules(nodes: list[Span]) -> list[Span]:
    """Module spans of the backward lane (modules have no backward call of their own): per
    module path, each run of consecutive backward nodes inside it (so they nest). One pass,
    keeping the chain of runs open (outermost first)."""
    out: list[Span] = []
    open_runs: list[list] = []  # [path, first span, last span]
    for s in sorted(nodes, key=lambda s: s.start_ns):
        parts = s.module.split(".") if s.module else []
        chain = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
        keep = 0
        while keep < min(len(open_runs), len(chain)) and open_runs[keep][0] == chain[keep]:
            keep += 1
        for run in reversed(open_runs[keep:]):
            out.append(_module_run(*run))
        del open_runs[keep:]
        for run in open_runs:
            run[2] = s
        open_runs += [[path, s, s] for path in chain[keep:]]
    out += [_module_run(*run) for run in reversed(open_runs)]
    return out


def _module_run(path: str, first: Span, last: Span) -> Span:
    return Span("backward", _depth(path), first.start_ns, last.end_ns - first.start_ns, path,
                "module", module=path, iteration=first.iteration)


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """The visible part [start, end] of an axis [0, total] (ns): zoom about a point, pan;
    never beyond the axis, never narrower than `MIN_NS`."""

    start: float
    end: float
    total: float

    MIN_NS = 100.0

    @property
    def span(self) -> float:
        return self.end - self.start

    def zoom(self, factor: float, anchor_ns: float) -> TimeWindow:
        """`factor` > 1 zooms in, keeping `anchor_ns` where it is on screen."""
        width = min(max(self.span / factor, self.MIN_NS), max(self.total, self.MIN_NS))
        share = (anchor_ns - self.start) / self.span if self.span > 0 else 0.5
        return self._clamped(anchor_ns - share * width, width)

    def pan(self, delta_ns: float) -> TimeWindow:
        return self._clamped(self.start + delta_ns, self.span)

    def fit(self) -> TimeWindow:
        return replace(self, start=0.0, end=max(self.total, self.MIN_NS))

    def _clamped(self, start: float, width: float) -> TimeWindow:
        start = min(max(start, 0.0), max(self.total - width, 0.0))
        return replace(self, start=start, end=start + width)


def nice_ticks(start: float, end: float, count: int = 8) -> list[tuple[float, str]]:
    """Tick positions (ns) at 1-2-5 steps covering [start, end], at most about `count`."""
    if not (end > start) or count < 1:
        return []
    raw = (end - start) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(start / step) * step
    n = int((end - first) // step) + 1
    return [(first + i * step, format_ns(first + i * step)) for i in range(n)]


def format_ns(ns: float) -> str:
    """A time for axis and tooltips: ns, us, ms or s with three significant digits."""
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if abs(ns) >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def span_tip(span: Span) -> tuple[str, list[str]]:
    """A bar's hover text: title (op / module) and lines with module, time, file:line."""
    lines = [f"{span.lane} {span.kind}, iteration {span.iteration}: {format_ns(span.dur_ns)}"]
    if span.kind != "module" and span.module:
        lines.append(f"module: {span.module}")
    if span.source:
        lines.append(f"at {span.source}")
    if span.key and span.key != span.label:
        lines.append(f"node: {span.key}")
    return span.label, lines
