"""The timeline's numbers, Qt-free: spans of consecutive iterations laid side by side on one
time axis, in forward / backward / update lanes, ops nested under the module calls that ran
them (backward nodes under their forward op's modules); the tick marks of an axis; and the
visible time window that zoom and pan move.

Example:
    tl = build_timeline([cap4, cap5])
    [(s.lane, s.depth, s.label) for s in tl.spans][:2]  # [('forward', 0, '<model>'), ...]
    window = TimeWindow(0, tl.total_ns, tl.total_ns).zoom(2.0, anchor_ns=tl.total_ns / 2)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = ["LANES", "Span", "TimeWindow", "Timeline", "build_timeline", "format_ns",
           "nice_ticks", "span_tip"]

LANES = ("forward", "backward", "update")
GAP = 0.04  # space between iterations, as a share of the longest one


@dataclass(slots=True)
class Span:
    """One bar: a module call, an op, a backward node or the optimizer's update. Times are
    ns on the timeline's axis (the iteration's offset added); `key` is the graph node to
    select ("" for modules and the update)."""

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
class Timeline:
    """Spans of one or more iterations; `rows` per lane; `iterations` as (index, start,
    end) on the axis."""

    spans: list[Span] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LANES, 1))
    iterations: list[tuple[int, float, float]] = field(default_factory=list)
    total_ns: float = 0.0


def build_timeline(captures: Sequence[Any]) -> Timeline:
    """The timeline of `captures` (consecutive iterations, oldest first), side by side."""
    tl = Timeline()
    caps = [c for c in captures if c is not None]
    longest = max((_duration(c) for c in caps), default=0)
    offset = 0.0
    for cap in caps:
        duration = _duration(cap)
        tl.spans += _capture_spans(cap, offset)
        tl.iterations.append((int(cap.index), offset, offset + duration))
        offset += duration + GAP * longest
    tl.total_ns = max(offset - GAP * longest, 0.0)
    for lane in LANES:
        tl.rows[lane] = 1 + max((s.depth for s in tl.spans if s.lane == lane), default=0)
    tl.spans.sort(key=lambda s: (LANES.index(s.lane), s.depth, s.start_ns))
    return tl


def _duration(cap: Any) -> float:
    ends = [n.start_ns + n.time_ns for n in cap.nodes] + [
        b.start_ns + b.time_ns for b in cap.backward] + [e for _, e in cap.phases.values()]
    return float(max([cap.duration_ns, *ends]))


def _depth(path: str) -> int:
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
    module path, each run of consecutive backward nodes inside it (so they nest)."""
    ordered = sorted(nodes, key=lambda s: s.start_ns)
    paths = {".".join(s.module.split(".")[:i]) for s in ordered if s.module
             for i in range(1, s.module.count(".") + 2)}
    out: list[Span] = []
    for path in sorted(paths):
        run: list[Span] = []
        for s in [*ordered, None]:
            inside = s is not None and (s.module == path or s.module.startswith(path + "."))
            if inside:
                run.append(s)
            elif run:
                out.append(Span("backward", _depth(path), run[0].start_ns,
                                run[-1].end_ns - run[0].start_ns, path, "module",
                                module=path, iteration=run[0].iteration))
                run = []
    return out


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
