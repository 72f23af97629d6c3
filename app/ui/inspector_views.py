"""The inspector's pictures of a node: its source line with the user's code around it, its
value histogram and 2-D thumbnail heatmap with a colour bar (or which statistics level
records them), and its history across the captured iterations. The data comes from
`app.present.inspect`; these widgets only draw it."""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QLinearGradient, QPainter
from PySide6.QtWidgets import QComboBox, QPlainTextEdit, QVBoxLayout, QWidget

from app.present import inspect as ins
from app.ui.text import plain_label
from app.ui.theme import ANOMALY, DARK, SCALE_STOPS, Theme

__all__ = ["HistoryView", "SourceView", "TensorPictures"]


class SourceView(QPlainTextEdit):
    """The source line of a node with a few lines either side, the line itself marked."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.NoWrap)
        font = QFont("monospace")
        font.setStyleHint(QFont.Monospace)
        self.setFont(font)
        self.setMinimumHeight(60)

    def show_source(self, source: str, roots: list[str],
                    texts: dict[str, str] | None = None, local: bool = True) -> None:
        """`texts`: sources a remote worker sent; `local` False: never read this disk."""
        lines = ins.source_context(source, roots=roots, texts=texts, local=local)
        if isinstance(lines, str):
            self.setPlainText(f"{source}\n{lines}" if source else lines)
            return
        width = len(str(lines[-1].number))
        text = [f"{'→' if s.current else ' '} {s.number:>{width}}  {s.text}" for s in lines]
        self.setPlainText(f"{source}\n" + "\n".join(text))


class TensorPictures(QWidget):
    """A tensor's histogram (32 bins over its finite values) and thumbnail heatmap with a
    colour bar; with no such statistics, a note says which level records them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme: Theme = DARK
        self.stats: Any = None
        self.title = ""
        self.note = plain_label("", wrap=True)
        self._image: QImage | None = None
        self._range = (0.0, 0.0)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.note)
        lay.addStretch(1)
        self.setMinimumHeight(220)

    def show_stats(self, stats: Any, level: str, title: str = "") -> None:
        self.stats, self.title = stats, title
        note = ins.pictures_note(stats, level)
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self._image = None
        thumb = None if stats is None else stats.thumb
        if thumb is not None and getattr(thumb, "size", 0):
            rgb, lo, hi = ins.thumbnail_rgb(thumb, SCALE_STOPS)
            h, w = rgb.shape[:2]
            self._image = QImage(rgb.data, w, h, 3 * w, QImage.Format_RGB888).copy()
            self._range = (lo, hi)
        self.update()

    @property
    def has_histogram(self) -> bool:
        return self.stats is not None and self.stats.hist is not None

    @property
    def has_heatmap(self) -> bool:
        return self._image is not None

    def paintEvent(self, event) -> None:
        if not (self.has_histogram or self.has_heatmap):
            return
        painter = QPainter(self)
        painter.setPen(QColor(self.theme.muted))
        box = QRectF(self.rect()).adjusted(6, 4, -6, -4)
        both = self.has_histogram and self.has_heatmap
        if both and box.width() < 380:  # a narrow dock: one above the other
            top = QRectF(box.left(), box.top(), box.width(), box.height() / 2 - 4)
            second = QRectF(box.left(), top.bottom() + 8, box.width(), box.height() / 2 - 4)
        elif both:
            top = QRectF(box.left(), box.top(), box.width() / 2 - 6, box.height())
            second = QRectF(box.left() + box.width() / 2, box.top(), box.width() / 2,
                            box.height())
        else:
            top = second = box
        if self.has_histogram:
            self._paint_histogram(painter, top)
        if self.has_heatmap:
            self._paint_heatmap(painter, second)
        painter.end()

    def _paint_histogram(self, painter: QPainter, box: QRectF) -> None:
        s = self.stats
        painter.drawText(QRectF(box.left(), box.top(), box.width(), 14), Qt.AlignLeft,
                         f"histogram {self.title}".strip())
        plot = box.adjusted(0, 18, 0, -16)
        counts = list(s.hist)
        top = max(counts) or 1
        bar_w = plot.width() / max(len(counts), 1)
        for i, c in enumerate(counts):
            h = plot.height() * c / top
            painter.fillRect(QRectF(plot.left() + i * bar_w, plot.bottom() - h,
                                    max(bar_w - 1, 1), h), QColor(self.theme.selection))
        painter.drawText(QRectF(plot.left(), plot.bottom() + 2, plot.width(), 14),
                         Qt.AlignLeft, ins.finite_text(s.hist_lo))
        painter.drawText(QRectF(plot.left(), plot.bottom() + 2, plot.width(), 14),
                         Qt.AlignRight, ins.finite_text(s.hist_hi))
        if s.nan or s.inf:
            painter.setPen(ANOMALY)
            painter.drawText(QRectF(plot.left(), plot.top(), plot.width(), 14), Qt.AlignRight,
                             f"{s.nan} NaN, {s.inf} Inf")
            painter.setPen(QColor(self.theme.muted))

    def _paint_heatmap(self, painter: QPainter, box: QRectF) -> None:
        image = self._image
        painter.drawText(QRectF(box.left(), box.top(), box.width(), 14), Qt.AlignLeft,
                         f"thumbnail {image.height()}x{image.width()}")
        area = box.adjusted(0, 18, -64, -2)  # room for the colour bar and its numbers
        scale = min(area.width() / image.width(), area.height() / image.height())
        target = QRectF(area.left(), area.top(), image.width() * scale, image.height() * scale)
        painter.drawImage(target, image)
        bar = QRectF(target.right() + 6, target.top(), 8, max(target.height(), 20))
        grad = QLinearGradient(bar.bottomLeft(), bar.topLeft())  # low at the bottom
        for i, stop in enumerate(SCALE_STOPS):
            grad.setColorAt(i / (len(SCALE_STOPS) - 1), QColor(stop))
        painter.fillRect(bar, grad)
        lo, hi = self._range
        small = QFont(painter.font())
        small.setPointSizeF(max(small.pointSizeF() - 1, 6))
        painter.setFont(small)
        painter.drawText(QRectF(bar.right() + 2, bar.top() - 2, 60, 12), Qt.AlignLeft,
                         ins.finite_text(hi))
        painter.drawText(QRectF(bar.right() + 2, bar.bottom() - 10, 60, 12), Qt.AlignLeft,
                         ins.finite_text(lo))


