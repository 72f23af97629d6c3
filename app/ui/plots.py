"""The plots dock (pyqtgraph): the loss (linear or log, smoothing slider, hover readout, a click
shows that iteration, NaN/Inf iterations marked as red crosses), iterations per second, and
the gradient norm and update-to-weight ratio of the parameters the user ticks. Every plot
zooms and pans with the mouse; "Export PNG" saves the plots shown. The series are computed in
`app.present.plot_series`; this widget only draws them and follows the window's model."""

from __future__ import annotations

import html
import math
from collections import deque
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QElapsedTimer, QSize, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.present import plot_series as ps
from app.ui.heap import freeze_late_imports
from app.ui.text import plain_label, plain_tooltip
from app.ui.theme import DARK, Theme

__all__ = ["LossPlot"]

SPEED_WINDOW = 10_000
REDRAW_MS = 300  # the least time between two redraws while a run streams in
BUILD_LATEST_MS = 2000  # the plots are built by then even if no graph was drawn


class LossPlot(QWidget):
    """The plots dock. `set_points` takes the model's (iteration, loss) pairs (the window calls
    it at most 10 times a second); `iteration_clicked` says which iteration the user clicked."""

    iteration_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: Sequence[tuple[int, float]] = ()
        self.series = ps.LossSeries()
        self.model: Any = None
        self.speed: deque[tuple[int, float]] = deque(maxlen=SPEED_WINDOW)  # from worker status
        self._theme: Theme = DARK
        self._ticked: set[str] = set()
        self._since_draw = QElapsedTimer()
        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.timeout.connect(self.refresh)
        self.tabs: QTabWidget | None = None
        self._pv: Any = None  # app.ui.plot_view, once imported
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.setMinimumHeight(120)
        # pyqtgraph's views expand: a dock beside the timeline takes a fair share, no more.
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)

    # ------------------------------------------------------------------ building
    def ensure_built(self) -> None:
        """Build the plots (and import pyqtgraph) if not yet done."""
        if self.tabs is not None:
            return
        from app.ui import plot_view

        self._pv = plot_view
        self._build()
        freeze_late_imports()  # pyqtgraph loaded after the start-up heap was frozen
        self.theme = self._theme
        if self.isVisible():
            self.refresh()

    def _build(self) -> None:
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_loss_tab(), "Loss")
        self.speed_plot = self._pv.SeriesPlot("iterations / s")
        self.tabs.addTab(self.speed_plot, "Speed")
        self.tabs.addTab(self._build_params_tab(), "Parameters")
        self.tabs.currentChanged.connect(lambda _i: self.refresh())
        self.export_button = QPushButton("Export PNG…")
        self.export_button.setToolTip(plain_tooltip("Save the plots shown as a PNG picture"))
        self.export_button.clicked.connect(self._on_export_clicked)
        self.tabs.setCornerWidget(self.export_button, Qt.TopRightCorner)
        self.layout().addWidget(self.tabs)

    def _build_loss_tab(self) -> QWidget:
        tab = QWidget()
        self.log_box = QCheckBox("log scale")
        self.log_box.toggled.connect(self._on_loss_options_changed)
        self.smoothing = QSlider(Qt.Horizontal)
        self.smoothing.setRange(0, 99)   # weight in hundredths, as TensorBoard's 0..0.99
        self.smoothing.setMaximumWidth(160)
        self.smoothing.setToolTip(plain_tooltip(
            "Smoothing: exponential moving average of the loss (the raw curve stays, faint)"))
        self.smoothing.valueChanged.connect(self._on_loss_options_changed)
        self.smoothing_label = plain_label("smoothing 0.00")
        self.readout = plain_label("")
        self.readout.setMinimumWidth(60)
        row = QHBoxLayout()
        row.setContentsMargins(4, 2, 4, 0)
        for w in (self.log_box, self.smoothing_label, self.smoothing):
            row.addWidget(w)
        row.addWidget(self.readout, 1)
        self.loss_view = self._pv.SeriesPlot("loss")
        self.loss_view.hovered.connect(self._on_loss_view_hovered)
        self.loss_view.clicked.connect(self._on_loss_view_clicked)
        lay = QVBoxLayout(tab)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row)
        lay.addWidget(self.loss_view, 1)
        self.curve = self._pv.LossCurve(self.loss_view)
        self._title("loss: waiting for iterations")
        return tab

    def _build_params_tab(self) -> QWidget:
        self.param_list = QListWidget()
        self.param_list.setToolTip(plain_tooltip("Tick the parameters to plot"))
        self.param_list.itemChanged.connect(self._on_param_list_item_changed)
        # log10 on a linear axis: norms span orders of magnitude, and pyqtgraph's log axis
        # piled its minor labels on each other in a plot this small.
        self.grad_plot = self._pv.SeriesPlot("log10 gradient norm")
        self.ratio_plot = self._pv.SeriesPlot("log10 update / weight")
        self.params_plots = QSplitter(Qt.Vertical)
        self.params_plots.addWidget(self.grad_plot)
        self.params_plots.addWidget(self.ratio_plot)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.param_list)
        split.addWidget(self.params_plots)
        split.setStretchFactor(1, 4)
        return split

    def sizeHint(self) -> QSize:
        # pyqtgraph asks for a large area; a dock under the graph should not take the window.
        return QSize(200, 170)

    # ------------------------------------------------------------------ window
    def attach(self, window: Any) -> None:
        """Follow the window's model; a click on the loss shows that iteration. Importing
        pyqtgraph takes ~0.3 s: the plots are built once the first graph is drawn (or after
        two seconds without one), never between the window opening and its first graph."""
        window.first_graph_drawn.connect(lambda: QTimer.singleShot(0, self.ensure_built))
        QTimer.singleShot(BUILD_LATEST_MS, self.ensure_built)
        self.model = window.model
        window.model.run_started.connect(self._on_model_run_started)
        window.model.status_changed.connect(self._on_model_status_changed)
        self.iteration_clicked.connect(lambda it: show_iteration(window, it))

    def _on_model_run_started(self, _run: Any) -> None:
        self.speed.clear()
        self._ticked.clear()
        if self.tabs is not None:
            self.param_list.clear()
        self.refresh()

    def _on_model_status_changed(self, status: Any) -> None:
        rate = float(getattr(status, "its_per_sec", 0.0) or 0.0)
        it = int(getattr(status, "iteration", 0))
        if rate > 0 and math.isfinite(rate) and (not self.speed or self.speed[-1][0] != it):
            self.speed.append((it, rate))

    # ------------------------------------------------------------------ data in
    @property
    def theme(self) -> Theme:
        return self._theme

    @theme.setter
    def theme(self, theme: Theme) -> None:
        self._theme = theme
        if self.tabs is None:
            return  # applied when built
        for plot in (self.loss_view, self.speed_plot, self.grad_plot, self.ratio_plot):
            plot.set_theme(theme)
        self.refresh()

    def set_points(self, points: Sequence[tuple[int, float]]) -> None:
        """The loss per iteration (the model's bounded window); redraws the tab shown, at
        most every REDRAW_MS while a run streams (a pyqtgraph redraw costs ~20 ms: at the
        window's 10 Hz it took a fifth of the event loop) and not at all while hidden."""
        self.points = points
        if not self.isVisible():
            return  # showEvent draws it
        wait = REDRAW_MS - self._since_draw.elapsed() if self._since_draw.isValid() else 0
        if wait <= 0 or not points:
            self.refresh()
        elif not self._redraw.isActive():
            self._redraw.start(int(wait))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.model is None:  # a plot on its own, not in a window: build it now
            QTimer.singleShot(0, self.ensure_built)
        self.refresh()

    def refresh(self) -> None:
        """Redraw the tab shown (the others redraw when they are shown)."""
        if self.tabs is None:
            return  # ensure_built draws
        self._redraw.stop()
        self._since_draw.start()
        current = self.tabs.currentIndex()
        if current == 0:
            self._draw_loss()
        elif current == 1:
            self._draw_speed()
        else:
            self._draw_params()

    # ------------------------------------------------------------------ loss
    def _on_loss_options_changed(self, *_args) -> None:
        self.smoothing_label.setText(f"smoothing {self.smoothing.value() / 100:.2f}")
        self.loss_view.getPlotItem().setLogMode(y=self.log_box.isChecked())
        self._draw_loss()

    def _draw_loss(self) -> None:
        weight = self.smoothing.value() / 100
        log = self.log_box.isChecked()
        self.series = s = ps.loss_series(self.points, weight, log)
        view = self.loss_view
        self.curve.show(s, weight > 0, self._theme)
        if not s.x:
            self._title("loss: waiting for iterations")
            return
        # The title changes only with what it says about the data (a new title re-lays out
        # the plot: ~15 ms, once per redraw when it named the last iteration); the x axis
        # shows the iterations.
        hidden = ", values not positive left out (log scale)" if s.hidden else ""
        self._title(f"loss{hidden}")
        if len(s.x) == 1:  # one iteration: readable axes around it, not +-0.001
            view.setXRange(s.x[0] - 1, s.x[0] + 1, padding=0)
            v = s.y[0]
            if math.isfinite(v) and not log:
                half = abs(v) * 0.5 or 1.0
                view.setYRange(v - half, v + half, padding=0)
            self._single = True
        elif getattr(self, "_single", False):
            self._single = False
            view.enableAutoRange()

    def _title(self, text: str) -> None:
        if text != getattr(self, "_shown_title", None):  # a new title re-lays out the plot
            self._shown_title = text
            self.loss_view.getPlotItem().setTitle(text, color=self._theme.muted)

    def _on_loss_view_hovered(self, x: float) -> None:
        text = ps.readout(self.series, x)
        self.readout.setText(text)

    def _on_loss_view_clicked(self, x: float) -> None:
        i = ps.nearest(self.series.x, x)
        if i >= 0:
            self.iteration_clicked.emit(self.series.x[i])

    # ------------------------------------------------------------------ speed, parameters
    def _captures(self) -> list[Any]:
        model = self.model
        if model is None:
            return []
        return [model.capture_at(i) for i in range(len(model.captures))]

    def _draw_speed(self) -> None:
        view = self.speed_plot
        view.clear_lines()
        if self.speed:
            xs, ys = [i for i, _ in self.speed], [r for _, r in self.speed]
        else:  # an opened session: from the captures' clocks
            xs, ys = ps.speed_from_captures(self._captures())
        if xs:
            view.line(xs, ys, self._theme.selection, name="iterations / s", dots=len(xs) <= 20)

    def _draw_params(self) -> None:
        captures = self._captures()
        self._fill_param_list(ps.parameter_names(captures))
        names = [n for n in self._param_order() if n in self._ticked]
        for plot, metric in ((self.grad_plot, "grad"), (self.ratio_plot, "ratio")):
            plot.clear_lines()
            for line in ps.parameter_series(captures, names, metric):
                colors = self._pv.LINE_COLORS
                color = colors[self._param_order().index(line.name) % len(colors)]
                # pyqtgraph's legend renders HTML: a name from the capture is escaped first.
                plot.line(line.x, [_log10(v) for v in line.y], color,
                          name=html.escape(line.name), dots=len(line.x) <= 20)

    def _param_order(self) -> list[str]:
        return [self.param_list.item(i).text() for i in range(self.param_list.count())]

    def _fill_param_list(self, names: list[str]) -> None:
        known = set(self._param_order())
        self.param_list.blockSignals(True)
        for name in names:
            if name not in known:
                item = QListWidgetItem(name)
                item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
                item.setCheckState(Qt.Checked if name in self._ticked else Qt.Unchecked)
                item.setToolTip(plain_tooltip(name))
                self.param_list.addItem(item)
        self.param_list.blockSignals(False)

    def _on_param_list_item_changed(self, item: QListWidgetItem) -> None:
        if item.checkState() == Qt.Checked:
            self._ticked.add(item.text())
        else:
            self._ticked.discard(item.text())
        self._draw_params()

    def tick_parameter(self, name: str, on: bool = True) -> None:
        """Tick (or untick) `name` in the parameter list, as a click on its box does."""
        self.ensure_built()
        for i in range(self.param_list.count()):
            item = self.param_list.item(i)
            if item.text() == name:
                item.setCheckState(Qt.Checked if on else Qt.Unchecked)

    # ------------------------------------------------------------------ export
    def _on_export_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export plot", "plot.png", "PNG (*.png)")
        if path:
            self.export_png(path)

    def export_png(self, path: str) -> bool:
        """Save the plots of the tab shown (without the controls) as a PNG."""
        self.ensure_built()
        shown = self.tabs.currentWidget()
        target = {0: self.loss_view, 2: self.params_plots}.get(self.tabs.currentIndex(), shown)
        return bool(target.grab().save(path, "PNG"))


def _log10(value: float) -> float:
    """log10 of a norm; NaN where there is none to draw (zero, negative, NaN: a gap)."""
    return math.log10(value) if value > 0 and math.isfinite(value) else math.nan


def show_iteration(window: Any, iteration: int) -> None:
    """Scrub the window to captured iteration `iteration`, or to the nearest captured one when
    that iteration's capture has left the window (the status bar says so)."""
    model = window.model
    its = [_iteration_of(model, i) for i in range(len(model.captures))]
    known = [(it, i) for i, it in enumerate(its) if it is not None]
    if not known:
        return
    it, pos = min(known, key=lambda p: (abs(p[0] - iteration), p[1]))
    window.toolbar.scrubber.setValue(pos)
    if it != iteration:
        window.statusBar().showMessage(
            f"iteration {iteration} is not among the captured iterations: showing {it}", 8000)


def _iteration_of(model: Any, index: int) -> int | None:
    """The iteration number of capture `index` of the window, decoding only when needed."""
    item = model.captures[index]
    it = getattr(item, "iteration", None)
    if isinstance(it, int):
        return it
    cap = model.capture_at(index)
    return None if cap is None else int(cap.index)
