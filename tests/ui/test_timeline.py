"""The timeline dock driven as a user would: several iterations side by side, wheel zoom,
drag pan, hover naming op / module / time / file:line, a click selecting the node and panning
the graph to it, and the iterations shown exported as one Chrome trace."""

from __future__ import annotations

import json

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QHelpEvent, QWheelEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QToolTip

from tests.ui.conftest import EXAMPLES


def _wheel(widget, x: float, steps: int) -> None:
    pos = QPointF(x, widget.height() / 2)
    QApplication.sendEvent(widget, QWheelEvent(
        pos, widget.mapToGlobal(pos), QPoint(), QPoint(0, 120 * steps), Qt.NoButton,
        Qt.NoModifier, Qt.NoScrollPhase, False))


def test_timeline_zooms_pans_hovers_selects_and_exports(qtbot, open_window, wait_state,
                                                       tmp_path, monkeypatch):
    w = open_window(EXAMPLES / "tiny_transformer.py")
    for _ in range(2):
        n = w.model.iterations_seen
        w.actions["run_one"].trigger()
        qtbot.waitUntil(lambda n=n: w.model.iterations_seen > n, timeout=60_000)
        wait_state(w, "idle")
    assert len(w.model.captures) >= 3
    tl = w.timeline
    w.docks["Timeline"].show()
    tl.resize(1600, 260)
    tl.iterations.setValue(3)                                        # three, side by side
    qtbot.waitUntil(lambda: len(tl.timeline.iterations) == 3, timeout=5_000)
    last = w.model.capture().index
    assert [i for i, _, _ in tl.timeline.iterations] == [last - 2, last - 1, last]
    tl.repaint()
    assert {lane for _r, _k, lane, _l, _t in tl._bars} == {"forward", "backward", "update"}
    # zoom in with the wheel about the middle, then drag to pan back to the start
    before = tl.window_ns.span
    _wheel(tl, tl.width() / 2, 3)
    assert tl.window_ns.span < before / 1.9
    start = tl.window_ns.start
    assert start > 0
    qtbot.mousePress(tl, Qt.LeftButton, pos=QPoint(400, 150))
    qtbot.mouseMove(tl, QPoint(1500, 150))
    qtbot.mouseRelease(tl, Qt.LeftButton, pos=QPoint(1500, 150))
    assert tl.window_ns.start < start
    tl.fit_button.click()
    assert tl.window_ns.start == 0 and tl.window_ns.span >= tl.timeline.total_ns
    tl.repaint()
    # hover an op of a module: op, module, time, file:line
    rect, key, _lane, label, _t = next(
        b for b in tl._bars if b[2] == "forward" and b[1] and "/" in b[1]
        and not b[1].startswith("/") and b[0].width() > 4)
    centre = rect.center().toPoint()
    node = w.model.capture().node_by_key(key)
    QApplication.sendEvent(tl, QHelpEvent(QEvent.ToolTip, centre, tl.mapToGlobal(centre)))
    tip = QToolTip.text()
    assert label in tip and f"module: {node.module}" in tip and node.source in tip
    assert " us" in tip or " ms" in tip
    # a click selects the node and pans the graph to it
    w.view.centerOn(0, 0)
    qtbot.mouseClick(tl, Qt.LeftButton, pos=centre)
    assert w.model.selected == key
    item = w.scene.nodes.get(key)
    if item is not None:  # (inside a collapsed module the box is the group's)
        seen = w.view.mapToScene(w.view.viewport().rect()).boundingRect()
        assert seen.contains(item.sceneBoundingRect().center())
    # export the three iterations as one Chrome trace
    out = tmp_path / "three.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    tl.export_button.click()
    events = json.loads(out.read_text())["traceEvents"]
    names = [e["name"] for e in events if e.get("cat") == "iteration"]
    assert names == [f"iteration {i}" for i in (last - 2, last - 1, last)]
