"""Qt fixtures: the offscreen platform, isolated settings, and a window on a model script.

The whole folder skips when PySide6 or pytest-qt is not installed (the `gui` extra).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6.QtWidgets", reason="the app needs PySide6 (the gui extra)")
pytest.importorskip("pytestqt", reason="Qt tests need pytest-qt (the gui extra)")

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "resources" / "examples"
STARTUP_MS = 60_000  # the worker imports numpy and the engine; this machine is shared


@pytest.fixture
def settings(tmp_path):
    from PySide6.QtCore import QSettings

    from app.ui.settings import Settings

    return Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))


@pytest.fixture
def open_window(qtbot, settings):
    """open_window(script): a MainWindow running `script`, once its first graph is drawn."""
    from app.ui.main_window import MainWindow

    windows = []

    def open_(script: Path):
        window = MainWindow(settings)
        qtbot.addWidget(window)
        windows.append(window)
        window.show()
        drawn, died = [], []
        window.first_graph_drawn.connect(lambda: drawn.append(True))
        window.model.worker_died.connect(died.append)
        window.open_model(str(script))
        # A worker that died or failed to load ends the wait at once, and the message says why.
        with contextlib.suppress(qtbot.TimeoutError):
            qtbot.waitUntil(lambda: bool(drawn or died or _load_failed(window.model)),
                            timeout=STARTUP_MS)
        if drawn:  # the first draw's iteration ends: the run controls are enabled again
            from app.ui import run_state as rs

            qtbot.waitUntil(lambda: window.model.run_state not in (rs.STARTING, rs.RUNNING),
                            timeout=STARTUP_MS)
        if not drawn:
            m, d = window.model, window.runner.driver
            raise AssertionError(
                f"no graph drawn: status={m.status} info={m.info} captures={len(m.captures)} "
                f"errors={m.errors} died={died} driver={d and (d.state, d.alive)} "
                f"bytes={d and d.bytes_received} script_exists={Path(script).exists()} "
                f"output={window.output.toPlainText()[-500:]!r}")
        return window

    yield open_
    for window in windows:
        window.close()  # stops the worker


def _load_failed(model) -> bool:
    return any(e.kind != "warning" for e in model.errors)


@pytest.fixture
def spiral_window(open_window):
    return open_window(EXAMPLES / "spiral_mlp.py")


@pytest.fixture
def wait_state(qtbot):
    """wait_state(window, state): wait until the worker reports `state`."""

    def wait(window, state: str, timeout: int = 20_000) -> None:
        qtbot.waitUntil(lambda: window.model.status is not None
                        and window.model.status.state == state, timeout=timeout)

    return wait


@pytest.fixture
def session_window(qtbot, settings):
    """session_window(path, expect_graph=True): a MainWindow showing the .gscope at `path`
    (no worker runs); waits until its graph is drawn unless `expect_graph` is False."""
    from app.ui.main_window import MainWindow

    def open_(path: Path, expect_graph: bool = True):
        window = MainWindow(settings)
        qtbot.addWidget(window)
        window.show()
        window.open_session(str(path))
        if expect_graph:
            qtbot.waitUntil(lambda: bool(window.scene.nodes), timeout=10_000)
        return window

    return open_
