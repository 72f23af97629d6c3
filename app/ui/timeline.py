"""Plots under the graph: the loss curve over the run, and the shown iteration's timeline
(forward ops, backward nodes, update) as bars. Both are painted directly: a few hundred
lines a frame, no plotting library."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QToolTip, QWidget

from app.present.overlays import format_value
from app.ui.text import plain_tooltip
from app.ui.theme import DARK, Theme

PHASE_COLORS = {"forward": "#4e79a7", "backward": "#f28e2b", "update": "#59a14f"}


class LossPlot(QWidget):
    """The loss per iteration (the model's bounded window of losses)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: Sequence[tuple[int, float]] = ()
        self.theme: Theme = DARK
        self.setMinimumHeight(90)

    def set_points(self, points: Sequence[tuple[int, float]]) -> None:
        self.points = points
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(self.theme.background))
        painter.setPen(QColor(self.theme.muted))
        box = QRectF(self.rect()).adjusted(44, 8, -8, -18)
        pts = [(i, v) for i, v in self.points if v == v]  # drop NaN losses from the scale
        if not pts:
            painter.drawText(self.rect(), Qt.AlignCenter, "loss: waiting for iterations")
            painter.end()
            return
        (i0, i1) = pts[0][0], pts[-1][0]
        lo, hi = min(v for _, v in pts), max(v for _, v in pts)
        span_i, span_v = max(i1 - i0, 1), (hi - lo) or 1.0
        step = max(1, len(pts) // int(max(box.width(), 1)))  # at most one point per pixel
        # One iteration or a flat loss sits in the middle rather than in a corner.
        x0 = box.left() if i1 > i0 else box.center().x()
        y0 = box.bottom() if hi > lo else box.center().y()
        poly = QPolygonF([QPointF(x0 + (i - i0) / span_i * box.width(),
                                  y0 - (v - lo) / span_v * box.height())
                          for i, v in pts[::step]])
        painter.drawText(QRectF(0, box.top() - 6, 42, 14), Qt.AlignRight, f"{hi:.3g}")
        painter.drawText(QRectF(0, box.bottom() - 8, 42, 14), Qt.AlignRight, f"{lo:.3g}")
        span = f"iteration {i0}" if i0 == i1 else f"iterations {i0}-{i1}"
        painter.drawText(QRectF(box.left(), box.bottom() + 2, box.width(), 14), Qt.AlignCenter,
                         f"loss, {span}")
        painter.setRenderHint(QPainter.Antialiasing)
        color = QColor(self.theme.selection)
        painter.setPen(QPen(color, 1.5))
        painter.drawPolyline(poly)
        if len(pts) <= 20:  # few points: mark each, so the first loss shows as a dot
            painter.setBrush(color)
            for point in poly:
                painter.drawEllipse(point, 2.5, 2.5)
        painter.end()


class TimelineWidget(QWidget):
    """One iteration on a time axis: a row per phase, a bar per op/backward node. Clicking a
    forward bar selects its node; hovering a bar names it (its label may not fit)."""

    node_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.capture: Any = None
        self.theme: Theme = DARK
        # (rect, node key, phase, label, time): the tooltip is built only when asked for
        self._bars: list[tuple[QRectF, str, str, str, int]] = []
        self.setMinimumHeight(70)

    def set_capture(self, capture: Any) -> None:
        self.capture = capture
        self.update()

    def _spans(self) -> list[tuple[str, int, int, str, str]]:
        """(phase, start_ns, time_ns, label, node key) of every bar."""
        cap = self.capture
        spans = [("forward", n.start_ns, n.time_ns, n.op, n.key) for n in cap.nodes
                 if n.kind == "op"]
        spans += [("backward", b.start_ns, b.time_ns, b.name, cap.nodes[b.forward].key)
                  for b in cap.backward if 0 <= b.forward < len(cap.nodes)]
        start, end = cap.phases.get("update", (-1, -1))
        if start >= 0:
            spans.append(("update", start, end - start, "optimizer", ""))
        return spans

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(self.theme.background))
        painter.setPen(QColor(self.theme.muted))
        self._bars = []
        if self.capture is None or not self.capture.nodes:
            painter.drawText(self.rect(), Qt.AlignCenter, "timeline: no iteration yet")
            return
        spans = self._spans()
        total = max((s + t for _, s, t, _, _ in spans), default=1) or 1
        box = QRectF(self.rect()).adjusted(70, 4, -8, -16)
        row_h = box.height() / 3
        for row, phase in enumerate(PHASE_COLORS):
            y = box.top() + row * row_h
            painter.setPen(QColor(self.theme.muted))
            painter.drawText(QRectF(0, y, 66, row_h), Qt.AlignRight | Qt.AlignVCenter, phase)
        for phase, start, length, label, key in spans:
            row = list(PHASE_COLORS).index(phase)
            rect = QRectF(box.left() + start / total * box.width(), box.top() + row * row_h + 2,
                          max(length / total * box.width(), 1.5), row_h - 4)
            painter.fillRect(rect, QColor(PHASE_COLORS[phase]))
            self._bars.append((rect, key, phase, label, length))
            if rect.width() > 40:
                painter.setPen(QColor("#ffffff"))
                # Elided to the bar: a name of any length costs one short line to draw.
                shown = painter.fontMetrics().elidedText(str(label)[:500], Qt.ElideRight,
                                                         int(rect.width()) - 4)
                painter.drawText(rect, Qt.AlignCenter, shown)
        painter.setPen(QColor(self.theme.muted))
        painter.drawText(QRectF(box.left(), box.bottom() + 1, box.width(), 14), Qt.AlignRight,
                         f"{total / 1e6:.2f} ms")
        painter.end()

    def mousePressEvent(self, event) -> None:
        for rect, key, *_ in self._bars:
            if key and rect.contains(event.position()):
                self.node_clicked.emit(key)
                return

    def event(self, event) -> bool:
        if event.type() == QEvent.ToolTip:
            tip = self.tip_at(QPointF(event.pos()))
            if tip:
                QToolTip.showText(event.globalPos(), tip, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def tip_at(self, point: QPointF) -> str:
        """The tooltip of the bar at `point` (widget coordinates); "" over no bar."""
        for rect, key, phase, label, length in reversed(self._bars):  # last painted is on top
            if rect.contains(point):
                return _bar_tip(phase, str(label), str(key), length)
        return ""


def _bar_tip(phase: str, label: str, key: str, length: int) -> str:
    """A bar's hover text: what ran, its node key and how long; names shown literally."""
    lines = [f"{phase}: {format_value(length, 'time')}"]
    if key and key != label:
        lines.append(f"node: {key}")
    return plain_tooltip("\n".join(lines), title=label)
