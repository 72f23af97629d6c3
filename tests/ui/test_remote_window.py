"""The window's side of the remote worker, with real widgets: the Open remote dialog checks
what it is given (the mistake said in the dialog, which stays open) and offers the recently
used hosts; a remote model in the recent files survives a restart of the app and reopening it
reconnects; the device box lists the worker's devices; the inspector shows the source text a
remote worker sent when the file is not on this disk; the status bar shows the link's health
from a real local worker and offers a lower recording level on a slow link. Over a private
sshd (tests/remote/sshd.py), with real workers: the link-lost banner, offline use, Save session
and Reconnect; stepping, recording level, pause and stop; an uploaded script's error at the
host's file:line; an unreachable host as ssh's own sentence."""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import sys

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QDialog, QDialogButtonBox

from app.runner import protocol as p
from tests.ui.conftest import EXAMPLES, ROOT, STARTUP_MS


def _ok(qtbot, dialog) -> None:
    button = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok)
    qtbot.mouseClick(button, Qt.LeftButton)


def test_the_dialog_says_what_is_wrong_stays_open_and_offers_recent_hosts(qtbot, settings,
                                                                          tmp_path):
    from app.ui.remote_dialog import RemoteDialog

    settings.add_recent_host("old-box")
    settings.add_recent_host("gpu-box")
    dialog = RemoteDialog(settings.recent_hosts)
    qtbot.addWidget(dialog)
    dialog.show()
    offered = [dialog.host.itemText(i) for i in range(dialog.host.count())]
    assert offered == ["gpu-box", "old-box"] and dialog.host.currentText() == "gpu-box"
    cases = [("", "/srv/m.py", "", "empty"),
             ("-oProxyCommand=touch /tmp/x", "/srv/m.py", "", "starts with '-'"),
             ("gpu box", "/srv/m.py", "", "whitespace"),
             ("gpu-box", "", "", "path on the host"),
             ("gpu-box", "/srv/m.py", "-o 'unclosed", "ssh options")]
    for host, path, options, said in cases:
        dialog.host.setCurrentText(host)
        dialog.path.setText(path)
        dialog.options.setText(options)
        _ok(qtbot, dialog)
        assert dialog.isVisible() and dialog.result() != QDialog.Accepted, host
        assert dialog.error.isVisible() and said in dialog.error.text(), dialog.error.text()
    dialog.options.setText("")
    dialog.upload.setChecked(True)
    assert dialog.browse.isVisible() and dialog.path_label.text() == "Local model file"
    dialog.path.setText(str(tmp_path / "missing.py"))
    _ok(qtbot, dialog)
    assert "not a local file" in dialog.error.text() and dialog.isVisible()
    dialog.upload.setChecked(False)
    dialog.host.setCurrentText("me@gpu-box:2222")
    dialog.path.setText("/srv/m.py")
    dialog.options.setText("-J jump")
    dialog.python.setText("/opt/venv/bin/python")
    _ok(qtbot, dialog)
    assert not dialog.isVisible() and dialog.result() == QDialog.Accepted
    target = dialog.target
    assert target.destination == "me@gpu-box" and target.label == "me@gpu-box:2222"
    assert target.ssh_options == ("-p", "2222", "-J", "jump")
    assert target.python == "/opt/venv/bin/python" and not target.upload
    assert dialog.entry.path == "/srv/m.py"


def test_a_remote_entry_in_recent_files_survives_a_restart_and_reopening_reconnects(
        qtbot, tmp_path, monkeypatch):
    from app.runner.remote import RemoteTarget
    from app.ui.main_window import MainWindow
    from app.ui.settings import Settings

    ini = str(tmp_path / "settings.ini")
    opened: list[tuple] = []

    def window_on(settings):
        window = MainWindow(settings)
        qtbot.addWidget(window)
        # The worker is not the subject: record what the window asks of its runner.
        monkeypatch.setattr(window.runner, "open",
                            lambda *args, **kw: opened.append((args, kw)))
        return window

    first = window_on(Settings(QSettings(ini, QSettings.IniFormat)))
    target = RemoteTarget.parse("me@gpu-box:2222", ("-J", "jump"), "python3.12")
    first.open_remote(target, "/srv/m.py")
    assert opened[-1][1]["remote"] == target and opened[-1][0][0] == "/srv/m.py"
    assert opened[-1][0][1] is None  # this machine's device box says nothing of the host's
    assert "m.py on me@gpu-box:2222" in first.windowTitle()
    first.open_model(str(EXAMPLES / "spiral_mlp.py"))  # a local one after it: both listed
    assert first.model.remote_host == "" and "remote" not in opened[-1][1]
    first.settings.sync()
    first.close()

    again = window_on(Settings(QSettings(ini, QSettings.IniFormat)))
    labels = [a.text() for a in again.recent_menu.actions()]
    assert labels[1] == "me@gpu-box:2222:/srv/m.py", labels
    assert again.settings.recent_hosts == ["me@gpu-box:2222"]
    QTimer.singleShot(0, lambda: again.remote_dialog.reject())
    again.open_remote_action.trigger()  # File > Open remote…: filled in with the last one
    dialog = again.remote_dialog
    assert (dialog.host.currentText(), dialog.path.text(), dialog.options.text(),
            dialog.python.text()) == ("me@gpu-box:2222", "/srv/m.py", "-J jump", "python3.12")
    opened.clear()
    again.recent_menu.actions()[1].trigger()
    (path, *_), kw = opened[-1]
    assert path == "/srv/m.py" and kw["remote"] == target
    assert again.model.remote_host == "me@gpu-box:2222"
    assert again.recent_menu.actions()[0].text() == "me@gpu-box:2222:/srv/m.py"
    again.close()


