"""MainWindow: the toolbars, the graph view in the centre, the inspector, plots and output in
docks, the error panel over the graph and the status bar. It wires signals; the work lives in
the model, the presenter, the adapter and the views. Opening, saving and exporting files are
its `WindowFiles` mixin (`app.ui.window_files`); the docks come from `app.ui.docks`.

Everything shown belongs to the model's current run: opening a file, reopening it, Restart and a
device change start a new one (`SessionModel.run_started`), and each view clears on that signal.
The run's visible state enables the run controls through the one table in `app.ui.run_state`."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from app.runner import protocol as p
from app.ui import run_state as rs
from app.ui.actions import ACTIONS, ShortcutsDialog, disable_cuda, make_actions, make_toolbar
from app.ui.docks import attach_docks, build_docks
from app.ui.error_panel import ErrorPanel
from app.ui.graph_presenter import GraphPresenter
from app.ui.graph_scene import GraphScene
from app.ui.graph_view import GraphView
from app.ui.heap import freeze_startup_heap
from app.ui.nan_banner import NanBanner
from app.ui.runner_adapter import RunnerAdapter
from app.ui.session_model import SessionModel
from app.ui.settings import Settings
from app.ui.status_line import number_text, status_text
from app.ui.text import one_line, plain_label, plain_tooltip
from app.ui.theme import apply_theme, theme
from app.ui.view_actions import VIEW_ACTIONS, connect_view_actions
from app.ui.window_files import WindowFiles
from app.ui.window_remote import WindowRemote


class MainWindow(WindowFiles, WindowRemote, QMainWindow):
    """The Gradscope window. Signal: first_graph_drawn (for --screenshot and benchmarks)."""

    first_graph_drawn = Signal()

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.theme = theme(self.settings.theme)
        self.model = SessionModel(parent=self)
        self.runner = RunnerAdapter(self.model, self)
        self.runner.threads = self.settings.threads
        self.scene = GraphScene(self.theme, self)
        self.view = GraphView(self.scene)
        self.presenter = GraphPresenter(self.model, self.scene, self)
        self.script: str | None = None
        self._cuda_reason = ""
        self._build()
        self._connect()
        attach_docks(self, self.docks)
        self.nan_banner.attach(self)
        self._build_remote()  # Open remote…, link status, Reconnect, the worker's devices
        self._on_model_run_state_changed(self.model.run_state)  # nothing open: nothing runs
        self._status_timer = QTimer(self)
        self._status_timer.timeout.connect(self._on_status_timer_timeout)
        self._status_timer.start(100)  # the status bar refreshes 10 times a second
        QTimer.singleShot(0, self._check_cuda)

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        self.setWindowTitle("Gradscope")
        self.resize(1280, 820)
        self.actions = make_actions(self)
        self.toolbar = make_toolbar(self, self.actions)
        self.addToolBar(self.toolbar.bar)
        self.addToolBarBreak()  # the scrubber gets its own row: never in an overflow menu
        self.addToolBar(self.toolbar.iteration_bar)
        self.error_panel = ErrorPanel()
        self.nan_banner = NanBanner()  # where the first NaN/Inf was born, with "Go to"
        centre = QWidget()
        lay = QVBoxLayout(centre)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.error_panel)
        lay.addWidget(self.nan_banner)
        lay.addWidget(self.view, 1)
        self.setCentralWidget(centre)
        self.docks = build_docks(self)  # inspector, loss_plot, timeline, output_panel, ...
        self.output = self.output_panel.view  # bounded, batched per frame, logged to a file
        self._build_menus()
        self.state_label = plain_label("no script")  # the worker's state and device names
        self.statusBar().addPermanentWidget(self.state_label)
        self.toolbar.device.setCurrentIndex(1 if self.settings.device.startswith("cuda") else 0)
        self.toolbar.recording.setCurrentText(self.settings.recording)
        geometry, state = self.settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)
        self._apply_theme()

    def _build_menus(self) -> None:
        a = self.actions
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(a["open_model"])
        self.recent_menu = QMenu("Open recent", self)
        file_menu.addMenu(self.recent_menu)
        file_menu.addAction(a["open_session"])
        file_menu.addAction(a["save_session"])
        export_menu = file_menu.addMenu("Export")
        for name in ("export_graph", "export_data", "screenshot"):
            export_menu.addAction(a[name])
        file_menu.addAction(a["quit"])
        run_menu = self.menuBar().addMenu("&Run")
        for name in ("run", "run_until_stopped", "pause", "step_forward", "step_backward",
                     "run_one", "stop", "escape", "restart"):
            run_menu.addAction(a[name])
        view_menu = self.menuBar().addMenu("&View")
        for name in ("previous_iteration", "next_iteration", "fit", "search", "collapse_all",
                     "expand_all", *VIEW_ACTIONS, "toggle_theme"):
            view_menu.addAction(a[name])
        view_menu.addSeparator()  # every dock and toolbar, so a closed one comes back
        for dock in self.docks.values():
            view_menu.addAction(dock.toggleViewAction())
        for bar in (self.toolbar.bar, self.toolbar.iteration_bar):
            view_menu.addAction(bar.toggleViewAction())
        self.menuBar().addMenu("&Help").addAction(a["shortcuts"])
        self._fill_recent()

    def _connect(self) -> None:
        a, m = self.actions, self.model
        a["open_model"].triggered.connect(self._on_open_model_triggered)
        a["open_session"].triggered.connect(self._on_open_session_triggered)
        for name in ("run", "run_until_stopped", "pause", "step_forward", "step_backward",
                     "stop", "restart"):
            a[name].triggered.connect(lambda _=False, name=name: self.command(name))
        a["run_one"].triggered.connect(self._on_run_one_triggered)
        a["escape"].triggered.connect(self._on_escape_triggered)
        a["previous_iteration"].triggered.connect(lambda: self.show_iteration_offset(-1))
        a["next_iteration"].triggered.connect(lambda: self.show_iteration_offset(1))
        a["shortcuts"].triggered.connect(self._on_shortcuts_triggered)
        a["fit"].triggered.connect(self.view.fit)
        a["search"].triggered.connect(self.view.open_search)
        a["collapse_all"].triggered.connect(self._on_collapse_all_triggered)
        a["expand_all"].triggered.connect(lambda: self.presenter.set_collapsed(frozenset()))
        a["toggle_theme"].triggered.connect(self._on_toggle_theme_triggered)
        connect_view_actions(self)  # one level collapse/expand, grad_fn labels
        a["save_session"].triggered.connect(self._on_save_session_triggered)
        a["export_graph"].triggered.connect(self._on_export_graph_triggered)
        a["export_data"].triggered.connect(self._on_export_data_triggered)
        a["screenshot"].triggered.connect(self._on_screenshot_triggered)
        a["quit"].triggered.connect(self.close)
        tb = self.toolbar
        tb.device.activated.connect(self._on_device_activated)
        tb.recording.activated.connect(self._on_recording_activated)
        tb.overlay.activated.connect(
            lambda i: self.presenter.set_overlay(tb.overlay.itemData(i)))
        tb.scrubber.valueChanged.connect(self._on_scrubber_value_changed)
        m.run_started.connect(self._on_model_run_started)
        m.run_state_changed.connect(self._on_model_run_state_changed)
        m.capture_added.connect(self._on_model_capture_added)
        m.capture_selected.connect(lambda i: self._show_selection())
        m.node_selected.connect(lambda key: self._show_selection())
        m.stepped.connect(self._on_model_stepped)
        m.loss_added.connect(self._on_model_loss_added)
        m.error_reported.connect(self._on_model_error_reported)
        m.worker_died.connect(self._on_model_worker_died)
        m.output_added.connect(self._on_model_output_added)
        m.loaded.connect(self._on_model_loaded)
        self.error_panel.restart_requested.connect(lambda: self.command("restart"))
        self.timeline.node_clicked.connect(m.select_node)
        self.presenter.graph_drawn.connect(self._on_presenter_graph_drawn)

    def _on_model_loaded(self, loaded: p.Loaded) -> None:
        if getattr(self, "_draw_first", False):
            self._draw_first = False
            self.runner.send("run", 1)  # draw the graph straight away

    # ------------------------------------------------------------------ commands
    def command(self, name: str) -> None:
        """Send a runner command (run, run_until_stopped, pause, step_forward, step_backward,
        stop, restart). Run runs the script's ITERATIONS (until stopped when it sets none);
        Restart starts a new run."""
        if self.runner.driver is None or not rs.enabled(self.model.run_state, name):
            return  # the state table says no (a session, a failed load, pause when idle)
        if name == "restart":
            self._start_script_run()
        self.model.note_command(name)
        if name == "run":
            iterations = self.model.info.iterations if self.model.info is not None else None
            self.runner.send("run", *(() if iterations is None else (iterations,)))
        elif name == "run_until_stopped":
            self.runner.send("run")
        else:
            self.runner.send(name)

    def _start_script_run(self) -> None:
        """A new run of the open script (Restart, a device change): the views clear now."""
        self.model.start_run("script", self.script or "")
        self._draw_first = True

    def _on_run_one_triggered(self) -> None:
        if self.runner.driver is None or not rs.enabled(self.model.run_state, "run_one"):
            return
        stepping = self.model.status is not None and self.model.status.state == p.STEPPING
        self.model.note_command("run_one")
        self.runner.send("finish_iteration" if stepping else "run", *(() if stepping else (1,)))

    def _on_escape_triggered(self) -> None:
        """Esc: close the search box when it is open, else stop a run in progress."""
        if self.view.search_box.isVisible():
            self.view.close_search()
        elif self.model.run_state in (rs.RUNNING, rs.STEPPING, rs.STARTING):
            self.command("stop")

    def _on_device_activated(self, index: int) -> None:
        device = self.toolbar.device.itemData(index)
        if device == "cuda" and self._cuda_reason:  # the entry is greyed; say why, keep CPU
            self.toolbar.device.setCurrentIndex(0)
            self.statusBar().showMessage(
                one_line(f"CUDA unavailable: {self._cuda_reason}; running on the CPU"), 15000)
            return
        self.settings.device = device
        if self.runner.driver is not None and self.model.run.kind == "script":
            self._start_script_run()
            self.model.note_command("set_device")
            self.runner.send("set_device", device)

    def _on_recording_activated(self, index: int) -> None:
        level = self.toolbar.recording.itemData(index)
        self.settings.recording = level
        self.runner.send("set_recording", level)

    def _check_cuda(self) -> None:
        from autograd_core import backend

        reason = backend.cuda_unavailable_reason()
        if reason:
            self._cuda_reason = str(reason)
            disable_cuda(self.toolbar.device, reason)
            if self.toolbar.device.currentIndex() == 1:  # the saved choice cannot be had
                self.statusBar().showMessage(
                    one_line(f"CUDA unavailable: {reason}; running on the CPU"), 15000)
            self.toolbar.device.setCurrentIndex(0)

    # ------------------------------------------------------------------ runs
    def _on_model_run_started(self, run: Any) -> None:
        """A new run owns the window: every view drops what the previous run showed."""
        self.error_panel.hide()
        self.output.clear()
        self.statusBar().clearMessage()
        slider = self.toolbar.scrubber
        slider.blockSignals(True)
        slider.setRange(0, 0)
        slider.setValue(0)
        slider.blockSignals(False)
        self._loss_dirty = False
        self.loss_plot.set_points(())
        self.timeline.set_capture(None)
        self.inspector.show_record(None)
        self._on_status_timer_timeout()

    def _on_model_run_state_changed(self, state: str) -> None:
        """Enable the run controls from the one table; a disabled one says why."""
        why = rs.WHY_DISABLED.get(state, "")
        for name in rs.RUN_ACTIONS:
            action, on = self.actions[name], rs.enabled(state, name)
            action.setEnabled(on)
            _text, key, tip = ACTIONS[name]
            tip = f"{tip} ({key})" + ("" if on or not why else f" — disabled: {why}")
            action.setToolTip(plain_tooltip(tip))
        read_only = state == rs.SESSION
        for combo in (self.toolbar.device, self.toolbar.recording):
            combo.setEnabled(not read_only)
        self._on_status_timer_timeout()

    def show_iteration_offset(self, delta: int) -> None:
        """Show the captured iteration `delta` places from the shown one (Alt+Left/Right)."""
        slider = self.toolbar.scrubber
        slider.setValue(max(slider.minimum(), min(slider.maximum(), slider.value() + delta)))

    def _on_shortcuts_triggered(self) -> None:
        self.shortcuts_dialog = ShortcutsDialog(self)
        self.shortcuts_dialog.show()

    # ------------------------------------------------------------------ model events
    def _on_model_capture_added(self, index: int) -> None:
        n = len(self.model.captures)
        slider = self.toolbar.scrubber
        following = self.model.current < 0
        slider.blockSignals(True)
        slider.setRange(0, n - 1)
        if following:
            slider.setValue(n - 1)
        slider.blockSignals(False)
        self._loss_dirty = True  # the panels follow at the next 10 Hz tick

    def _on_scrubber_value_changed(self, value: int) -> None:
        self.model.select_capture(value)

    def _on_model_stepped(self, event: p.Stepped) -> None:
        self.inspector.show_record(event.record, self.model.capture())

    def _on_model_loss_added(self, iteration: int, value: float) -> None:
        self._loss_dirty = True

    def _on_model_error_reported(self, error: p.Error) -> None:
        if error.kind == "warning":
            self.statusBar().showMessage(one_line(error.message), 8000)
            return
        if error.kind == "stopped" or (error.kind == "killed" and self.model.stop_requested):
            self.error_panel.show_stopped(error, killed=error.kind == "killed")
            return
        self.error_panel.show_error(error)

    def _on_model_worker_died(self, died: p.Died) -> None:
        if self.model.stop_requested:  # Stop had to kill it: the banner says so already
            self.error_panel.restart_button.show()  # nothing runs without a new worker
            if not self.error_panel.isVisible():
                where = str(getattr(died, "location", "") or "")
                self.error_panel.show_stopped(p.Error("stopped", "", location=where),
                                              killed=True)
            return
        self.error_panel.show_death(died)

    def _on_model_output_added(self, lines: list[tuple[str, str]]) -> None:
        self.output.add_lines(lines)

    def _on_presenter_graph_drawn(self, seconds: float) -> None:
        try:
            self.view.fit()
            freeze_startup_heap()
        finally:  # the picture is there: --screenshot and waiting tests must hear of it
            self.first_graph_drawn.emit()

    def _show_selection(self) -> None:
        key = self.model.selected
        self.inspector.show_record(self.model.record_of(key), self.model.capture())
        self.timeline.set_capture(self.model.capture())

    def _on_status_timer_timeout(self) -> None:
        """10 Hz: status bar, loss plot and timeline (cheap repaints, never a relayout)."""
        if getattr(self, "_loss_dirty", False):
            self._loss_dirty = False
            self.loss_plot.set_points(self.model.losses)
            self.toolbar.scrubber.set_marks(self.model.nonfinite_positions())
            if self.model.last_step is None:  # while stepping the inspector shows the step
                self._show_selection()
            else:
                self.timeline.set_capture(self.model.capture())
        cap = self.model.capture()
        label = self.toolbar.scrub_label
        label.setText(f"iteration {number_text(cap.index, str)}" if cap is not None
                      else "no iterations")
        losses = self.model.losses
        self.state_label.setText(status_text(self.model.status, self.script,
                                             self.model.run_state,
                                             losses[-1][0] if losses else None))

    # ------------------------------------------------------------------ view
    def _on_collapse_all_triggered(self) -> None:
        from app.present.graph import collapse_at_depth

        self.presenter.set_collapsed(collapse_at_depth(self.scene.graph, 1))

    def _on_toggle_theme_triggered(self) -> None:
        self.settings.theme = "light" if self.theme.name == "dark" else "dark"
        self.theme = theme(self.settings.theme)
        self._apply_theme()

    def _apply_theme(self) -> None:
        app = QApplication.instance()
        if app is not None:
            apply_theme(app, self.theme.name)
        self.scene.set_theme(self.theme)
        self.loss_plot.theme = self.timeline.theme = self.theme
        for widget in (self, self.loss_plot, self.timeline, *self.docks.values()):
            widget.update()  # painted panels keep the old colours until asked again

    # ------------------------------------------------------------------ closing
    def closeEvent(self, event) -> None:
        self.settings.save_window_state(self.saveGeometry(), self.saveState())
        self.settings.sync()
        self.runner.close()
        self.model.close_session()
        self.output.log.close()  # what the writer thread still holds reaches the file
        super().closeEvent(event)

