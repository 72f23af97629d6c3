"""The Costs and Gradient health docks on a session whose every name is hostile (markup,
control characters, an <img> naming a probe file): names show literally, tooltips are escaped,
and painting the lists opens no file."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.test_hostile_text import (  # noqa: F401  (fixtures)
    _check_tooltip,
    hostile_file,
    hostile_window,
    probe,
)


def _walk(model, column_names: list[str], wanted: set[str]) -> int:
    """Check the tooltip of every named cell against its shown text; returns cells seen."""
    seen = 0
    stack = [model.index(r, 0) for r in range(model.rowCount())]
    while stack:
        index = stack.pop()
        for col, head in enumerate(column_names):
            if head in wanted:
                cell = index.siblingAtColumn(col)
                text = model.data(cell, Qt.DisplayRole)
                if text:
                    _check_tooltip(model.data(cell, Qt.ToolTipRole) or "", text)
                    seen += 1
        stack.extend(model.index(r, 0, index) for r in range(model.rowCount(index)))
    return seen


def test_cost_and_health_lists_show_hostile_names_literally(
        qtbot, hostile_window, probe):  # noqa: F811 (the imported fixtures)
    w = hostile_window
    cap = w.model.capture()
    costs = w.cost_panel
    qtbot.waitUntil(lambda: bool(costs.table.rows), timeout=10_000)
    heads = [costs.proxy.headerData(c, Qt.Horizontal) for c in range(costs.proxy.columnCount())]
    ops = {n.op for n in cap.nodes if n.kind == "op"}
    assert {r.name for r in costs.shown_rows()} == ops                # flat: the literal names
    assert _walk(costs.proxy, heads, {"Name", "Module", "Source"}) >= len(ops)
    qtbot.mouseClick(costs.grouped, Qt.LeftButton)                    # the module tree too
    assert _walk(costs.proxy, heads, {"Name", "Module", "Source"}) > len(ops)
    costs.grab()
    w.docks["Gradient health"].raise_()
    health = w.health_panel
    health.refresh()
    params = set(cap.health.param_grad_norms)
    shown = {health.proxy.data(health.proxy.index(r, 0)) for r in range(health.proxy.rowCount())}
    assert shown == params
    hheads = [health.proxy.headerData(c, Qt.Horizontal)
              for c in range(health.proxy.columnCount())]
    assert _walk(health.proxy, hheads, {"Name", "Module", "Source"}) >= len(params)
    health.grab()
    assert probe.opened() == [], "a panel loaded an <img> named in the data"
