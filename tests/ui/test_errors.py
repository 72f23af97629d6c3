"""Runner failures reach the error panel, with the user's file:line first; the window stays
responsive and a dead worker can be restarted."""

from __future__ import annotations


def _script(tmp_path, body: str):
    path = tmp_path / "model.py"
    path.write_text(
        "import autograd_core as ag\nfrom autograd_core import nn\n"
        "model = nn.Linear(2, 1)\n"
        "def step(i):\n"
        "    loss = model(ag.randn(4, 2)).sum()\n"
        f"{body}\n"
        "    loss.backward()\n"
        "    return loss\n")
    return path


def test_an_exception_in_step_shows_its_line_and_the_window_responds(qtbot, open_window,
                                                                     tmp_path):
    path = _script(tmp_path, "    if i == 1:\n        raise ValueError('bad batch')")
    window = open_window(path)
    window.actions["run"].trigger()
    panel = window.error_panel
    qtbot.waitUntil(panel.isVisible, timeout=20_000)
    assert panel.location.text().startswith(f"{path}:7") or "model.py:7" in (
        panel.location.text())
    assert "bad batch" in panel.message.text()
    window.view.zoom_by(1.25)                                       # still responds
    window.actions["fit"].trigger()
    panel.dismiss_button.click()
    assert not panel.isVisible()


def test_a_dead_worker_shows_why_and_restarts(qtbot, open_window, tmp_path):
    path = _script(tmp_path, "    if i == 1:\n        import os, signal\n"
                             "        os.kill(os.getpid(), signal.SIGKILL)")
    window = open_window(path)
    window.actions["run"].trigger()
    panel = window.error_panel
    qtbot.waitUntil(lambda: panel.isVisible() and "died" in panel.location.text(),
                    timeout=20_000)
    assert "SIGKILL" in panel.message.text() and panel.restart_button.isVisible()
    panel.restart_button.click()
    assert not panel.isVisible()
    qtbot.waitUntil(lambda: window.runner.alive and window.model.status is not None
                    and window.model.status.state == "idle", timeout=30_000)
