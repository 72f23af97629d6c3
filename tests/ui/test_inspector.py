"""The inspector answers with names and pictures: inputs and gradients named by the nodes
they come from ("grad to 2.weight"), a backward node by its forward op, the user's source
line with the code around it, a histogram and thumbnail heatmap once the level records them
(and which level to choose before), and the node's history across captured iterations."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.ui import run_state as rs
from tests.ui.conftest import EXAMPLES, STARTUP_MS


def _click_node(qtbot, w, key):
    item = w.scene.nodes[key]
    w.view.centerOn(item)
    qtbot.mouseClick(w.view.viewport(), Qt.LeftButton, pos=w.view.mapFromScene(item.pos()))
    qtbot.waitUntil(lambda: w.inspector.record is not None
                    and getattr(w.inspector.record, "key", None) == key, timeout=5000)
    return w.inspector.current_panel()


def _rows(panel) -> dict[str, str]:
    tree = panel.tree
    return {tree.topLevelItem(i).text(0): tree.topLevelItem(i).toolTip(1)
            for i in range(tree.topLevelItemCount())}


def _run_one(qtbot, w) -> None:
    before = w.model.iterations_seen
    w.actions["run_one"].trigger()
    qtbot.waitUntil(lambda: w.model.iterations_seen > before
                    and w.model.run_state == rs.IDLE, timeout=STARTUP_MS)
    w._on_status_timer_timeout()  # the panels follow at the 10 Hz tick: take it now


def test_inputs_and_gradients_are_named_by_their_nodes(qtbot, spiral_window):
    panel = _click_node(qtbot, spiral_window, "2/Linear#0")
    names = list(_rows(panel))
    assert {"from Relu in 1", "from 2.weight", "from 2.bias"} <= set(names)
    assert {"grad to Relu in 1", "grad to 2.weight", "grad to 2.bias"} <= set(names)
    assert not [n for n in names if n.startswith("grad to input") or n.startswith("input ")]


def test_source_tab_shows_the_users_line_with_code_around_it(qtbot, spiral_window):
    panel = _click_node(qtbot, spiral_window, "2/Linear#0")
    panel.extras.setCurrentIndex(0)
    text = panel.extras.source.toPlainText()
    lines = (EXAMPLES / "spiral_mlp.py").read_text().splitlines()
    assert "→ 44  " + lines[43] in text          # the line itself, marked
    assert lines[42] in text and lines[44] in text  # and the code around it


def test_values_tab_names_the_level_then_draws_histogram_and_heatmap(qtbot, spiral_window):
    w = spiral_window
    panel = _click_node(qtbot, w, "2/Linear#0")
    panel.extras.setCurrentIndex(1)
    values = panel.extras.values
    assert w.model.capture().level == "basic"
    assert "full" in values.note.text() and not values.has_histogram
    combo = w.toolbar.recording
    combo.setCurrentIndex(combo.findData("full"))
    combo.activated.emit(combo.findData("full"))   # as picking it in the toolbar does
    _run_one(qtbot, w)
    qtbot.waitUntil(lambda: w.model.capture().level == "full", timeout=STARTUP_MS)
    panel = _click_node(qtbot, w, "param:2.weight")
    panel.extras.setCurrentIndex(1)
    values = panel.extras.values
    assert values.has_histogram and values.has_heatmap and not values.note.isVisible()
    assert values.grab().toImage().width() > 0


def test_history_tab_plots_the_node_across_captured_iterations(qtbot, spiral_window):
    w = spiral_window
    for _ in range(2):
        _run_one(qtbot, w)
    panel = _click_node(qtbot, w, "param:2.weight")
    panel.extras.setCurrentIndex(2)
    history = panel.extras.history
    history.metric.setCurrentIndex(history.metric.findData("grad"))
    caps = [w.model.capture_at(i) for i in range(len(w.model.captures))]
    assert history.xs == [c.index for c in caps]
    assert history.ys == [c.health.param_grad_norms["2.weight"] for c in caps]
    assert len(history.plot.getPlotItem().listDataItems()) >= 1


def test_a_stepped_backward_node_names_its_forward_op(qtbot, spiral_window, wait_state):
    w = spiral_window
    w.actions["step_forward"].trigger()
    qtbot.waitUntil(lambda: len(w.model.step_records) == 1, timeout=20_000)
    w.actions["step_backward"].trigger()
    qtbot.waitUntil(lambda: w.model.last_step is not None
                    and w.model.last_step.phase == "backward", timeout=20_000)
    rows = _rows(w.inspector.current_panel())
    assert "CrossEntropy" in rows["forward op"] and "spiral_mlp.py:44" in rows["forward op"]
    w.actions["run_one"].trigger()
    wait_state(w, "idle")


def test_values_fit_their_column_at_the_docks_width(qtbot, spiral_window):
    w = spiral_window
    w.model.select_node(None)  # the iteration's summary: a list of parameter norms
    w._on_status_timer_timeout()
    panel = w.inspector.current_panel()
    tree = panel.tree
    norms = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                 if tree.topLevelItem(i).text(0) == "param grad norms")
    metrics = tree.fontMetrics()
    for j in range(norms.childCount()):
        text = norms.child(j).text(1)
        assert "e-" in text or "." in text
        assert metrics.horizontalAdvance(text) <= tree.columnWidth(1), text  # not "5.03e-0"
        assert norms.child(j).toolTip(1).endswith(f"{text}</p>")  # and whole in the tooltip
