"""One pyqtgraph plot as the plots dock uses it: themed, zoom and pan with the mouse (right-drag
or the wheel; "A" in the corner fits again), a hover cursor that reports the x under the mouse,
and a click that reports the x clicked. What is drawn comes from `app.present.plot_series`."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QSize, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QSizePolicy

from app.ui.theme import DARK, Theme

__all__ = ["LINE_COLORS", "LossCurve", "SeriesPlot"]

# Distinct line colours for parameters (Tableau 10), cycled.
LINE_COLORS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
               "#ff9da7", "#9c755f", "#bab0ac")
NONFINITE_COLOR = "#e4002b"


class SeriesPlot(pg.PlotWidget):
    """A plot of x = iteration. Signals: hovered(float x), clicked(float x)."""

    hovered = Signal(float)
    clicked = Signal(float)

    def __init__(self, y_label: str, parent=None) -> None:
        super().__init__(parent)
        self.y_label = y_label
        item = self.getPlotItem()
        item.setLabel("bottom", "iteration")
        item.setLabel("left", y_label)
        item.setClipToView(True)                       # long runs: only what is in view
        item.setDownsampling(auto=True, mode="peak")   # ... at most a few points per pixel
        self.cursor = pg.InfiniteLine(angle=90, movable=False)
        self.cursor.hide()
        item.addItem(self.cursor, ignoreBounds=True)
        self.legend = item.addLegend(offset=(-10, 10))
        self.scene().sigMouseMoved.connect(self._on_scene_mouse_moved)
        self.scene().sigMouseClicked.connect(self._on_scene_mouse_clicked)
        self.setMinimumHeight(90)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)  # share the dock row
        self.set_theme(DARK)

    def sizeHint(self) -> QSize:
        return QSize(300, 120)  # small: the dock decides (pyqtgraph asks for 640x480)

    def set_theme(self, theme: Theme) -> None:
        self.setBackground(theme.background)
        for side in ("left", "bottom"):
            axis = self.getPlotItem().getAxis(side)
            axis.setPen(theme.muted)
            axis.setTextPen(theme.muted)
        self.cursor.setPen(pg.mkPen(theme.muted, style=pg.QtCore.Qt.DashLine))
        self.legend.setLabelTextColor(theme.text)

    def clear_lines(self) -> None:
        """Remove every data line (the cursor and legend stay)."""
        item = self.getPlotItem()
        for line in list(item.listDataItems()):
            item.removeItem(line)
        self.legend.clear()

    def line(self, xs: Sequence[float], ys: Sequence[float], color: str, name: str | None = None,
             width: float = 1.5, dots: bool = False) -> pg.PlotDataItem:
        """Add a line; NaN leaves a gap (`connect="finite"`), it is never joined over."""
        kwargs = {"symbol": "o", "symbolSize": 5, "symbolBrush": color, "symbolPen": None}
        return self.plot(list(xs), list(ys), pen=pg.mkPen(color, width=width), name=name,
                         connect="finite", **(kwargs if dots else {}))

    def marks(self, xs: Sequence[float], y: float, name: str) -> pg.PlotDataItem:
        """Non-finite iterations: red crosses along `y` (the top of the finite range)."""
        return self.plot(list(xs), [y] * len(xs), pen=None, symbol="x", symbolSize=11,
                         symbolBrush=NONFINITE_COLOR, symbolPen=pg.mkPen(NONFINITE_COLOR),
                         name=name)

    def view_point(self, x: float, y: float) -> QPointF:
        """Where data point (x, y) is in this widget's coordinates (tests click there)."""
        scene = self.getPlotItem().vb.mapViewToScene(QPointF(x, y))
        return QPointF(self.mapFromScene(scene))

    def _data_x(self, scene_pos) -> float | None:
        vb = self.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        return float(vb.mapSceneToView(scene_pos).x())

    def _on_scene_mouse_moved(self, pos) -> None:
        x = self._data_x(pos)
        if x is None:
            self.cursor.hide()
            return
        self.cursor.setPos(x)
        self.cursor.show()
        self.hovered.emit(x)

    def _on_scene_mouse_clicked(self, event) -> None:
        if event.button() != pg.QtCore.Qt.LeftButton or event.double():
            return
        x = self._data_x(event.scenePos())
        if x is not None:
            self.clicked.emit(x)


class LossCurve:
    """The loss plot's three lines (raw, smoothed, NaN/Inf marks), made once and given new
    data at each refresh: making pyqtgraph items 10 times a second cost 30-50 ms a tick."""

    def __init__(self, plot: SeriesPlot) -> None:
        self.plot = plot
        self.raw = plot.plot([], [], name="loss", connect="finite")
        self.smoothed = plot.plot([], [], name="loss (smoothed)", connect="finite")
        self.marks = plot.plot([], [], pen=None, symbol="x", symbolSize=11,
                               symbolBrush=NONFINITE_COLOR, symbolPen=pg.mkPen(NONFINITE_COLOR),
                               name="NaN/Inf")
        self._style: tuple = ()
        self._legend: tuple = ()

    def show(self, series, smoothing: bool, theme: Theme) -> None:
        """Draw `series` (an `app.present.plot_series.LossSeries`)."""
        few = len(series.x) <= 20  # few points: mark each, so a single loss shows as a dot
        style = (theme.selection, smoothing, few)
        if style != self._style:
            self._style = style
            color = QColor(theme.selection)
            faint = QColor(color)
            faint.setAlpha(90)
            dots = {"symbol": "o", "symbolSize": 5, "symbolBrush": theme.selection,
                    "symbolPen": None} if few else {"symbol": None}
            self.raw.setPen(pg.mkPen(faint if smoothing else color, width=1 if smoothing
                                     else 1.5))
            self.raw.setSymbol(None if smoothing else dots["symbol"])
            self.smoothed.setPen(pg.mkPen(color, width=2))
            self.smoothed.setSymbol(dots["symbol"] if smoothing else None)
            for item in (self.raw, self.smoothed):
                if few:
                    item.setSymbolBrush(theme.selection)
                    item.setSymbolPen(None)
                    item.setSymbolSize(5)
        self.raw.setData(series.x, series.y, connect="finite")
        self.smoothed.setData(series.x if smoothing else [],
                              series.smoothed if smoothing else [], connect="finite")
        self.smoothed.setVisible(smoothing)
        marks = [x for x, _ in series.marks]
        finite = [v for v in series.y if math.isfinite(v)]
        self.marks.setData(marks, [max(finite) if finite else 1.0] * len(marks))
        self.marks.setVisible(bool(marks))
        self._relegend(smoothing, len(marks), bool(series.x))

    def _relegend(self, smoothing: bool, marks: int, any_data: bool) -> None:
        """Legend entries for the lines shown (rebuilt only when that set changes)."""
        key = (smoothing, marks, any_data)
        if key == self._legend:
            return
        self._legend = key
        legend = self.plot.legend
        legend.clear()
        if not any_data:
            return  # an empty plot says "waiting for iterations" and shows no legend
        legend.addItem(self.smoothed if smoothing else self.raw,
                       "loss (smoothed)" if smoothing else "loss")
        if marks:
            legend.addItem(self.marks, f"NaN/Inf ({marks})")
            self.marks.opts["name"] = f"NaN/Inf ({marks})"
