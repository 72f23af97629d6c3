"""The time and saved-bytes overlays on the CNN example: chosen from the toolbar, they colour
the ops and a collapsed module's box leads with the module's total."""

from __future__ import annotations

from app.layout import GroupNode
from app.present.costs import format_bytes
from app.present.graph import collapse_at_depth
from app.present.overlays import format_value
from tests.ui.conftest import EXAMPLES


def _choose_overlay(window, name: str) -> None:
    combo = window.toolbar.overlay
    index = combo.findData(name)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)  # what a user's pick sends


def test_collapsed_modules_show_their_total_time_and_saved_bytes(qtbot, open_window):
    window = open_window(EXAMPLES / "cnn_shapes.py")
    _choose_overlay(window, "total")
    conv = window.scene.nodes["3/Conv2d#0"]
    assert conv.fill is not None                                    # coloured by its time
    assert window.scene.overlay.title == "Forward + backward time"
    window.presenter.set_collapsed(collapse_at_depth(window.scene.graph, 1))
    box = window.scene.nodes[GroupNode("3")]
    cap = window.model.capture()
    node = cap.node_by_key("3/Conv2d#0")
    total = node.time_ns + cap.backward[node.backward].time_ns
    assert box.detail.startswith(format_value(total, "total") + " · ")
    _choose_overlay(window, "saved")
    saved = sum(n.saved_bytes for n in cap.nodes if n.module == "3")
    assert box.detail.startswith(format_bytes(saved) + " · ")
    _choose_overlay(window, "grad")                                 # norms: no total shown
    assert "·" not in box.detail