def test_the_device_box_lists_the_workers_devices_with_names_and_memory(qtbot, spiral_window):
    w = spiral_window
    box = w.toolbar.device
    devices = tuple(w.model.info.devices)  # a real local worker's own list
    assert "cpu" in [name for name, _label in devices], devices
    names = [n for n, _ in devices]
    if not any(n.startswith("cuda") for n in names):  # no GPU here: a greyed CUDA says why
        names.append("cuda")
        assert not box.model().item(len(names) - 1).isEnabled()
        assert "CUDA unavailable" in box.itemData(len(names) - 1, Qt.ToolTipRole)
    assert [box.itemData(i) for i in range(box.count())] == names
    w.model.apply(p.Loaded("/srv/m.py", "cuda", None, "MLP", host="gpu-box",
                           devices=(("cpu", "CPU"), ("cuda:0", "NVIDIA H200, 139 GiB"))))
    assert [box.itemText(i) for i in range(box.count())] == [
        "cpu", "cuda:0 — NVIDIA H200, 139 GiB"]
    assert box.currentData() == "cuda:0" and box.model().item(1).isEnabled()
    w.model.remote_host = "gpu-box"
    w.model.apply(p.Loaded("/srv/m.py", "cpu", None, "MLP", host="gpu-box",
                           devices=(("cpu", "CPU"),)))
    assert [box.itemText(i) for i in range(box.count())] == ["cpu", "CUDA"]
    w._on_device_activated(1)  # the greyed entry: the window says why and keeps the CPU
    assert w.statusBar().currentMessage().startswith(
        "CUDA unavailable: no usable CUDA device on gpu-box")
    assert box.currentData() == "cpu"
    w.model.apply(p.Loaded("/srv/m.py", "cpu", None, "MLP"))  # no list: today's choice
    assert [box.itemData(i) for i in range(box.count())] == ["cpu", "cuda"]
    assert box.currentData() == "cpu"


def test_the_source_tab_shows_the_text_a_remote_worker_sent(qtbot, open_window, tmp_path):
    from tests.ui.test_inspector import _click_node

    script = tmp_path / "spiral_copy.py"
    script.write_text((EXAMPLES / "spiral_mlp.py").read_text())
    w = open_window(script)
    lines = script.read_text().splitlines()
    script.unlink()  # as on the laptop: the file is on the host only
    w.model.remote_host = "gpu-box"
    panel = _click_node(qtbot, w, "2/Linear#0")
    panel.extras.setCurrentIndex(0)
    source = w.model.capture().node_by_key("2/Linear#0").source
    assert "remote host" in panel.extras.source.toPlainText()
    w.runner.model.apply(p.Source(source.rpartition(":")[0], "\n".join(lines)))
    panel.extras.refresh()
    text = panel.extras.source.toPlainText()
    assert "→ 44  " + lines[43] in text and lines[42] in text, text


def test_source_texts_from_a_worker_stay_bounded(qtbot, monkeypatch):
    from app.ui import session_remote
    from app.ui.session_model import SessionModel

    model = SessionModel()
    monkeypatch.setattr(session_remote, "MAX_SOURCE_TOTAL", 100)
    monkeypatch.setattr(session_remote, "MAX_SOURCES", 3)
    model.apply(p.Source("/a.py", "x" * 60))
    model.apply(p.Source("/b.py", "y" * 60))          # past the total: not kept
    model.apply(p.Source("/a.py", "z" * 10))          # a file sent again replaces its text
    model.apply(p.Source("/b.py", "y" * 60))          # which leaves room
    model.apply(p.Source("/c.py", "c"))
    model.apply(p.Source("/d.py", "d"))               # a fourth file: past the count
    assert model.sources == {"/a.py": "z" * 10, "/b.py": "y" * 60, "/c.py": "c"}
    model.start_run("script", "/m.py")                # a new run's sources come again
    assert model.sources == {} and model._source_chars == 0