class HistoryView(QWidget):
    """The selected node across the captured iterations: one metric, chosen in a list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.metric = QComboBox()
        for name, text in ins.HISTORY_METRICS.items():
            self.metric.addItem(text, name)
        from app.ui.plot_view import SeriesPlot  # pyqtgraph: imported once a node is shown

        self.plot = SeriesPlot("")
        self.plot.setMinimumHeight(110)
        self.plot.getPlotItem().getAxis("left").enableAutoSIPrefix(False)  # no "(x0.001)"
        self.note = plain_label("", wrap=True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.metric)
        lay.addWidget(self.note)
        lay.addWidget(self.plot, 1)
        self.xs: list[int] = []
        self.ys: list[float] = []

    def show_history(self, xs: list[int], ys: list[float], current: int | None,
                     theme: Theme) -> None:
        self.xs, self.ys = xs, ys
        plot = self.plot
        plot.set_theme(theme)
        plot.clear_lines()
        plot.getPlotItem().setLabel("left", self.metric.currentText())
        if not xs:
            self.note.setText("this node has no such value in the captured iterations")
            self.note.show()
            return
        self.note.hide()
        plot.line(xs, [y if math.isfinite(y) else math.nan for y in ys], theme.selection,
                  dots=len(xs) <= 30)
        if current in xs:
            y = ys[xs.index(current)]
            if math.isfinite(y):
                plot.plot([current], [y], pen=None, symbol="o", symbolSize=9,
                          symbolBrush=theme.step)
