"""The NaN hunt in the window: the banner names where the first NaN was born, "Go to" shows
it, and that still works once the birth is far behind the bounded capture window."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt

from tests.ui.conftest import EXAMPLES

ORIGIN = "/Log#0"


def _go_to_and_check(qtbot, w) -> None:
    qtbot.mouseClick(w.nan_banner.go_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.model.selected == ORIGIN, timeout=5_000)
    assert w.model.capture().index == 5
    qtbot.waitUntil(lambda: w.toolbar.scrub_label.text() == "iteration 5", timeout=2_000)
    item = w.scene.nodes[ORIGIN]
    assert item.isSelected() and item.label == "Log"
    assert item.state == "origin"                                  # drawn apart from spread
    spread = [i for i in w.scene.nodes.values() if i.state == "spread"]
    assert spread and all(i.key != ORIGIN for i in spread)
    assert any(e.state == "path" for e in w.scene.edges.values())
    view = w.view.mapToScene(w.view.viewport().rect()).boundingRect()
    assert QRectF(view).contains(item.sceneBoundingRect().center())  # centred in the view


def test_banner_names_log_at_iteration_5_line_30_and_go_to_selects_it(qtbot, open_window):
    w = open_window(EXAMPLES / "nan_divergence.py")
    assert not w.nan_banner.isVisible()
    w.actions["run"].trigger()                                     # the script's 10 iterations
    qtbot.waitUntil(lambda: w.nan_banner.isVisible(), timeout=30_000)
    text = w.nan_banner.label.text()
    assert "Log" in text and "iteration 5" in text and "forward" in text
    assert text.endswith("nan_divergence.py:30")
    qtbot.waitUntil(lambda: w.model.iterations_seen >= 11, timeout=30_000)
    _go_to_and_check(qtbot, w)
    marks = w.toolbar.scrubber.marks
    qtbot.waitUntil(lambda: 5 in w.toolbar.scrubber.marks, timeout=2_000)
    assert 0 not in marks and all(p >= 5 for p in w.toolbar.scrubber.marks)


def test_go_to_still_works_200_iterations_later_with_a_window_of_100(qtbot, open_window,
                                                                    wait_state):
    w = open_window(EXAMPLES / "nan_divergence.py")
    assert w.model.captures.maxlen == 100
    w.actions["run_until_stopped"].trigger()
    qtbot.waitUntil(lambda: w.model.iterations_seen >= 206, timeout=120_000)
    w.actions["pause"].trigger()
    wait_state(w, "idle")
    assert len(w.model.captures) == 100
    assert w.model.capture_at(-1).index >= 205                    # the birth is long gone ...
    assert w.model.position_of_iteration(5) == 0                  # ... from a plain window
    assert "iteration 5" in w.nan_banner.label.text()
    w.toolbar.scrubber.setValue(50)                               # look elsewhere first
    _go_to_and_check(qtbot, w)
    assert w.toolbar.scrubber.value() == 0


def test_an_opened_session_keeps_the_birth_ahead_of_its_window(qtbot, session_window,
                                                              tmp_path):
    import subprocess
    import sys

    out = tmp_path / "nan.gscope"
    subprocess.run([sys.executable, "-m", "app", "record", str(EXAMPLES / "nan_divergence.py"),
                    "-n", "150", "-o", str(out)], check=True, capture_output=True, timeout=120)
    w = session_window(out)
    assert len(w.model.captures) == 100 and w.model.position_of_iteration(5) == 0
    assert w.model.position_of_iteration(50) is None              # the window starts at 51
    qtbot.waitUntil(lambda: w.nan_banner.isVisible(), timeout=5_000)
    assert "Log" in w.nan_banner.label.text() and "iteration 5" in w.nan_banner.label.text()
    _go_to_and_check(qtbot, w)


def test_the_anomaly_overlay_tells_origin_spread_and_path_apart(qtbot, open_window):
    from PySide6.QtGui import QColor

    from app.ui.theme import ROLE_COLORS, ROLE_NEUTRAL

    w = open_window(EXAMPLES / "nan_divergence.py")
    w.actions["run"].trigger()
    qtbot.waitUntil(lambda: w.nan_banner.isVisible(), timeout=30_000)
    qtbot.mouseClick(w.nan_banner.go_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.model.selected == ORIGIN, timeout=5_000)
    index = w.toolbar.overlay.findData("anomaly")
    w.toolbar.overlay.setCurrentIndex(index)
    w.toolbar.overlay.activated.emit(index)
    fills = {k: i.fill.name() for k, i in w.scene.nodes.items()}
    assert fills[ORIGIN] == QColor(ROLE_COLORS["origin"]).name()
    assert fills["loss"] == QColor(ROLE_COLORS["spread"]).name()
    assert QColor(ROLE_COLORS["path"]).name() in fills.values()    # scale * x, before Log
    assert set(fills.values()) <= {QColor(c).name() for c in (*ROLE_COLORS.values(),
                                                               ROLE_NEUTRAL)}
    assert len(set(fills.values())) >= 3                            # not one red for all