def test_the_status_bar_shows_a_local_workers_link_health_without_a_host(qtbot, spiral_window):
    w = spiral_window
    label = w.link_status.label
    qtbot.waitUntil(lambda: " ms" in label.text() and "…" not in label.text(),
                    timeout=STARTUP_MS)
    assert label.isVisible() and label.text().startswith("rtt "), label.text()
    assert "on " not in label.text() and label.text().endswith(("KiB/s", "MiB/s"))


def test_a_slow_link_offers_a_lower_recording_level_in_one_click(qtbot, spiral_window,
                                                                 monkeypatch):
    from app.runner.link import LinkHealth

    w = spiral_window
    monkeypatch.setattr(w.runner, "link_health",
                        lambda: LinkHealth("gpu-box", 420.0, 2048.0, True))
    w.link_status.refresh()
    button = w.link_status.slow_button
    assert button.isVisible() and "'off'" in button.text()
    assert w.link_status.label.text().startswith("on gpu-box  |  rtt 420 ms")
    qtbot.mouseClick(button, Qt.LeftButton)
    assert w.toolbar.recording.currentText() == "off"
    assert w.runner.driver.options.record == "off" and w.settings.recording == "off"
    assert not button.isVisible()
    w.toolbar.recording.setCurrentText("basic")  # a level that could be lowered again
    monkeypatch.setattr(w.runner, "link_health", lambda: LinkHealth(None, 420.0, 0.0, True))
    w.link_status.refresh()  # this machine's worker: no link to blame
    assert not button.isVisible() and w.link_status.label.text().startswith("rtt 420 ms")


# ---------------------------------------------------------------------------- over real ssh
@pytest.fixture(scope="module")
def sshd():
    """A private sshd on a free loopback port (tests/remote/sshd.py), or a stated skip."""
    from tests.remote.sshd import PrivateSshd, SshdUnavailableError

    server = PrivateSshd()
    try:
        server.start()
    except SshdUnavailableError as exc:
        pytest.skip(f"no private sshd here: {exc}")
    yield server
    server.stop()


def _remote_target(sshd):
    from app.runner.remote import RemoteTarget

    # The "host" is this machine: its python, with this checkout importable there.
    python = f"env PYTHONPATH={shlex.quote(str(ROOT))} {shlex.quote(sys.executable)}"
    return RemoteTarget.parse(sshd.destination, sshd.options, python)


def test_a_lost_link_keeps_what_came_and_reconnect_starts_a_fresh_worker(qtbot, settings,
                                                                         sshd, tmp_path):
    from app.ui import run_state as rs
    from app.ui.main_window import MainWindow

    target = _remote_target(sshd)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    drawn: list[bool] = []
    window.first_graph_drawn.connect(lambda: drawn.append(True))
    window.open_remote(target, str(EXAMPLES / "spiral_mlp.py"))
    qtbot.waitUntil(lambda: bool(drawn) or bool(window.model.errors), timeout=STARTUP_MS)
    assert drawn, (window.model.errors, window.output.toPlainText()[-500:])
    label = window.link_status.label
    qtbot.waitUntil(lambda: " ms" in label.text() and "…" not in label.text(),
                    timeout=STARTUP_MS)
    assert label.text().startswith(f"on {target.label}  |  rtt "), label.text()
    # The worker sent the script's text: the inspector shows it, not this disk's file.
    assert any(path.endswith("spiral_mlp.py") for path in window.model.sources)

    window.command("run_until_stopped")
    qtbot.waitUntil(lambda: len(window.model.captures) >= 3, timeout=STARTUP_MS)
    os.kill(window.runner.driver.process.pid, signal.SIGKILL)  # the ssh client: link cut
    banner = window.link_banner
    qtbot.waitUntil(banner.isVisible, timeout=STARTUP_MS)
    # Not "failed": the script did not fail, the link did; Restart's tooltip says so.
    qtbot.waitUntil(lambda: window.model.run_state == rs.DISCONNECTED, timeout=STARTUP_MS)
    assert "connection to the host was lost" in window.actions["run"].toolTip()
    kept = len(window.model.captures)
    assert banner.text.startswith(f"Connection to {target.label} lost: ")
    assert banner.text.endswith(f"{kept} iterations kept"), banner.text
    assert not window.error_panel.isVisible()  # the banner says it; no "worker died" panel
    first = window.model.capture_at(0).index
    window.toolbar.scrubber.setValue(0)  # offline: scrubbing and the graph still work
    assert window.model.capture().index == first and window.scene.nodes
    saved = tmp_path / "kept.gscope"  # and Save session writes what came, here
    assert window.save_session(str(saved)) == kept
    from autograd_core import trace

    with contextlib.closing(trace.load(str(saved))) as session:
        assert len(session) == kept and session[0].index == first

    run = window.model.run.number
    qtbot.mouseClick(banner.reconnect_button, Qt.LeftButton)
    assert not banner.isVisible() and window.runner.alive
    # While the fresh worker connects, what came stays on the scrubber.
    assert len(window.model.captures) == kept and window.model.run.number == run
    drawn.clear()
    qtbot.waitUntil(lambda: bool(drawn) and window.model.run_state == rs.IDLE,
                    timeout=STARTUP_MS)
    # Once it loaded, its run is a new one, counted from the start (nothing resumed).
    assert window.model.run.number == run + 1
    assert [window.model.capture_at(i).index for i in range(len(window.model.captures))] \
        == [0]
    assert window.link_status.label.text().startswith(f"on {target.label}  |  rtt ")
    window.close()
    assert not window.runner.alive


