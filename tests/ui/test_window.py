"""The window on the default example: running, stepping, selecting, collapsing, searching."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent

from app.layout import GroupNode
from app.ui.graph_presenter import capture_graph
from app.ui.items import NodeItem


def _op_items(window) -> list[NodeItem]:
    return [i for i in window.scene.nodes.values() if i.kind == "op"]


def test_opening_the_default_example_draws_its_graph(qtbot, spiral_window):
    labels = {i.label for i in spiral_window.scene.nodes.values()}
    assert {"Linear", "Relu", "CrossEntropy", "loss"} <= labels
    panel = spiral_window.inspector.current_panel
    qtbot.waitUntil(lambda: panel().objectName() == "CapturePanel", timeout=2_000)
    assert panel().title.text().startswith("Iteration 0")


def test_run_then_pause_adds_captures_and_updates_the_status_bar(qtbot, spiral_window,
                                                                 wait_state):
    w = spiral_window
    before = w.model.iterations_seen
    w.actions["run"].trigger()
    qtbot.waitUntil(lambda: w.model.iterations_seen >= before + 3, timeout=20_000)
    w.actions["pause"].trigger()
    wait_state(w, "idle")
    qtbot.waitUntil(lambda: "paused" in w.state_label.text(), timeout=2_000)
    assert w.toolbar.scrubber.maximum() == len(w.model.captures) - 1 >= 3
    assert len(w.model.losses) >= 4


def test_step_forward_grows_the_view_and_step_backward_marks_the_node(qtbot, spiral_window,
                                                                     wait_state):
    w = spiral_window
    for n in range(1, 4):
        w.actions["step_forward"].trigger()
        qtbot.waitUntil(lambda n=n: len(w.model.step_records) == n, timeout=20_000)
        qtbot.waitUntil(lambda n=n: len(_op_items(w)) == n, timeout=5_000)
    ops = [i.label for i in _op_items(w)]
    assert ops == ["Linear", "Relu", "Linear"]
    assert [i.mark for i in _op_items(w)] == ["", "", "step"]      # the op that just ran
    # The params and the input those ops read are drawn too, wired as in the full graph.
    stepped = set(w.scene.graph.edges)
    assert {("param:0.weight", "0/Linear#0"), ("input:0", "0/Linear#0"),
            ("param:2.bias", "2/Linear#0"), ("0/Linear#0", "1/Relu#0")} <= stepped
    assert w.scene.nodes["param:0.weight"].label == "0.weight"
    assert w.scene.nodes["input:0"].detail == "300x2"
    full = capture_graph(w.model.capture())                          # iteration 0, complete
    assert set(w.scene.graph.nodes) <= set(full.nodes) and stepped <= set(full.edges)
    assert w.inspector.current_panel().title.text().startswith("Linear")
    w.actions["step_backward"].trigger()
    qtbot.waitUntil(lambda: w.model.last_step is not None
                    and w.model.last_step.phase == "backward", timeout=20_000)
    marked = [i for i in w.scene.nodes.values() if i.mark]
    assert [i.label for i in marked] == ["CrossEntropy"]           # its backward ran first
    grads = [e for e in w.scene.edges.values() if e.mark == "grad"]
    assert {e.key[1] for e in grads} == {marked[0].key} and len(grads) == 2
    assert "CrossEntropyBackward0" in w.inspector.current_panel().title.text()
    w.actions["run_one"].trigger()                                  # finish the iteration
    wait_state(w, "idle")


def test_selecting_a_node_changes_the_inspector(qtbot, spiral_window):
    w = spiral_window
    relu = next(i for i in w.scene.nodes.values() if i.label == "Relu")
    w.view.centerOn(relu)
    qtbot.mouseClick(w.view.viewport(), Qt.LeftButton,
                     pos=w.view.mapFromScene(relu.pos()))
    assert w.model.selected == relu.key
    panel = w.inspector.current_panel()
    assert "Relu" in panel.title.text()
    assert panel.tree.topLevelItemCount() > 3
    w.model.select_node(None)                                       # model -> scene
    assert not relu.isSelected()


def test_double_click_collapses_and_expands_a_module(qtbot, spiral_window):
    w = spiral_window
    frame = w.scene.frames["2"]
    w.view.centerOn(frame)
    corner = frame.title_at + QPointF(-2, -4)  # in the title line, inside the outline
    qtbot.mouseDClick(w.view.viewport(), Qt.LeftButton, pos=w.view.mapFromScene(corner))
    assert GroupNode("2") in w.scene.nodes
    assert "2/Linear#0" not in w.scene.nodes
    group = w.scene.nodes[GroupNode("2")]
    w.scene.item_double_clicked(group)
    assert "2/Linear#0" in w.scene.nodes and GroupNode("2") not in w.scene.nodes


def test_search_selects_matches_in_turn(qtbot, spiral_window):
    w = spiral_window
    first = w.view.search("relu")
    second = w.view.search("relu")
    assert {first, second} == {"1/Relu#0", "3/Relu#0"}
    assert w.model.selected == second
    assert w.view.search("spiral_mlp.py:") is not None              # by source line
    assert w.view.search("no such op") is None


def test_zoom_out_switches_to_the_batched_overview_and_back(qtbot, spiral_window):
    w = spiral_window
    w.view.resetTransform()
    pos = QPointF(w.view.viewport().rect().center())
    for _ in range(12):
        event = QWheelEvent(pos, w.view.mapToGlobal(pos.toPoint()), QPoint(0, 0),
                            QPoint(0, -120), Qt.NoButton, Qt.NoModifier,
                            Qt.NoScrollPhase, False)
        w.view.wheelEvent(event)
    assert w.scene.overview and w.view.scale_factor() < 0.35
    assert not w.view.grab().toImage().isNull()
    w.view.fit()
    assert not w.scene.overview


def test_themes_and_settings_persist(qtbot, spiral_window, settings):
    w = spiral_window
    start = w.theme.name
    w.actions["toggle_theme"].trigger()
    assert w.theme.name != start and settings.theme == w.theme.name
    assert settings.recent_files[0].endswith("spiral_mlp.py")


def test_the_capture_panel_says_how_its_times_were_measured(qtbot, spiral_window):
    panel = spiral_window.inspector.current_panel
    qtbot.waitUntil(lambda: panel().objectName() == "CapturePanel", timeout=2_000)
    tree = panel().tree
    rows = {tree.topLevelItem(i).text(0): tree.topLevelItem(i).text(1)
            for i in range(tree.topLevelItemCount())}
    # The window's workers default to one BLAS thread; the capture records it.
    assert rows["timed with"].startswith("wall clock, 1 thread;")
    assert "pauses excluded" in rows["timed with"]
