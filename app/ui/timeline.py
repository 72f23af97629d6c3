"""The timeline under the graph: the shown iteration
(and the ones before it, side by side) on a time axis with ticks, zoom (wheel) and pan (drag),
forward / backward / update lanes with ops nested under their modules, hover naming op,
module, time and file:line, a click selecting the node (and panning the graph to it), and
export of the iterations shown as one Chrome trace. Its numbers come from the Qt-free
`app.present.timeline_model`. It is painted directly, culled to what is visible."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QFileDialog, QPushButton, QSpinBox, QToolTip, QWidget

from app.present.timeline_model import (
    LANES,
    CaptureSpans,
    Span,
    Timeline,
    TimeWindow,
    build_timeline,
    capture_spans,
    format_ns,
    nice_ticks,
    span_tip,
    visible,
)
from app.ui.text import plain_tooltip
from app.ui.theme import DARK, Theme

PHASE_COLORS = {"forward": "#4e79a7", "backward": "#f28e2b", "update": "#59a14f"}

HEADER_H, AXIS_H, LEFT, MAX_ROW_H, LANE_GAP = 26.0, 16.0, 70.0, 16.0, 3.0
MAX_ITERATIONS = 20  # side by side; each is a whole capture's spans


class TimelineWidget(QWidget):
    """The timeline dock. Signal: node_clicked(key) when a bar with a graph node is clicked
    (a drag pans instead). `iterations` picks how many iterations end at the shown one."""

    node_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.capture: Any = None
        self.captures: list[Any] = []   # what the timeline shows, oldest first
        self.theme: Theme = DARK
        self.model: Any = None
        self.timeline = Timeline()
        self.window_ns = TimeWindow(0.0, 1.0, 1.0)
        self._zoomed = False             # the user zoomed/panned: new captures keep the view
        self._built: tuple = ()
        self._cache: dict[int, tuple[Any, CaptureSpans]] = {}  # id -> (capture, its spans)
        self._press: QPointF | None = None
        self._dragged = False
        # (rect, node key, lane, label, time): drawn bars, for hover and clicks
        self._bars: list[tuple[QRectF, str, str, str, float]] = []
        self._drawn: list[Span] = []
        self.iterations = _spin(self)
        self.iterations.valueChanged.connect(lambda _n: self._rebuild())
        self.fit_button = _button(self, "Fit", "Show the whole time span (or double-click)")
        self.fit_button.clicked.connect(self.fit)
        self.export_button = _button(self, "Export trace…",
                                     "The iterations shown as one Chrome trace (Perfetto)")
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.setMinimumHeight(110)
        self.setMinimumWidth(340)  # the controls and a readable axis

    def attach(self, window: Any) -> None:
        """Read earlier iterations from the window's model; a click also pans the graph."""
        self.model = window.model
        self.node_clicked.connect(lambda key: _centre_on(window, key))
        window.model.node_selected.connect(lambda _key: self.update())

    # ------------------------------------------------------------------ data
    def set_capture(self, capture: Any) -> None:
        """Show `capture` (and the iterations before it, as many as chosen)."""
        self.capture = capture
        self._rebuild()

    def _rebuild(self) -> None:
        caps = self._captures()
        built = tuple(map(id, caps))
        if built != self._built:  # 10 Hz calls with the same captures cost nothing
            self._built, self.captures = built, caps
            self.timeline = build_timeline(caps, self._spans_of)
            total = max(self.timeline.total_ns, TimeWindow.MIN_NS)
            w = self.window_ns
            self.window_ns = (TimeWindow(w.start, w.end, total).pan(0) if self._zoomed
                              else TimeWindow(0.0, total, total))
            self.update()

    def _spans_of(self, capture: Any) -> CaptureSpans:
        """A capture's rows, built once while it stays among the recent ones."""
        hit = self._cache.get(id(capture))
        if hit is not None and hit[0] is capture:
            return hit[1]
        spans = capture_spans(capture)
        self._cache[id(capture)] = (capture, spans)
        while len(self._cache) > 2 * MAX_ITERATIONS:  # the oldest first (insertion order)
            del self._cache[next(iter(self._cache))]
        return spans

    def _captures(self) -> list[Any]:
        cap, model, n = self.capture, self.model, self.iterations.value()
        if cap is None or model is None or n <= 1:
            return [] if cap is None else [cap]
        pos = model.current if model.current >= 0 else len(model.captures) - 1
        if not (0 <= pos < len(model.captures)) or model.capture_at(pos) is not cap:
            return [cap]
        earlier = (model.capture_at(i) for i in range(max(0, pos - n + 1), pos))
        return [c for c in earlier if c is not None] + [cap]

    def fit(self) -> None:
        self._zoomed = False
        self.window_ns = self.window_ns.fit()
        self.update()

    def export_chrome(self, path: str) -> None:
        """Write the iterations shown as one Chrome trace (`trace.export_chrome_trace`)."""
        from autograd_core.trace import export_chrome_trace

        export_chrome_trace(self.captures, path)

    def _on_export_button_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export Chrome trace", "trace.json",
                                              "Chrome trace (*.json)")
        if path:
            self.export_chrome(path)

    # ------------------------------------------------------------------ geometry
    def _x(self, ns: float) -> float:
        w = self.window_ns
        return LEFT + (ns - w.start) / max(w.span, 1e-9) * (self.width() - LEFT - 8)

    def _ns(self, x: float) -> float:
        w = self.window_ns
        return w.start + (x - LEFT) / max(self.width() - LEFT - 8, 1) * w.span

    def _rows(self) -> tuple[float, dict[str, float]]:
        """Row height and the top of each lane."""
        rows = self.timeline.rows
        space = self.height() - HEADER_H - AXIS_H - 4 - LANE_GAP * len(LANES)
        row_h = max(3.0, min(MAX_ROW_H, space / max(sum(rows.values()), 1)))
        tops, y = {}, HEADER_H + AXIS_H
        for lane in LANES:
            tops[lane] = y
            y += rows[lane] * row_h + LANE_GAP
        return row_h, tops

    def resizeEvent(self, event) -> None:
        x = self.width() - 4
        for w in (self.export_button, self.fit_button, self.iterations):
            w.adjustSize()
            x -= w.width() + 4
            w.move(int(x), 2)
        super().resizeEvent(event)

    # ------------------------------------------------------------------ painting
    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        th = self.theme
        painter.fillRect(self.rect(), QColor(th.background))
        self._bars, self._drawn = [], []
        if not self.timeline.spans:
            painter.setPen(QColor(th.muted))
            painter.drawText(self.rect(), Qt.AlignCenter, "timeline: no iteration yet")
            painter.end()
            return
        self._paint_header(painter)
        row_h, tops = self._rows()
        self._paint_axis(painter, tops)
        for lane in LANES:
            painter.setPen(QColor(th.muted))
            painter.drawText(QRectF(0, tops[lane], LEFT - 6, self.timeline.rows[lane] * row_h),
                             Qt.AlignRight | Qt.AlignVCenter, lane)
        painter.setClipRect(QRectF(LEFT, HEADER_H, self.width() - LEFT, self.height()))
        self._paint_spans(painter, row_h, tops)
        painter.end()

    def _paint_header(self, painter: QPainter) -> None:
        its = self.timeline.iterations
        first, last = its[0][0], its[-1][0]
        what = f"iteration {first}" if first == last else f"iterations {first}-{last}"
        painter.setPen(QColor(self.theme.text))
        text = f"{what}   showing {format_ns(self.window_ns.span)} of " \
               f"{format_ns(self.timeline.total_ns)}"
        width = self.iterations.x() - 12
        text = painter.fontMetrics().elidedText(text, Qt.ElideRight, max(width, 0))
        painter.drawText(QRectF(6, 0, width, HEADER_H), Qt.AlignLeft | Qt.AlignVCenter, text)

    def _paint_axis(self, painter: QPainter, tops: dict[str, float]) -> None:
        th, w = self.theme, self.window_ns
        bottom = self.height() - 2
        count = max(2, int((self.width() - LEFT) / 90))
        for ns, label in nice_ticks(w.start, w.end, count):
            x = self._x(ns)
            painter.setPen(QColor(th.frame))
            painter.drawLine(QPointF(x, HEADER_H + AXIS_H - 4), QPointF(x, bottom))
            painter.setPen(QColor(th.muted))
            painter.drawText(QPointF(x + 2, HEADER_H + AXIS_H - 5), label)
        for index, start, _end in self.timeline.iterations:  # where each iteration begins
            x = self._x(start)
            if LEFT <= x <= self.width():
                painter.setPen(QPen(QColor(th.text), 1, Qt.DashLine))
                painter.drawLine(QPointF(x, HEADER_H), QPointF(x, bottom))
                painter.drawText(QPointF(x + 3, bottom - 1), f"it {index}")  # under the lanes

    def _paint_spans(self, painter: QPainter, row_h: float, tops: dict[str, float]) -> None:
        w, right = self.window_ns, float(self.width())
        px_per_ns = (right - LEFT - 8) / max(w.span, 1e-9)
        selected = getattr(self.model, "selected", None)
        metrics = painter.fontMetrics()
        for (lane, depth), row in self.timeline.lines.items():
            y = tops[lane] + depth * row_h
            color = QColor(PHASE_COLORS[lane])
            module_color = color.darker(160)
            wide, runs = visible(row, w.start, px_per_ns, LEFT, right)
            for x0, x1 in runs:  # bars under 2 px, merged per pixel column
                painter.fillRect(QRectF(x0, y, x1 - x0, row_h - 1), color)
            for i in wide:
                span = row.spans[i]
                x0 = max(LEFT + (row.starts[i] - w.start) * px_per_ns, LEFT - 2)
                x1 = min(LEFT + (row.ends[i] - w.start) * px_per_ns, right + 2)
                rect = QRectF(x0, y, x1 - x0, row_h - 1)
                painter.fillRect(rect, module_color if span.kind == "module" else color)
                if span.key and span.key == selected:
                    painter.setPen(QPen(QColor(self.theme.selection), 2))
                    painter.drawRect(rect)
                self._bars.append((rect, span.key, span.lane, span.label, span.dur_ns))
                self._drawn.append(span)
                if rect.width() > 40 and row_h >= 10:
                    painter.setPen(QColor("#ffffff"))
                    # Elided to the bar: a name of any length costs one short line to draw.
                    shown = metrics.elidedText(str(span.label)[:500], Qt.ElideRight,
                                               int(rect.width()) - 4)
                    painter.drawText(rect, Qt.AlignCenter, shown)

    # ------------------------------------------------------------------ input
    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self._zoomed = True
            anchor = self._ns(event.position().x())
            self.window_ns = self.window_ns.zoom(1.25 ** steps, anchor)
            self.update()
        event.accept()

    def mousePressEvent(self, event) -> None:
        self._press, self._dragged = event.position(), False

    def mouseMoveEvent(self, event) -> None:
        if self._press is None:
            return
        dx = event.position().x() - self._press.x()
        if self._dragged or abs(dx) > 3:
            self._dragged, self._zoomed = True, True
            width = max(self.width() - LEFT - 8, 1)
            self.window_ns = self.window_ns.pan(-dx / width * self.window_ns.span)
            self._press = event.position()
            self.update()

    def mouseReleaseEvent(self, event) -> None:
        clicked = self._press is not None and not self._dragged
        self._press = None
        if clicked:
            span = self.span_at(event.position())
            if span is not None and span.key:
                self.node_clicked.emit(span.key)

    def mouseDoubleClickEvent(self, event) -> None:
        self.fit()

    def event(self, event) -> bool:
        if event.type() == QEvent.ToolTip:
            tip = self.tip_at(QPointF(event.pos()))
            if tip:
                QToolTip.showText(event.globalPos(), tip, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def span_at(self, point: QPointF) -> Span | None:
        """The drawn span under `point` (widget coordinates), the last painted first."""
        for (rect, *_), span in zip(reversed(self._bars), reversed(self._drawn), strict=True):
            if rect.contains(point):
                return span
        return None

    def tip_at(self, point: QPointF) -> str:
        """The tooltip of the bar at `point`: op, module, time, file:line ("" over none)."""
        span = self.span_at(point)
        if span is None:
            return ""
        title, lines = span_tip(span)
        return plain_tooltip("\n".join(lines), title=title)


def _spin(parent: QWidget) -> QSpinBox:
    box = QSpinBox(parent)
    box.setObjectName("timeline_iterations")
    box.setRange(1, MAX_ITERATIONS)
    box.setPrefix("iterations: ")
    box.setMinimumWidth(115)
    box.setToolTip(plain_tooltip("How many iterations, ending at the shown one, side by side"))
    box.setFocusPolicy(Qt.ClickFocus)
    return box


def _button(parent: QWidget, text: str, tip: str) -> QPushButton:
    button = QPushButton(text, parent)
    button.setToolTip(plain_tooltip(tip))
    button.setFocusPolicy(Qt.NoFocus)
    return button


def _centre_on(window: Any, key: str) -> None:
    """Pan the graph view to the node of `key` (the timeline's click already selected it),
    or to the collapsed module box that holds it."""
    item = window.scene.nodes.get(key)
    layout = getattr(window.presenter, "layout", None)
    if item is None and layout is not None:
        group = next((g for g, members in layout.groups.items() if key in members), None)
        item = window.scene.nodes.get(group)
    if item is not None:
        window.view.centerOn(item)