def test_a_host_that_cannot_be_reached_is_one_clear_sentence_with_restart(qtbot, settings,
                                                                        sshd):
    from app.runner.remote import RemoteTarget
    from app.ui.main_window import MainWindow

    good = _remote_target(sshd)
    closed = _free_port()  # nothing listens there: ssh's "Connection refused"
    options = tuple(o for o in sshd.options if o not in ("-p", str(sshd.port)))
    target = RemoteTarget.parse(f"{sshd.destination}:{closed}", options, good.python)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    died: list = []
    window.model.worker_died.connect(died.append)
    window.open_remote(target, str(EXAMPLES / "spiral_mlp.py"))
    qtbot.waitUntil(lambda: bool(died), timeout=STARTUP_MS)
    panel = window.error_panel
    assert panel.isVisible() and not window.link_banner.isVisible()
    said = panel.message.text()
    assert said.startswith(f"could not start the worker on {target.label}: "), said
    assert "refused" in said.lower(), said
    assert panel.restart_button.isVisible() and window.actions["restart"].isEnabled()
    window.close()


def test_a_reconnect_that_cannot_reach_the_host_says_why_and_keeps_what_came(qtbot, settings,
                                                                           sshd):
    from app.runner.remote import RemoteTarget
    from app.ui import run_state as rs

    target = _remote_target(sshd)
    w = _remote_window(qtbot, settings, target, str(EXAMPLES / "spiral_mlp.py"))
    qtbot.waitUntil(lambda: w.model.run_state == rs.IDLE, timeout=STARTUP_MS)
    kept = len(w.model.captures)
    driver = w.runner.driver
    os.kill(driver.process.pid, signal.SIGKILL)  # the link drops...
    qtbot.waitUntil(w.link_banner.isVisible, timeout=STARTUP_MS)
    # ...and the host stays out of reach: the fresh ssh finds nothing listening.
    options = tuple(o for o in sshd.options if o not in ("-p", str(sshd.port)))
    gone = RemoteTarget.parse(f"{sshd.destination}:{_free_port()}", options, target.python)
    driver.worker_command = gone.worker_command()
    run = w.model.run.number
    qtbot.mouseClick(w.link_banner.reconnect_button, Qt.LeftButton)
    panel = w.error_panel
    qtbot.waitUntil(lambda: panel.isVisible() and w.model.run_state == rs.FAILED,
                    timeout=STARTUP_MS)
    assert panel.message.text().startswith("could not start the worker on "), \
        panel.message.text()
    assert "refused" in panel.message.text().lower()
    assert w.model.run.number == run and len(w.model.captures) == kept  # nothing lost
    assert panel.restart_button.isVisible()
    w.close()


def _remote_window(qtbot, settings, target, path: str):
    """A window running `path` on `target`, once its first graph is drawn."""
    from app.ui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    drawn: list[bool] = []
    window.first_graph_drawn.connect(lambda: drawn.append(True))
    window.open_remote(target, path)
    qtbot.waitUntil(lambda: bool(drawn) or bool(window.model.errors), timeout=STARTUP_MS)
    assert drawn, (window.model.errors, window.output.toPlainText()[-500:])
    return window


