"""Runs: everything the window shows belongs to exactly one run. Opening another model,
reopening one, Restart and a device change clear what the previous run left in every view.

Real worker processes on two small scripts whose data cannot be confused: model A has no Tanh
and losses above 1000, model B has a Tanh and losses below 1000, and each prints its name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.ui import run_state as rs

SCRIPT = """\
import autograd_core as ag
from autograd_core import nn, optim

ITERATIONS = {iterations}
ag.manual_seed(0)
model = {model}
optimizer = optim.SGD(model.parameters(), lr=0.01)
x, y = ag.randn(8, 4), ag.randn(8, 1)


def step(i):
    print("MARK-{name}", i)
    loss = ((model(x) - y) ** 2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss + {offset}
"""
MODELS = {
    "A": ("nn.Linear(4, 1)", 1000.0),
    "B": ("nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 1))", 0.0),
}
START_MS = 60_000


def write_model(folder: Path, name: str, iterations: int = 3) -> Path:
    model, offset = MODELS[name]
    path = folder / f"model_{name.lower()}.py"
    path.write_text(SCRIPT.format(iterations=iterations, model=model, name=name,
                                  offset=offset))
    return path


@pytest.fixture
def window(qtbot, settings):
    from app.ui.main_window import MainWindow

    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    yield w
    w.close()


def open_and_draw(qtbot, w, path: Path) -> None:
    """Open `path` and wait for its first iteration to be drawn and the worker to settle."""
    w.open_model(str(path))
    qtbot.waitUntil(lambda: len(w.model.captures) == 1 and w.model.run_state == rs.IDLE
                    and bool(w.scene.nodes), timeout=START_MS)


def run_script_iterations(qtbot, w) -> None:
    """Run (F5): the script's ITERATIONS, then idle."""
    before = w.model.iterations_seen
    w.actions["run"].trigger()
    iterations = w.model.info.iterations
    qtbot.waitUntil(lambda: w.model.iterations_seen == before + iterations
                    and w.model.run_state == rs.IDLE, timeout=START_MS)


def assert_only(w, name: str, iterations: int) -> None:
    """Every widget holds the data of model `name`'s current run, and only that."""
    w._on_status_timer_timeout()  # the panels follow at the 10 Hz tick: take it now
    getattr(w.output, "flush", lambda: None)()  # an output view that shows once a frame
    is_a = name == "A"
    caps = [w.model.capture_at(i) for i in range(len(w.model.captures))]
    assert [c.index for c in caps] == list(range(iterations))
    for cap in caps:
        ops = {n.op for n in cap.nodes}
        assert ("Tanh" in ops) != is_a, ops
    values = [v for _, v in w.loss_plot.points]
    assert [i for i, _ in w.loss_plot.points] == list(range(iterations))
    assert all((v > 1000) == is_a for v in values), values
    assert w.toolbar.scrubber.maximum() == iterations - 1
    assert w.toolbar.scrubber.value() == iterations - 1
    assert w.timeline.capture is caps[-1]
    assert w.inspector.record is caps[-1]
    assert any("Tanh" in str(k) for k in w.scene.graph.nodes) != is_a
    other = "B" if is_a else "A"
    lines = w.output.toPlainText().splitlines()
    assert lines and all(line.startswith(f"MARK-{name}") for line in lines), lines[-5:]
    assert not any(f"MARK-{other}" in line for line in lines)
    assert [int(line.split()[1]) for line in lines] == list(range(iterations))
    assert w.model.errors == [] and not w.error_panel.isVisible()
    assert f"last iteration {iterations - 1}" in w.state_label.text()
    assert w.toolbar.scrub_label.text() == f"iteration {iterations - 1}"


def test_open_a_run_open_b_run_reopen_a_shows_only_the_current_run(qtbot, window, tmp_path):
    a, b = write_model(tmp_path, "A", 3), write_model(tmp_path, "B", 2)
    bad = tmp_path / "broken.py"
    bad.write_text("def step(i):\n    return (\n")  # a syntax error: a failed run
    open_and_draw(qtbot, window, a)
    run_script_iterations(qtbot, window)
    assert_only(window, "A", 4)
    window.model.select_capture(1)  # a pinned iteration must not follow into the next run
    window.open_model(str(bad))
    qtbot.waitUntil(lambda: window.model.run_state == rs.FAILED, timeout=START_MS)
    assert window.error_panel.isVisible() and window.model.captures.maxlen
    assert len(window.model.captures) == 0 and window.loss_plot.points == ()
    assert not window.scene.nodes and window.output.toPlainText() == ""
    open_and_draw(qtbot, window, b)
    assert window.model.current == -1
    run_script_iterations(qtbot, window)
    assert_only(window, "B", 3)
    open_and_draw(qtbot, window, a)  # reopening the same file is a new run too
    assert_only(window, "A", 1)
    run_script_iterations(qtbot, window)
    assert_only(window, "A", 4)


def test_twenty_switches_leave_no_widget_holding_an_earlier_run(qtbot, window, tmp_path):
    paths = {n: write_model(tmp_path, n, 1) for n in "AB"}
    for cycle in range(20):
        name = "AB"[cycle % 2]
        if cycle % 5 == 4:  # switch away before the worker has drawn anything
            window.open_model(str(paths["AB"[(cycle + 1) % 2]]))
        open_and_draw(qtbot, window, paths[name])
        run_script_iterations(qtbot, window)
        assert_only(window, name, 2)
        assert window.model.run.number == cycle + 1 + (cycle + 1) // 5


def test_restart_while_running_drops_the_old_runs_events(qtbot, window, tmp_path):
    a = write_model(tmp_path, "A", 3)
    open_and_draw(qtbot, window, a)
    window.actions["run_until_stopped"].trigger()
    qtbot.waitUntil(lambda: window.model.iterations_seen >= 20, timeout=START_MS)
    number = window.model.run.number
    window.actions["restart"].trigger()
    assert window.model.run.number == number + 1
    assert len(window.model.captures) == 0 and window.loss_plot.points == ()
    qtbot.waitUntil(lambda: len(window.model.captures) == 1
                    and window.model.run_state == rs.IDLE, timeout=START_MS)
    assert_only(window, "A", 1)


def test_an_opened_session_is_read_only_and_replaces_the_run(qtbot, window, tmp_path):
    a = write_model(tmp_path, "A", 3)
    open_and_draw(qtbot, window, a)
    run_script_iterations(qtbot, window)
    saved = tmp_path / "a.gscope"
    assert window.save_session(str(saved)) == 4
    b = write_model(tmp_path, "B", 2)
    open_and_draw(qtbot, window, b)
    window.open_session(str(saved))
    qtbot.waitUntil(lambda: bool(window.scene.nodes), timeout=10_000)
    assert window.runner.driver is None and window.model.run_state == rs.SESSION
    assert [v > 1000 for _, v in window.model.losses] == [True] * 4
    assert window.output.toPlainText() == ""
    assert all("Tanh" not in str(k) for k in window.scene.graph.nodes)
    for name in rs.RUN_ACTIONS:
        action = window.actions[name]
        assert not action.isEnabled(), name
        assert "read-only" in action.toolTip(), name
    assert not window.toolbar.device.isEnabled()
    assert window.state_label.text() == "session (read-only)"
    open_and_draw(qtbot, window, b)  # a script again: the controls come back
    assert window.actions["run"].isEnabled() and window.actions["step_forward"].isEnabled()
    assert "read-only" not in window.actions["run"].toolTip()
