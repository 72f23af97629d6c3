"""The timeline's numbers without Qt: nesting, lanes, iterations side by side, zoom and pan,
ticks, and the multi-iteration Chrome trace."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import numpy as np
import pytest

from app.present.timeline_model import (
    Row,
    TimeWindow,
    build_timeline,
    format_ns,
    nice_ticks,
    span_tip,
    visible,
)
from autograd_core import trace

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "examples" / "tiny_transformer.py"


@pytest.fixture(scope="module")
def captures() -> list:
    ns = runpy.run_path(str(EXAMPLE))
    with trace.record(stats="basic") as rec:
        for i in range(3):
            ns["step"](i)
            rec.next_iteration()
    return rec.captures


def _inside(inner, outer) -> bool:
    return outer.start_ns <= inner.start_ns and inner.end_ns <= outer.end_ns + 1


def test_ops_nest_under_their_module_calls_in_both_lanes(captures):
    tl = build_timeline(captures[:1])
    modules = [s for s in tl.spans if s.kind == "module"]
    for lane in ("forward", "backward"):
        nested = [s for s in tl.spans if s.lane == lane and s.kind != "module" and s.module]
        assert nested
        for op in nested:
            parents = [m for m in modules if m.lane == lane and m.module == op.module
                       and m.depth == op.depth - 1 and _inside(op, m)]
            assert parents, (lane, op.label, op.module)
    assert tl.rows["forward"] >= 3 and tl.rows["update"] == 1
    assert [s.label for s in tl.spans if s.lane == "update"] == ["optimizer step"]


def test_iterations_sit_side_by_side_in_order(captures):
    tl = build_timeline(captures)
    assert [i for i, _, _ in tl.iterations] == [c.index for c in captures]
    for (_, _, end), (_, start, _) in zip(tl.iterations, tl.iterations[1:], strict=False):
        assert start > end
    bounds = {index: (start, end) for index, start, end in tl.iterations}
    for row in tl.lines.values():                   # on the axis, inside their iteration
        assert list(row.starts) == sorted(row.starts)
        for span, start, end in zip(row.spans, row.starts, row.ends, strict=True):
            lo, hi = bounds[span.iteration]
            assert lo <= start and end <= hi + 1
            assert start == pytest.approx(tl.offset_of(span.iteration) + span.start_ns)
    assert tl.total_ns == pytest.approx(tl.iterations[-1][2])


def test_tiny_bars_collapse_into_pixel_runs_and_wide_ones_stay_bars():
    row = Row([], np.array([0.0, 1.0, 2.0, 100.0, 500.0]), np.array([0.5, 1.5, 2.5, 300.0, 501]))
    wide, runs = visible(row, 0.0, 1.0, 10.0, 400.0)  # 1 px per ns, the axis from x=10
    assert list(wide) == [3]                        # 200 px wide; the others are under 2
    assert runs == [(10, 13)]                       # three tiny bars: one 3-px mark; 500 is off


def test_zoom_keeps_the_anchor_and_pan_stays_on_the_axis():
    w = TimeWindow(0, 1000, 1000)
    z = w.zoom(4, anchor_ns=500)
    assert (z.start, z.end) == (375, 625)
    share = (800 - 0) / 1000
    z2 = w.zoom(2, anchor_ns=800)
    assert (800 - z2.start) / z2.span == pytest.approx(share)
    assert z.pan(-10_000).start == 0 and z.pan(10_000).end == 1000
    assert z.zoom(1e9, 500).span == TimeWindow.MIN_NS
    assert z.fit() == TimeWindow(0, 1000, 1000)


def test_ticks_are_round_and_cover_the_window():
    ticks = nice_ticks(0, 8_385_615, 8)
    assert [t for t, _ in ticks] == [0, 2e6, 4e6, 6e6, 8e6]  # at most 8, on 1-2-5 steps
    assert ticks[1][1] == "2 ms" and format_ns(1500) == "1.5 us"
    assert nice_ticks(5, 5) == []


def test_hover_text_names_op_module_time_and_line(captures):
    tl = build_timeline(captures[:1])
    op = next(s for s in tl.spans if s.kind == "op" and s.module)
    title, lines = span_tip(op)
    text = "\n".join(lines)
    assert title == op.label and f"module: {op.module}" in text
    assert format_ns(op.dur_ns) in text and op.source in text and ".py:" in op.source


def test_several_iterations_export_as_one_chrome_trace(captures, tmp_path):
    path = tmp_path / "trace.json"
    trace.export_chrome_trace(captures[1:], path)
    events = json.loads(path.read_text())["traceEvents"]
    its = [e for e in events if e.get("cat") == "iteration"]
    assert [e["name"] for e in its] == ["iteration 1", "iteration 2"]
    assert its[1]["ts"] >= its[0]["ts"] + its[0]["dur"]
    ops = [e for e in events if e.get("cat") == "op"]
    assert ops and all("module" in e["args"] and "source" in e["args"] for e in ops)
