"""Diff two iterations in the window: pin one (Ctrl+D), scrub to another, and the graph marks
exactly the nodes present in one only (removed ones ghosted), the Diff dock lists them, and
the delta overlays colour the shared ones."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from tests.ui.conftest import EXAMPLES
from tests.ui.test_controls import press


def _keys(cap) -> set[str]:
    return {n.key for n in cap.nodes}


def test_diff_of_two_rnn_iterations_marks_exactly_the_nodes_in_one_only(qtbot, open_window,
                                                                        wait_state):
    w = open_window(EXAMPLES / "rnn_variable_length.py")
    w.actions["run"].trigger()
    qtbot.waitUntil(lambda: w.model.iterations_seen >= 12, timeout=60_000)
    w.actions["pause"].trigger()
    wait_state(w, "idle")
    caps = [w.model.capture_at(i) for i in range(len(w.model.captures))]
    # two iterations whose sequence lengths differ, the longer one pinned first
    a, b = next((i, j) for i in range(len(caps)) for j in range(len(caps))
                if len(caps[i].nodes) > len(caps[j].nodes))
    w.toolbar.scrubber.setValue(a)
    press(qtbot, w, Qt.Key_D, Qt.ControlModifier)                   # pin
    assert w.model.pinned is caps[a]
    w.toolbar.scrubber.setValue(b)
    qtbot.waitUntil(lambda: w.diff_panel.view is not None, timeout=5_000)
    only_b, only_a = _keys(caps[b]) - _keys(caps[a]), _keys(caps[a]) - _keys(caps[b])
    assert only_a                                                   # the longer had more steps
    states = {key: item.state for key, item in w.scene.nodes.items()}
    assert {k for k, s in states.items() if s == "added"} == only_b
    assert {k for k, s in states.items() if s == "removed"} == only_a  # drawn, as ghosts
    assert set(w.scene.nodes) == _keys(caps[b]) | only_a
    ghost_edges = {k for k, e in w.scene.edges.items() if e.state == "removed"}
    assert ghost_edges and ghost_edges == {k for k in w.scene.edges
                                           if k[0] in only_a or k[1] in only_a}
    listed = {w.diff_panel.tree.topLevelItem(i).child(j).data(0, Qt.UserRole)
              for i in range(w.diff_panel.tree.topLevelItemCount())
              for j in range(w.diff_panel.tree.topLevelItem(i).childCount())}
    assert only_a | only_b <= listed
    assert f"{len(only_b)} added, {len(only_a)} removed" in w.diff_panel.summary.text()
    # a listed node: a click selects it on the graph
    top = w.diff_panel.tree.topLevelItem(0)
    child = top.child(0)
    w.diff_panel.tree.scrollToItem(child)
    rect = w.diff_panel.tree.visualItemRect(child)
    qtbot.mouseClick(w.diff_panel.tree.viewport(), Qt.LeftButton,
                     pos=QPoint(rect.left() + 10, rect.center().y()))
    assert w.model.selected == child.data(0, Qt.UserRole)
    # the delta overlay colours shared ops by time ratio, centred on "unchanged"
    index = w.toolbar.overlay.findData("diff_time")
    w.toolbar.overlay.setCurrentIndex(index)
    w.toolbar.overlay.activated.emit(index)
    shared = _keys(caps[a]) & _keys(caps[b])
    coloured = set(w.scene.overlay.t)
    assert coloured and coloured <= shared
    press(qtbot, w, Qt.Key_D, Qt.ControlModifier)  # the shown one is not the pinned: re-pin
    assert w.model.pinned is caps[b]
    press(qtbot, w, Qt.Key_D, Qt.ControlModifier)  # pressed on the pinned one: unpin
    assert w.model.pinned is None
    qtbot.waitUntil(lambda: not any(i.state for i in w.scene.nodes.values()), timeout=5_000)
    assert set(w.scene.nodes) == _keys(caps[b])
