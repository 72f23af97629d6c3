"""Module levels and label styles from the keyboard: Alt+Up closes the deepest open modules
one level at a time and Alt+Down opens them again; collapsed recurrent modules never draw
boxes over each other; Ctrl+G names ops by PyTorch's grad_fn (torchviz's labels)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.layout import GroupNode
from tests.ui.conftest import EXAMPLES


def press(qtbot, w, key, modifier=Qt.NoModifier) -> None:
    w.activateWindow()
    qtbot.waitUntil(lambda: w.isActiveWindow(), timeout=2_000)
    qtbot.keyClick(w.focusWidget() or w, key, modifier)


def _groups(w) -> set[str]:
    return {k.path for k in w.scene.nodes if isinstance(k, GroupNode)}


def test_alt_up_and_down_collapse_and_expand_one_level_at_a_time(qtbot, open_window):
    w = open_window(EXAMPLES / "tiny_transformer.py")
    assert _groups(w) == set()
    press(qtbot, w, Qt.Key_Up, Qt.AltModifier)
    first = _groups(w)
    assert first and all(p.count(".") == max(q.count(".") for q in first) for p in first)
    press(qtbot, w, Qt.Key_Up, Qt.AltModifier)
    second = _groups(w)
    depth = lambda paths: max(p.count(".") for p in paths)  # noqa: E731
    assert depth(second) == depth(first) - 1  # one level up, not straight to the top
    while True:  # up to the top level
        before = _groups(w)
        press(qtbot, w, Qt.Key_Up, Qt.AltModifier)
        if _groups(w) == before:
            break
    top = _groups(w)
    assert all("." not in p for p in top)
    press(qtbot, w, Qt.Key_Down, Qt.AltModifier)
    opened = _groups(w)
    assert opened != top and all(p.count(".") == 1 for p in opened)  # their children, as boxes


def test_collapsed_recurrent_modules_never_overlap(qtbot, open_window):
    w = open_window(EXAMPLES / "rnn_variable_length.py")
    w.actions["collapse_all"].trigger()
    assert _groups(w)
    w.scene.finish_animation()  # where the boxes come to rest
    items = [*w.scene.nodes.values(), *w.scene.copies]
    rects = [i.rect.translated(i.pos()) for i in items]
    clashes = [(items[i].key, items[j].key) for i in range(len(rects))
               for j in range(i + 1, len(rects)) if rects[i].intersects(rects[j])]
    assert clashes == []


def test_ctrl_g_labels_ops_with_their_grad_fn_names(qtbot, spiral_window):
    w = spiral_window
    linear = w.scene.nodes["2/Linear#0"]
    cap = w.model.capture()
    node = cap.node_by_key("2/Linear#0")
    expected = cap.backward[node.backward].name
    assert linear.label == "Linear"
    press(qtbot, w, Qt.Key_G, Qt.ControlModifier)
    assert linear.label == expected and expected.endswith("Backward0")
    assert w.scene.nodes["param:2.weight"].label == "2.weight"  # leaves keep their names
    press(qtbot, w, Qt.Key_G, Qt.ControlModifier)
    assert linear.label == "Linear"