def test_a_remote_run_steps_records_pauses_and_stops_as_a_local_one(qtbot, settings, sshd):
    from app.ui import run_state as rs

    w = _remote_window(qtbot, settings, _remote_target(sshd), str(EXAMPLES / "spiral_mlp.py"))
    m = w.model
    qtbot.waitUntil(lambda: m.run_state == rs.IDLE, timeout=STARTUP_MS)
    box = w.toolbar.device  # the host's own devices (this machine, seen through ssh)
    assert m.info.host and box.itemData(0) == "cpu"
    listed = [name for name, _label in m.info.devices]
    greyed = [] if any(n.startswith("cuda") for n in listed) else ["cuda"]  # says why
    assert [box.itemData(i) for i in range(box.count())] == listed + greyed
    w.command("step_forward")
    qtbot.waitUntil(lambda: m.last_step is not None and m.run_state == rs.STEPPING,
                    timeout=STARTUP_MS)
    assert m.last_step.phase == "forward" and m.last_step.index == 0
    w.command("step_backward")
    qtbot.waitUntil(lambda: m.last_step is not None and m.last_step.phase == "backward",
                    timeout=STARTUP_MS)
    w._on_run_one_triggered()  # finish the stepped iteration
    qtbot.waitUntil(lambda: m.run_state == rs.IDLE, timeout=STARTUP_MS)
    full = w.toolbar.recording.findData("full")
    w.toolbar.recording.setCurrentIndex(full)
    w.toolbar.recording.activated.emit(full)  # as if chosen: the host records histograms
    seen = m.iterations_seen
    w.command("run_until_stopped")
    qtbot.waitUntil(lambda: m.iterations_seen >= seen + 3, timeout=STARTUP_MS)
    w.command("pause")
    qtbot.waitUntil(lambda: m.run_state == rs.PAUSED, timeout=STARTUP_MS)
    assert m.capture().level == "full"
    w.command("run_until_stopped")
    qtbot.waitUntil(lambda: m.run_state == rs.RUNNING, timeout=STARTUP_MS)
    w.command("stop")
    qtbot.waitUntil(lambda: m.run_state in (rs.STOPPED, rs.ENDED), timeout=STARTUP_MS)
    assert not w.link_banner.isVisible()  # a Stop is not a lost link
    w.close()
    assert not w.runner.alive


BROKEN = """import autograd_core as ag
from autograd_core import nn

model = nn.Linear(2, 1)


def step(i):
    loss = model(ag.randn(3, 2)).sum()
    loss.backward()
    raise RuntimeError("boom on the host")
"""


def test_an_uploaded_script_fails_with_the_hosts_file_and_line(qtbot, settings, sshd,
                                                               tmp_path):
    from app.runner.remote import RemoteTarget

    local = tmp_path / "broken.py"
    local.write_text(BROKEN)
    good = _remote_target(sshd)
    target = RemoteTarget(good.destination, good.ssh_options, good.python, upload=True)
    from app.ui.main_window import MainWindow

    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    w.open_remote(target, str(local))
    panel = w.error_panel
    qtbot.waitUntil(panel.isVisible, timeout=STARTUP_MS)
    where = panel.location.text()
    # The copy on the host (a private temporary folder there), at the raising line.
    assert where.endswith("broken.py:10") and where != f"{local}:10", where
    assert "boom on the host" in panel.message.text()
    assert "broken.py" in w.settings.recent_files[0] and "upload" in w.settings.recent_files[0]
    w.close()


def test_gradscope_remote_opens_the_window_on_the_host_with_the_scripts_arguments(sshd,
                                                                                  tmp_path):
    """`gradscope --remote HOST MODEL.py -- ARGS`: the CLI's target reaches the window,
    which runs the host's MODEL.py with ARGS and draws it (saved by --screenshot)."""
    from tests.ui.test_plain_script_window import ARGV

    script = tmp_path / "train.py"  # on the "host" (this machine, through ssh)
    script.write_text(ARGV)
    out = tmp_path / "window.png"
    target = _remote_target(sshd)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path),
               PYTHONPATH=str(ROOT))
    options = [f"--ssh-option={o}" for o in sshd.options]
    run = subprocess.run([sys.executable, "-m", "app", "--remote", sshd.destination, *options,
                          "--remote-python", target.python, str(script), "--screenshot",
                          str(out), "--", "--epochs", "1"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-2000:]
    assert (tmp_path / "train.argv").read_text() == "['--epochs', '1']"
    assert out.stat().st_size > 0


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
