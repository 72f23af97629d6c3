"""The Gradient health dock, driven as a user would: which layer's gradients vanish (the first
row is the parameter with the smallest norm, shown in full), a click selects and centres it,
the gradient overlay colours parameter nodes, and flagged nodes carry a badge."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.present.health_view import norm_text
from tests.ui.conftest import EXAMPLES


def _health(window, qtbot):
    window.docks["Gradient health"].raise_()
    panel = window.health_panel
    qtbot.waitUntil(lambda: panel.first_row() is not None, timeout=10_000)
    return panel


def test_first_row_is_the_smallest_gradient_and_a_click_selects_it(qtbot, open_window):
    window = open_window(EXAMPLES / "cnn_shapes.py")
    panel = _health(window, qtbot)
    norms = window.model.capture().health.param_grad_norms
    smallest = min(norms, key=norms.get)
    first = panel.first_row()
    assert (first.key, first.grad_norm) == (f"param:{smallest}", norms[smallest])
    assert panel.proxy.rowCount() == len(norms)                     # parameters by default
    cell = panel.proxy.index(0, 2)
    text = panel.proxy.data(cell)
    assert text == norm_text(norms[smallest])                        # every digit shown
    width = panel.view.fontMetrics().horizontalAdvance(text)
    assert panel.view.columnWidth(2) > width
    assert "thresholds" not in panel.thresholds.text() and "1e-07" in panel.thresholds.text()
    # Sorting by update ratio puts the parameter that moves least on top.
    panel.view.horizontalHeader().setSortIndicator(3, Qt.AscendingOrder)
    ratios = window.model.capture().health.update_ratios
    assert panel.first_row().name == min(ratios, key=ratios.get)
    panel.view.horizontalHeader().setSortIndicator(2, Qt.AscendingOrder)
    rect = panel.view.visualRect(panel.proxy.index(0, 0))
    qtbot.mouseClick(panel.view.viewport(), Qt.LeftButton, pos=rect.center())
    assert window.model.selected == f"param:{smallest}"
    item = window.scene.nodes[f"param:{smallest}"]
    assert item.isSelected()
    visible = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
    assert visible.contains(item.pos())
    # Selecting another parameter on the graph selects its line here.
    largest = max(norms, key=norms.get)
    window.model.select_node(f"param:{largest}")
    assert panel.proxy.data(panel.view.currentIndex().siblingAtColumn(0)) == largest
    # The gradient overlay colours parameter nodes as well as ops.
    combo = window.toolbar.overlay
    combo.setCurrentIndex(combo.findData("grad"))
    combo.activated.emit(combo.currentIndex())
    assert item.fill is not None and window.scene.nodes["7/Linear#0"].fill is not None


FLAGGED_MODEL = """
import autograd_core as ag
from autograd_core import nn, optim

ITERATIONS = 3
ag.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.tiny = nn.Linear(4, 4)
        self.huge = nn.Linear(4, 1)

    def forward(self, x):
        return (self.huge(x) * 1e4).sum() + (self.tiny(x) * 1e-9).sum()


model = Net()
optimizer = optim.SGD(model.parameters(), lr=1e-12)
x = ag.ones(8, 4)


def step(i):
    loss = model(x)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss
"""


def test_vanishing_and_exploding_gradients_are_flagged_and_badged(qtbot, open_window,
                                                                   tmp_path):
    """A model the project has not seen: one layer's gradients scaled by 1e-9, another's
    by 1e4."""
    script = tmp_path / "flagged.py"
    script.write_text(FLAGGED_MODEL)
    window = open_window(script)
    panel = _health(window, qtbot)
    norms = window.model.capture().health.param_grad_norms
    first = panel.first_row()
    assert (first.name, first.flag) == (min(norms, key=norms.get), "vanishing")
    flags = {r.name: r.flag for r in panel.rows if r.kind == "param"}
    assert flags == {"tiny.weight": "vanishing", "tiny.bias": "vanishing",
                     "huge.weight": "exploding", "huge.bias": "exploding"}
    assert panel.flagged.text() == "4 flagged"
    assert "vanishing" in panel.proxy.data(panel.proxy.index(0, 1))
    badges = {k: i.badge for k, i in window.scene.nodes.items() if i.badge}
    assert badges["param:tiny.weight"] == "vanishing"
    assert badges["param:huge.weight"] == "exploding"
    assert not window.scene.nodes["input:0"].badge
    # Collapsed, a module's box carries the worst flag of what it holds.
    from app.layout import GroupNode
    from app.present.graph import collapse_at_depth

    window.presenter.set_collapsed(collapse_at_depth(window.scene.graph, 1))
    assert window.scene.nodes[GroupNode("huge")].badge == "exploding"
    assert window.scene.nodes[GroupNode("tiny")].badge == "vanishing"
    panel.show_combo.setCurrentIndex(panel.show_combo.findText("Backward nodes"))
    from app.ui.health_panel import ROW_ROLE

    shown = [panel.proxy.data(panel.proxy.index(r, 0), ROW_ROLE)
             for r in range(panel.proxy.rowCount())]
    assert shown and {r.kind for r in shown} == {"node"}
    assert any(r.flag == "vanishing" and r.name == "Mul" for r in shown)  # the * 1e-9
