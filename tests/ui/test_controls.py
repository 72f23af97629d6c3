"""Controls that tell the truth: one Esc (closes search, else stops), the scrubber visible at
the default size with previous/next shortcuts, the shortcuts window built from the ACTIONS
table, the state that enables the run controls, the "stopped by you" banner, CUDA refused
with a reason, one iteration numbering and the light theme on every dock."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from app.ui import run_state as rs
from app.ui.actions import ACTIONS, ALTERNATES

START_MS = 60_000

SCRIPT = """\
import time

import autograd_core as ag
from autograd_core import nn, optim

ag.manual_seed(0)
model = nn.Linear(4, 1)
optimizer = optim.SGD(model.parameters(), lr=0.01)
x, y = ag.randn(8, 4), ag.randn(8, 1)


def step(i):
    loss = ((model(x) - y) ** 2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if i >= {stuck_from}:
        while True:  # no op runs here: Stop cannot reach it, so the worker is ended
            time.sleep(0.01)
    return loss
"""


@pytest.fixture
def script_window(open_window, tmp_path):
    def open_(stuck_from: int = 10**9):
        path = tmp_path / "model.py"
        path.write_text(SCRIPT.format(stuck_from=stuck_from))
        return open_window(path)

    return open_


def press(qtbot, w, key, modifier=Qt.NoModifier) -> None:
    """A key press as a user makes it: to the widget with focus in the active window."""
    w.activateWindow()
    qtbot.waitUntil(lambda: w.isActiveWindow(), timeout=2_000)
    qtbot.keyClick(w.focusWidget() or w, key, modifier)


def test_esc_closes_the_search_box_first_and_stops_a_run_otherwise(qtbot, script_window):
    w = script_window()
    w.actions["search"].trigger()
    assert w.view.search_box.isVisible()
    press(qtbot, w, Qt.Key_Escape)
    assert not w.view.search_box.isVisible()
    assert w.model.run_state == rs.IDLE  # the Esc went to the search box, not the run
    w.actions["run_until_stopped"].trigger()
    qtbot.waitUntil(lambda: w.model.run_state == rs.RUNNING, timeout=START_MS)
    press(qtbot, w, Qt.Key_Escape)
    qtbot.waitUntil(lambda: w.model.run_state == rs.STOPPED, timeout=10_000)
    seen = w.model.iterations_seen
    w._on_status_timer_timeout()
    assert w.state_label.text().startswith("stopped") and "running" not in w.state_label.text()
    # A round trip instead of a look: the worker answers this command (same recording level,
    # so nothing changes) after anything it sent before, so an iteration run past the stop
    # would be counted first.
    options = w.runner.driver.options
    with qtbot.waitSignal(w.model.status_changed, timeout=10_000):
        w.runner.send("set_recording", options.record, options.every)
    assert w.model.iterations_seen == seen
    assert w.model.run_state == rs.STOPPED
    assert w.actions["run"].isEnabled() and not w.actions["pause"].isEnabled()


def test_stop_of_a_stuck_script_says_stopped_by_you_not_a_crash(qtbot, script_window):
    w = script_window(stuck_from=2)
    w.actions["run_until_stopped"].trigger()
    qtbot.waitUntil(lambda: w.model.iterations_seen >= 2, timeout=START_MS)
    w.actions["stop"].trigger()
    qtbot.waitUntil(lambda: w.model.run_state == rs.ENDED and w.error_panel.isVisible(),
                    timeout=10_000)
    qtbot.waitUntil(lambda: not w.runner.alive, timeout=10_000)
    w._on_status_timer_timeout()
    panel = w.error_panel
    assert panel.location.text().startswith("Stopped by you")
    if "at " in panel.location.text():  # the worker knew where the script was
        assert "model.py:" in panel.location.text()
    assert "SIGKILL" not in panel.message.text() and "died" not in panel.location.text()
    assert w.state_label.text().startswith("stopped") and "running" not in w.state_label.text()
    # The status bar and the inspector name the same iteration (the Status lagged here).
    shown = w.model.capture().index
    assert f"last iteration {shown} " in w.state_label.text() + " "
    assert w.inspector.current_panel().title.text().startswith(f"Iteration {shown}")
    assert panel.restart_button.isVisible() and w.actions["restart"].isEnabled()
    # Nothing can run without a worker: Run says so instead of doing nothing.
    assert not w.actions["run"].isEnabled() and "Restart" in w.actions["run"].toolTip()
    w.actions["restart"].trigger()
    qtbot.waitUntil(lambda: w.model.run_state == rs.IDLE and len(w.model.captures) == 1,
                    timeout=START_MS)
    assert not w.error_panel.isVisible()


def test_scrubber_is_visible_at_the_default_size_and_alt_arrows_move_it(qtbot, script_window):
    w = script_window()
    w.resize(1280, 820)
    qtbot.waitUntil(lambda: w.toolbar.scrubber.isVisible(), timeout=2_000)
    scrubber = w.toolbar.scrubber
    assert not scrubber.visibleRegion().isEmpty() and scrubber.width() >= 140
    assert w.toolBarArea(w.toolbar.iteration_bar) == w.toolBarArea(w.toolbar.bar)
    assert w.toolbar.iteration_bar.geometry().top() >= w.toolbar.bar.geometry().bottom()
    w.actions["run"].trigger()  # the script sets no ITERATIONS: runs until stopped
    qtbot.waitUntil(lambda: w.model.iterations_seen >= 4, timeout=START_MS)
    w.actions["pause"].trigger()
    qtbot.waitUntil(lambda: w.model.run_state == rs.PAUSED, timeout=10_000)
    last = scrubber.maximum()
    assert scrubber.value() == last >= 3
    press(qtbot, w, Qt.Key_Left, Qt.AltModifier)
    assert scrubber.value() == last - 1 and w.model.capture() is w.model.capture_at(last - 1)
    press(qtbot, w, Qt.Key_PageUp, Qt.ControlModifier)
    assert scrubber.value() == last - 2
    press(qtbot, w, Qt.Key_Right, Qt.AltModifier)
    assert scrubber.value() == last - 1
    w._on_status_timer_timeout()
    assert w.toolbar.scrub_label.text() == f"iteration {w.model.capture_at(last - 1).index}"
    # The toolbar's combo boxes never take keyboard focus, so arrows cannot change them.
    for combo in (w.toolbar.overlay, w.toolbar.device, w.toolbar.recording):
        assert combo.focusPolicy() == Qt.NoFocus


def test_shortcuts_window_lists_every_action_and_no_shortcut_is_bound_twice(qtbot, settings):
    from app.ui.main_window import MainWindow

    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.actions["shortcuts"].trigger()
    table = w.shortcuts_dialog.table
    rows = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert len(rows) == len(ACTIONS)
    seen: dict[str, str] = {}
    for name, action in w.actions.items():
        keys = [k.toString() for k in action.shortcuts()]
        assert keys and rows[action.text().rstrip("…")] == ", ".join(
            QKeySequence(k).toString() for k in (ACTIONS[name][1], *ALTERNATES.get(name, ())))
        for key in keys:
            assert key not in seen, f"{key} bound to {seen.get(key)} and {name}"
            seen[key] = name
    assert seen["Esc"] == "escape"
    # Every dock has a View menu entry, so a closed one comes back.
    view = next(m for m in w.menuBar().actions() if m.text() == "&View").menu()
    for dock in w.docks.values():
        assert dock.toggleViewAction() in view.actions()


def test_run_controls_follow_the_state_and_iterations_are_counted_alike(qtbot, script_window):
    w = script_window()
    assert w.model.run_state == rs.IDLE
    for name in rs.RUN_ACTIONS:
        assert w.actions[name].isEnabled() == (name not in ("pause", "stop")), name
    w._on_status_timer_timeout()
    assert "last iteration 0" in w.state_label.text()
    assert w.inspector.current_panel().title.text().startswith("Iteration 0")
    assert w.toolbar.scrub_label.text() == "iteration 0"


def test_cuda_without_a_gpu_says_why_and_keeps_the_cpu(qtbot, script_window):
    from autograd_core import backend

    if not backend.cuda_unavailable_reason():
        pytest.skip("this machine has a usable GPU")
    w = script_window()
    run = w.model.run.number
    w._on_device_activated(1)
    assert w.toolbar.device.currentData() == "cpu" and w.settings.device == "cpu"
    assert w.statusBar().currentMessage().startswith("CUDA unavailable:")
    assert w.model.run.number == run  # nothing restarted


def test_light_theme_paints_every_dock(qtbot, script_window):
    from PySide6.QtGui import QColor

    from app.ui.theme import LIGHT

    w = script_window()
    if w.theme.name != "light":
        w.actions["toggle_theme"].trigger()
    light = QColor(LIGHT.background)

    def every_dock_is_light() -> None:
        for title, dock in w.docks.items():
            image = dock.widget().grab().toImage()
            corner = image.pixelColor(2, image.height() - 3)
            assert corner.lightness() > 200, (title, corner.name(), light.name())

    # Until the style sheet's repaint has happened (it may take an event-loop turn).
    qtbot.waitUntil(every_dock_is_light, timeout=5_000)


def test_status_line_counts_from_zero_and_shows_threads_when_the_worker_says():
    from types import SimpleNamespace

    from app.runner import protocol as p
    from app.ui.status_line import status_text

    plain = p.Status(state="idle", iteration=3, its_per_sec=2.0, device="cpu")
    assert "last iteration 2" in status_text(plain, "m.py", rs.PAUSED)
    assert status_text(plain, "m.py", rs.PAUSED).startswith("paused")
    older = SimpleNamespace(state="idle", iteration=1, its_per_sec=0.0, device="cpu",
                            memory_bytes=0)  # a worker that does not report threads
    assert "thread" not in status_text(older, "m.py", rs.IDLE)
    fresh = SimpleNamespace(state="idle", iteration=0, its_per_sec=0.0, device="cpu",
                            memory_bytes=0, threads=1)
    assert "no iteration yet" in status_text(fresh, "m.py", rs.IDLE)
    # A periodic Status lags the losses: the newest loss's iteration wins.
    assert "last iteration 5" in status_text(fresh, "m.py", rs.RUNNING, 5)
    assert "1 thread " in status_text(fresh, "m.py", rs.IDLE) + " "
    fresh.threads = "x"  # a hostile worker: a question mark, not an exception
    assert "? " in status_text(fresh, "m.py", rs.IDLE)
    assert status_text(plain, None, rs.SESSION) == "session (read-only)"
