"""The window's remote worker: File > Open remote… (and its recent entries), the status bar's
host and link health, the banner with Reconnect when the link drops, and the device box
filled from the devices the worker reports (the host's GPUs with their names and memory; for
local workers too). A mixin of `MainWindow`, which calls `_build_remote` once it is built.

A remote run is a run like any other (`SessionModel.run_started`); the model knows its host
(`remote_host`), so the inspector shows the source texts the worker sent instead of reading
this machine's disk. Reconnect starts a fresh worker on the same target (nothing is resumed):
what was received stays on the scrubber until that worker loads the script (and for good when
it cannot connect); its run then replaces it, as a Restart's does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog

from app.present.remote_view import RemoteEntry
from app.runner import protocol as p
from app.ui.link_banner import LinkBanner
from app.ui.link_status import LinkStatus
from app.ui.remote_dialog import RemoteDialog, target_of
from app.ui.text import one_line, plain_tooltip, window_title

__all__ = ["WindowRemote"]

DEFAULT_DEVICES = (("CPU", "cpu"), ("CUDA", "cuda"))  # the box's entries without a list


class WindowRemote:
    """Open remote, link status, Reconnect and the worker's device list for `MainWindow`
    (which provides model, runner, settings, toolbar, error_panel, recent_menu, script and
    `_fill_recent`, `_check_cuda`, `_draw_first`)."""

    model: Any
    runner: Any
    settings: Any
    toolbar: Any
    error_panel: Any
    recent_menu: Any
    script: str | None
    _cuda_reason: str
    _draw_first: bool
    _fill_recent: Any

    def _build_remote(self) -> None:
        window: Any = self
        self.remote_target: Any = None
        self.remote_entry: RemoteEntry | None = None
        action = QAction("Open remote…", window)
        action.setObjectName("open_remote")
        action.setShortcut(QKeySequence("Ctrl+Alt+O"))
        tip = "Run a model on another machine through ssh; the window stays here"
        action.setToolTip(plain_tooltip(f"{tip} (Ctrl+Alt+O)"))
        action.setStatusTip(tip)
        action.triggered.connect(self._on_open_remote_triggered)
        window.addAction(action)
        file_menu = window.menuBar().actions()[0].menu()
        file_menu.insertAction(self.recent_menu.menuAction(), action)
        self.open_remote_action = action
        self.link_banner = LinkBanner()
        window.centralWidget().layout().insertWidget(1, self.link_banner)
        self.link_status = LinkStatus()
        self.link_status.attach(window)
        self._default_devices = True  # the box holds DEFAULT_DEVICES, not a worker's list
        self._devices_host = ""  # the host whose worker listed them ("": this machine)
        m = self.model
        m.link_lost.connect(self._on_model_link_lost)
        m.loaded.connect(self._on_model_loaded_devices)
        m.worker_died.connect(self._on_model_worker_died_remote)  # after the window's own
        m.run_started.connect(self._on_model_run_started_remote)
        m.status_changed.connect(self._on_model_status_reconnect)
        self.link_banner.reconnect_requested.connect(self.reconnect)

    # ------------------------------------------------------------------ opening
    def open_remote(self, target: Any, path: str, entry: RemoteEntry | None = None) -> None:
        """Start a worker on `target` (a `RemoteTarget`) running the model at `path` (on
        the host, or the local file it uploads); remembered in the recent files."""
        entry = entry or RemoteEntry.of(target, path)
        self.settings.add_recent(entry.encode())
        self.settings.add_recent_host(entry.destination)
        self._fill_recent()
        window: Any = self
        self.remote_target, self.remote_entry = target, entry
        self.script = str(path)
        label = str(getattr(target, "label", "") or target.destination)
        window.setWindowTitle(window_title(f"Gradscope — {Path(path).name} on {label}"))
        self.model.remote_host = label
        self.model.start_run("script", self.script)
        self._draw_first = True
        # The box offers this host's devices only when a worker there filled it; otherwise
        # the script's DEVICE decides (else the CPU), and the host's list replaces the box
        # once the worker has loaded, for the user to choose from.
        same_host = not self._default_devices and self._devices_host == label
        device = self.toolbar.device.currentData() if same_host else None
        self.runner.open(self.script, device, self.toolbar.recording.currentText(),
                         remote=target)

    def open_remote_entry(self, entry: RemoteEntry) -> None:
        """Reopen a recent remote entry (reconnects); a damaged one says why."""
        try:
            target = target_of(entry)
        except (ValueError, ImportError) as exc:
            self.error_panel.show_error(p.Error("file", f"cannot open {entry.label}: {exc}",
                                                location=entry.label))
            return
        self.open_remote(target, entry.path, entry)

    def _on_open_remote_triggered(self) -> None:
        window: Any = self
        # Filled in with the last remote model (this window's, else the newest recent one).
        last = self.remote_entry or next(
            (e for e in map(RemoteEntry.decode, self.settings.recent_files) if e), None)
        dialog = RemoteDialog(self.settings.recent_hosts, window, last)
        self.remote_dialog = dialog  # tests reach the open dialog here
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.entry is not None:
            self.open_remote(dialog.target, dialog.entry.path, dialog.entry)

    def _on_model_run_started_remote(self, _run: Any) -> None:
        self.link_banner.clear()
        self._reconnecting = False  # whatever started this run, a Reconnect's wait is over

    # ------------------------------------------------------------------ the link
    def _on_model_link_lost(self, reason: str) -> None:
        host = self.model.remote_host or "the worker"
        self.link_banner.show_lost(host, reason, len(self.model.captures))

    def _on_model_worker_died_remote(self, died: Any) -> None:
        """After a lost link the banner says what happened: the death panel would repeat
        it as a crash. A worker that never started on the host: ssh's own sentence (the
        host unreachable, the key refused, no python there) stays in the panel rather than
        "the worker died", with Restart to try again."""
        if self.model.link_lost_reason:
            self.error_panel.hide()
            return
        errors = self.model.errors
        if self.model.remote_run and errors and errors[-1].kind == "remote":
            self.error_panel.show_error(errors[-1])
            self.error_panel.restart_button.show()

    def reconnect(self) -> None:
        """A fresh worker on the same target. What was received stays shown while it
        connects (and stays when it cannot connect); once the fresh worker loads the
        script, its run replaces it, as Restart's does: a new worker counts iterations from
        the start, and one run's data is never mixed into another's."""
        if self.runner.driver is None:
            return
        self.link_banner.clear()
        self.error_panel.hide()
        self.model.note_reconnect()
        self.model.note_command("restart")
        self._reconnecting = True
        self.runner.restart()
        window: Any = self
        window.statusBar().showMessage(one_line(
            f"reconnecting to {self.model.remote_host or 'the worker'}: a fresh worker "
            "starts a new run; what was received stays until it loads"), 10000)

    def _on_model_status_reconnect(self, status: Any) -> None:
        """The fresh worker of a Reconnect reports that it loads: its run begins."""
        if getattr(self, "_reconnecting", False) and status.state == p.LOADING:
            self._reconnecting = False
            self.model.start_run("script", self.script or "")
            self._draw_first = True

    # ------------------------------------------------------------------ devices
    def _on_model_loaded_devices(self, loaded: Any) -> None:
        """The box lists the worker's devices (name and memory) when it reports them, with a
        greyed CUDA entry saying why when it has no GPU; else the plain CPU/CUDA choice (CUDA
        greyed where it cannot run here)."""
        devices = _device_items(getattr(loaded, "devices", ()))
        box = self.toolbar.device
        if not devices:
            if not self._default_devices:
                self._fill_devices(DEFAULT_DEVICES, str(getattr(loaded, "device", "cpu")))
                self._default_devices = True
                self._cuda_reason = ""
                window: Any = self
                window._check_cuda()
            return
        reason = ""
        if not any(name.startswith("cuda") for _label, name in devices):
            # Say why there is no GPU rather than leave the choice out silently.
            reason = (f"no usable CUDA device on {self.model.remote_host}"
                      if self.model.remote_run else _local_cuda_reason())
            devices.append(("CUDA", "cuda"))
        self._fill_devices(devices, str(getattr(loaded, "device", "")))
        self._default_devices = False
        self._devices_host = self.model.remote_host  # whose devices the box lists
        self._cuda_reason = reason  # what the window says when the greyed entry is chosen
        if reason:
            item = box.model().item(box.count() - 1)
            item.setEnabled(False)
            item.setToolTip(plain_tooltip(f"CUDA unavailable: {reason}"))
        box.setToolTip(plain_tooltip(f"Where the model runs (devices of "
                                     f"{self.model.remote_host or 'this machine'})"))

    def _fill_devices(self, items: Any, current: str) -> None:
        box = self.toolbar.device
        box.blockSignals(True)
        box.clear()
        for label, name in items:
            box.addItem(label, name)
        names = [name for _label, name in items]
        # The worker may name its device "cuda" where the list says "cuda:0".
        index = next((i for i, n in enumerate(names) if n == current), None)
        if index is None:
            index = next((i for i, n in enumerate(names) if n.split(":")[0] == current), 0)
        box.setCurrentIndex(index)
        box.blockSignals(False)


def _local_cuda_reason() -> str:
    from autograd_core import backend

    return str(backend.cuda_unavailable_reason() or "no CUDA device")


def _device_items(devices: Any) -> list[tuple[str, str]]:
    """(shown text, device name) per well-formed `(name, label)` pair of a worker's list
    (it came over the wire: anything else is skipped)."""
    items = []
    try:
        for entry in list(devices)[:64]:
            name, label = entry
            if isinstance(name, str) and isinstance(label, str) and name:
                same = label.lower() == name.lower() or not label
                items.append((name if same else f"{name} — {label}"[:80], name))
    except (TypeError, ValueError):
        return []
    return items
