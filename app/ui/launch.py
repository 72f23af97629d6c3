"""Starting the app: pick a Qt platform that can work here, explain missing X libraries
instead of letting Qt abort, open the window, and for `--screenshot` save it once the first
iteration is drawn."""

from __future__ import annotations

import ctypes.util
import os
import sys
from pathlib import Path
from typing import Any

from autograd_core.trace import is_session_file

# Libraries Qt's xcb platform plugin needs beyond a bare X client (Debian package names).
XCB_LIBS = {"xcb-cursor": "libxcb-cursor0", "xcb-icccm": "libxcb-icccm4",
            "xcb-keysyms": "libxcb-keysyms1", "xkbcommon-x11": "libxkbcommon-x11-0"}
SCREENSHOT_TIMEOUT_MS = 90_000


def missing_xcb_packages() -> list[str]:
    """Debian packages whose libraries the xcb plugin would fail to load (empty: all there)."""
    return [pkg for lib, pkg in XCB_LIBS.items() if ctypes.util.find_library(lib) is None]


def choose_platform(screenshot: bool) -> str | None:
    """None when Qt may start as configured; else a reason it cannot show a window here.
    A screenshot run without a display renders offscreen instead."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return None
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        if screenshot:
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
            return None
        return ("no display found (DISPLAY is not set). Run under a desktop session, "
                "`xvfb-run -a gradscope`, or `gradscope --screenshot OUT.png`.")
    missing = missing_xcb_packages() if not os.environ.get("WAYLAND_DISPLAY") else []
    if missing:
        return ("Qt's X11 plugin needs " + ", ".join(missing) + ": run\n    "
                f"sudo apt-get install -y {' '.join(missing)}")
    return None


def run_app(source: str | None = None, screenshot: str | None = None,
            iterations: int | None = None, script_args: list[str] | None = None,
            remote: Any = None) -> int:
    """Open the window on a model script or .gscope session (default: the spirals example).

    Args:
        source: a model script (.py) or a recorded session (.gscope).
        screenshot: save the window to this PNG once `iterations` are drawn, then exit.
        iterations: with `screenshot`, how many iterations run before the shot (default 1).
        script_args: the script's own command-line arguments (its `sys.argv[1:]`).
        remote: a `RemoteTarget`: the worker runs there and `source` is a path on that host
            (or the local file it uploads).
    Returns:
        The process exit code.
    """
    problem = choose_platform(screenshot is not None)
    if problem:
        print(f"gradscope: {problem}", file=sys.stderr)
        return 2
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Gradscope")
    source = source or str(default_example())
    window = MainWindow()
    if screenshot is not None:
        window.resize(1280, 820)  # a reproducible picture, whatever the saved geometry
    window.show()
    if remote is not None:
        window.runner.script_args[source] = list(script_args or [])
        window.open_remote(remote, source)
    elif is_session_file(source):
        window.open_session(source)
    else:
        window.runner.script_args[os.path.abspath(source)] = list(script_args or [])
        window.open_model(source)
    if screenshot is None:
        return app.exec()
    outcome = {"code": 1}

    def save() -> None:
        from app.ui.export import save_window

        if outcome.get("saved"):
            return
        outcome["saved"] = True
        try:
            size = save_window(window, screenshot)
        except OSError as exc:  # a full disk or a refused target: say so, exit 1
            print(f"gradscope: {exc}", file=sys.stderr)
        else:
            print(f"saved {screenshot} ({size.width()}x{size.height()})")
            outcome["code"] = 0
        window.close()

    wanted = max(iterations or 1, 1)

    def settle_and_save() -> None:
        QTimer.singleShot(600, save)  # let the fade-in, the docks and the 10 Hz panels settle

    def _on_model_run_finished(iteration: int) -> None:
        if iteration >= wanted:  # the worker counts iterations from 1
            settle_and_save()

    def _on_window_first_graph_drawn() -> None:
        if len(window.model.losses) >= wanted:
            settle_and_save()
            return
        # A trained picture: the loss curve and the overlays need more than one iteration.
        window.model.run_finished.connect(_on_model_run_finished)
        window.model.worker_died.connect(lambda _died: settle_and_save())
        window.runner.send("run", wanted - 1)

    def _on_timeout() -> None:
        print(f"gradscope: no graph drawn within {SCREENSHOT_TIMEOUT_MS // 1000} s",
              file=sys.stderr)
        window.close()

    window.first_graph_drawn.connect(_on_window_first_graph_drawn)
    if is_session_file(source):
        QTimer.singleShot(300, save)
    QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, _on_timeout)
    app.exec()
    return outcome["code"]


def default_example() -> Path:
    return Path(__file__).resolve().parents[2] / "resources" / "examples" / "spiral_mlp.py"
