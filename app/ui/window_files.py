"""The window's files: opening a model script or a session (and the recent list), saving the
session, exporting the graph, the capture or a screenshot. A mixin of `MainWindow`, apart so
the window's file reads in one sitting; the writers themselves live in `app.ui.export` and
`app.present`, the formats in `app.present.formats`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QFileDialog, QInputDialog

from app.present.formats import dialog_filter, export_kind
from app.present.remote_view import RemoteEntry
from app.runner import protocol as p
from app.ui import export
from app.ui.session_model import session_error
from app.ui.text import menu_text, one_line, plain_tooltip, window_title


class WindowFiles:
    """Open, save and export for `MainWindow` (which provides model, runner, settings, scene,
    toolbar, error_panel and recent_menu)."""

    model: Any
    runner: Any
    settings: Any
    scene: Any
    toolbar: Any
    error_panel: Any
    recent_menu: Any
    script: str | None
    view: Any
    remote_target: Any
    open_remote_entry: Callable[[RemoteEntry], None]

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.settings.recent_files:
            remote = RemoteEntry.decode(path)  # a remote model: "host:path", reconnects
            if remote is not None:
                action = self.recent_menu.addAction(
                    menu_text(remote.label), lambda e=remote: self.open_remote_entry(e))
                action.setToolTip(plain_tooltip(f"{remote.path} on {remote.destination}"))
                continue
            action = self.recent_menu.addAction(menu_text(path),
                                                lambda path=path: self.open_model(path))
            action.setToolTip(plain_tooltip(path))  # the default tooltip is the bare text

    def open_model(self, path: str) -> None:
        """Start a worker on the model script at `path` and run one iteration to draw it."""
        self.script = str(path)
        self.settings.add_recent(self.script)
        self._fill_recent()
        self.setWindowTitle(window_title(f"Gradscope — {Path(path).name}"))
        self.model.remote_host, self.remote_target = "", None  # this machine's worker
        self.model.start_run("script", self.script)
        self._draw_first = True
        self.runner.open(self.script, self.toolbar.device.currentData(),
                         self.toolbar.recording.currentText())

    def open_session(self, path: str) -> None:
        """Show a recorded .gscope session (no worker runs)."""
        from autograd_core import trace

        try:
            session = trace.load(path)
        except Exception as exc:  # a hostile file must end in a message, not a crash
            self.error_panel.show_error(session_error(str(path), exc))
            return
        self.runner.close()
        self.script = None
        self.model.remote_host, self.remote_target = "", None  # a file here, read here
        self.settings.add_recent(str(path))
        self.setWindowTitle(window_title(f"Gradscope — {Path(path).name}"))
        self.model.open_session(session, str(path))
        if getattr(session, "recovered", False):  # a recording whose writer was killed
            self.statusBar().showMessage(
                f"{one_line(Path(path).name)}: an unfinished recording, "
                f"{len(session)} complete iterations recovered", 15000)
        self.view.fit()

    def _on_open_model_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open model script", "", "Python (*.py)")
        if path:
            self.open_model(path)

    def _on_open_session_triggered(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open session", "", "Gradscope (*.gscope)")
        if path:
            self.open_session(path)

    def _on_save_session_triggered(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save session", "run.gscope",
                                              "Gradscope (*.gscope)")
        if path:
            self._write_file(path, lambda: self.save_session(path))

    def save_session(self, path: str) -> int:
        """Write the captures this window holds for the current run to `path` (atomic: the
        old file stays until the new one is complete). Returns how many were written."""
        from autograd_core.trace import SessionWriter

        captures = [c for c in map(self.model.capture_at, range(len(self.model.captures)))
                    if c is not None]
        device = self.model.status.device if self.model.status is not None else "cpu"
        script = getattr(self.model.session, "script", None) or self.script or ""
        with SessionWriter(path, script=script,
                           device=device) as writer:
            for capture in captures:
                writer.add(capture)
        return len(captures)

    def _on_export_graph_triggered(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export graph", "graph.png",
                                              dialog_filter("image"))
        if not path:
            return
        scale = 2.0
        if export_kind(path) == ".png":
            scale, ok = QInputDialog.getDouble(self, "PNG scale", "Scale", 2.0, 0.25, 8.0, 2)
            if not ok:
                return
        self._write_file(path, lambda: export.export_graph(self.scene, path, scale))

    def _on_export_data_triggered(self) -> None:
        cap = self.model.capture()
        if cap is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export capture", "capture.json",
                                              dialog_filter("data"))
        if path:
            self._write_file(path, lambda: export.export_data(cap, path))

    def _on_screenshot_triggered(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save screenshot", "gradscope.png",
                                              "PNG (*.png)")
        if path:
            self._write_file(path, lambda: export.save_window(self, path))

    def _write_file(self, path: str, write: Callable[[], Any]) -> None:
        """Run one writer; a failure (full disk, a refused target) shows in the error panel
        and the status bar says what was written, with any note (an image scaled down)."""
        try:
            result = write()
        except (OSError, ValueError) as exc:
            self.error_panel.show_error(p.Error("file", f"cannot write {path}: {exc}",
                                                location=path))
            return
        note = getattr(result, "note", "")
        what = f"{result} captured iterations" if isinstance(result, int) else ""
        self.statusBar().showMessage(
            one_line(f"wrote {Path(path).name}" + (f" ({what})" if what else "")
                     + (f"; {note}" if note else "")), 10000)
