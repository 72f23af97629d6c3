"""The Costs dock on the CNN example, driven as a user would: which op is slowest (the top row
by total time), which module, a click that selects and centres it, and the CSV export."""

from __future__ import annotations

import csv

import pytest
from PySide6.QtCore import Qt

from tests.ui.conftest import EXAMPLES


def _cnn(open_window, qtbot):
    window = open_window(EXAMPLES / "cnn_shapes.py")
    panel = window.cost_panel
    qtbot.waitUntil(lambda: bool(panel.table.rows), timeout=10_000)
    return window, panel


def _row_rect_centre(panel, row: int):
    index = panel.proxy.index(row, 0)
    panel.view.scrollTo(index)
    return panel.view.visualRect(index).center()


def test_the_top_row_by_total_time_is_the_most_expensive_op(qtbot, open_window, tmp_path):
    window, panel = _cnn(open_window, qtbot)
    assert not panel.grouped.isChecked()                            # flat: ops only
    # The capture's own numbers: each op's forward plus backward, averaged over the
    # iterations the table says it averages (the one drawn, unless more arrived).
    model = window.model
    caps = [model.capture_at(i) for i in range(len(model.captures))]
    caps = [c for c in caps if c.index in panel.table.iterations]
    assert caps and len(caps) == len(panel.table.iterations)
    totals: dict[str, float] = {}
    for cap in caps:
        for n in cap.nodes:
            if n.kind == "op":
                totals[n.key] = totals.get(n.key, 0.0) + (
                    n.time_ns + cap.backward[n.backward].time_ns) / len(caps)
    cap = caps[-1]
    slowest = max(totals, key=totals.get)
    top = panel.shown_rows()[0]
    assert top.key == slowest and top.total_ns == pytest.approx(totals[slowest])
    assert panel.proxy.rowCount() == len(totals)
    # A click on that row selects the node and brings it into view.
    qtbot.mouseClick(panel.view.viewport(), Qt.LeftButton, pos=_row_rect_centre(panel, 0))
    assert window.model.selected == slowest
    item = window.scene.nodes[slowest]
    assert item.isSelected()
    visible = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    assert visible.contains(item.pos())
    # Selecting on the graph selects the op's line here (the shared selection).
    other = min(totals, key=totals.get)
    relu = window.scene.nodes[other]
    window.view.centerOn(relu)
    qtbot.mouseClick(window.view.viewport(), Qt.LeftButton,
                     pos=window.view.mapFromScene(relu.pos()))
    assert window.model.selected == other
    from app.ui.cost_model import ROW_ROLE

    assert panel.proxy.data(panel.view.currentIndex(), ROW_ROLE).key == other
    # Export CSV writes the rows shown, in the order shown, and parses back.
    out = panel.export_csv(tmp_path / "costs.csv")
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == len(totals)
    assert rows[0]["Name"] == cap.node_by_key(slowest).op
    assert float(rows[0]["Total (us)"]) == pytest.approx(totals[slowest] / 1e3, abs=1e-3)


def test_grouped_by_module_with_a_filter_and_an_average_over_iterations(qtbot, open_window):
    window, panel = _cnn(open_window, qtbot)
    qtbot.mouseClick(panel.grouped, Qt.LeftButton)
    assert panel.grouped.isChecked()
    tops = [panel.proxy.data(panel.proxy.index(r, 0)) for r in range(panel.proxy.rowCount())]
    assert {"0", "3", "7", "CrossEntropy"} <= set(tops)             # modules, top-level op
    conv = panel.proxy.index(tops.index("3"), 0)
    assert panel.proxy.data(panel.proxy.index(0, 0, conv)) == "Conv2d"
    qtbot.keyClicks(panel.filter_box, "maxpool")
    names = {r.name for r in panel.shown_rows()}
    assert names == {"2", "5", "MaxPool2d"}                         # the op and its modules
    panel.filter_box.clear()
    # Run two more iterations: the default average takes all three, "last 1" only the newest.
    seen = window.model.iterations_seen
    window.command("run")
    qtbot.waitUntil(lambda: window.model.iterations_seen >= seen + 2, timeout=30_000)
    window.command("pause")
    qtbot.waitUntil(lambda: len(panel.table.iterations) >= 3, timeout=10_000)
    panel.count.setValue(1)
    assert panel.table.iterations == (window.model.capture().index,)
    panel.scope.setCurrentIndex(panel.scope.findData("current"))
    assert not panel.count.isEnabled()
    assert panel.table.iterations == (window.model.capture().index,)
