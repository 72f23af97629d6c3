"""GraphView: pans (drag), zooms (wheel, pinch, +/-/0 keys), fits, shows a minimap, the overlay
legend and hover summaries, and searches (Ctrl+F) by op, module or source line."""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsView, QLineEdit, QToolTip, QWidget

from app.layout import GroupNode
from app.present.overlays import OverlayScale
from app.ui.graph_scene import GraphScene
from app.ui.items import text_lods
from app.ui.overview import OVERVIEW_SCALE
from app.ui.semantic_zoom import SemanticLabels
from app.ui.text import plain_tooltip
from app.ui.theme import ANOMALY, ROLE_COLORS, SCALE_STOPS

MIN_SCALE, MAX_SCALE = 0.01, 6.0
# Fit shows a tall graph at its width (then one scrolls) when showing all of it would take
# the scale below this: a thin column of unlabelled boxes answers nothing.
READABLE_FIT = 0.5


class GraphView(QGraphicsView):
    """The graph canvas. Signal: search_failed(text) when nothing matches."""

    search_failed = Signal(str)
    zoom_changed = Signal(float)

    def __init__(self, scene: GraphScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setDragMode(QGraphicsView.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.DontSavePainterState, True)
        self.viewport().grabGesture(Qt.PinchGesture)
        self.minimap = MiniMap(self)
        self.labels = SemanticLabels()  # module names when boxes are too small for text
        scene.sceneRectChanged.connect(lambda _r: self.minimap.place())  # a new graph
        self.search_box = QLineEdit(self)
        self.search_box.setPlaceholderText("Search op, module or file:line  (Enter: next)")
        self.search_box.hide()
        self.search_box.returnPressed.connect(self._on_search_box_return_pressed)
        self._matches: list[Hashable] = []
        self._match_index = -1
        # Esc is the window's one "escape" action (closes this box first, else stops a run):
        # a second Esc shortcut here made Qt call both ambiguous and run neither.

    @property
    def graph_scene(self) -> GraphScene:
        return self.scene()

    # ------------------------------------------------------------------ zoom and pan
    def scale_factor(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        target = min(MAX_SCALE, max(MIN_SCALE, self.scale_factor() * factor))
        factor = target / self.scale_factor()
        self.scale(factor, factor)
        self._on_zoom()

    def fit(self) -> None:
        """Show the whole graph; a tall one whose op names (or, taller still, whose boxes)
        would be unreadable whole is shown at its width from the top (scroll for the rest)."""
        rect = self.graph_scene.itemsBoundingRect() if not self.graph_scene.overview else (
            self.graph_scene.sceneRect())
        rect = self.graph_scene.sceneRect() if rect.isEmpty() else rect
        self.fitInView(rect, Qt.KeepAspectRatio)
        whole = self.scale_factor()
        vp = self.viewport()
        by_width = (vp.width() - 8) / max(rect.width(), 1.0)
        names = text_lods(vp)[0] * 1.02  # the least zoom at which boxes show their op names
        scale = names if whole < names <= by_width else by_width
        if whole < names <= by_width or (whole < READABLE_FIT and by_width > whole * 1.2):
            self.resetTransform()
            self.scale(scale, scale)
            self.centerOn(rect.center().x(), rect.top() + vp.height() / (2 * scale))
        elif whole > 1.5:
            self.resetTransform()
            self.scale(1.5, 1.5)
            self.centerOn(rect.center())
        self._on_zoom()

    def _on_zoom(self) -> None:
        self.graph_scene.set_overview(self.scale_factor() < OVERVIEW_SCALE)
        self.minimap.place()
        self.minimap.update()
        self.zoom_changed.emit(self.scale_factor())

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_by(1.15 ** steps)
        event.accept()

    def keyPressEvent(self, event) -> None:
        key = event.key()
        if key in (Qt.Key_Plus, Qt.Key_Equal):
            self.zoom_by(1.25)
        elif key == Qt.Key_Minus:
            self.zoom_by(0.8)
        elif key == Qt.Key_0:
            self.fit()
        else:
            super().keyPressEvent(event)

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.Gesture:
            pinch = event.gesture(Qt.PinchGesture)
            if pinch is not None:
                self.zoom_by(pinch.scaleFactor())
                return True
        if event.type() == QEvent.ToolTip:
            self._show_summary(event)
            return True
        return super().viewportEvent(event)

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        scene = self.graph_scene
        if self.labels.drawn or (scene is not None and scene.overlay is not None):
            # Labels and legend sit at viewport positions: a scrolled copy would smear them.
            self.viewport().update()
        self.minimap.place()
        self.minimap.update()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.minimap.place()
        self.search_box.setGeometry(8, 8, min(420, self.width() - 16), 26)

    def mousePressEvent(self, event) -> None:
        if self.graph_scene.overview and event.button() == Qt.LeftButton:
            item = self.graph_scene.node_at(self.mapToScene(event.position().toPoint()))
            if item is not None:
                self.graph_scene.clearSelection()
                item.setSelected(True)
        super().mousePressEvent(event)

    def _show_summary(self, event) -> None:
        """Hover: a short summary of the node under the mouse (built on demand, not per item)."""
        item = self.graph_scene.node_at(self.mapToScene(event.pos()))
        if item is None:
            QToolTip.hideText()
            return
        QToolTip.showText(event.globalPos(), summary(self.graph_scene, item.key), self)

    # ------------------------------------------------------------------ search
    def open_search(self) -> None:
        self.search_box.show()
        self.search_box.raise_()
        self.search_box.setFocus()
        self.search_box.selectAll()

    def close_search(self) -> None:
        self.search_box.hide()
        self.setFocus()

    def search(self, text: str) -> Hashable | None:
        """Select and centre the next node matching `text`; returns its key (None: no match)."""
        matches = find_nodes(self.graph_scene, text)
        if matches != self._matches:
            self._matches, self._match_index = matches, -1
        if not matches:
            self.search_failed.emit(text)
            return None
        self._match_index = (self._match_index + 1) % len(matches)
        key = matches[self._match_index]
        item = self.graph_scene.nodes[key]
        self.graph_scene.clearSelection()
        item.setSelected(True)
        self.centerOn(item)
        self.minimap.update()
        return key

    def _on_search_box_return_pressed(self) -> None:
        self.search(self.search_box.text())

    # ------------------------------------------------------------------ legend
    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        super().drawForeground(painter, rect)
        self.labels.paint(painter, self)
        overlay = self.graph_scene.overlay
        if overlay is None or overlay.name == "none":
            return
        painter.save()
        painter.resetTransform()
        paint_legend(painter, QRectF(self.viewport().width() - 250, 10, 236, 58), overlay,
                     self.graph_scene.theme)
        painter.restore()


def paint_legend(painter: QPainter, box: QRectF, overlay: OverlayScale, theme) -> None:
    """The overlay's title, its colour bar with the range, and the anomaly swatch."""
    painter.setPen(QPen(QColor(theme.frame)))
    painter.setBrush(QColor(theme.background))
    painter.drawRoundedRect(box, 5, 5)
    painter.setPen(QColor(theme.text))
    painter.drawText(box.adjusted(8, 4, -8, 0), Qt.AlignLeft | Qt.AlignTop, overlay.title)
    bar = QRectF(box.left() + 8, box.top() + 22, box.width() - 16, 10)
    if overlay.hi > 0:
        grad = QLinearGradient(bar.topLeft(), bar.topRight())
        for i, stop in enumerate(SCALE_STOPS):
            grad.setColorAt(i / (len(SCALE_STOPS) - 1), QColor(stop))
        painter.fillRect(bar, grad)
        painter.setPen(QColor(theme.muted))
        lo, hi = overlay.label(overlay.lo), overlay.label(overlay.hi)
        text = QRectF(bar.left(), bar.bottom() + 2, bar.width(), 14)
        painter.drawText(text, Qt.AlignLeft, f"{lo} (log scale)")
        painter.drawText(text, Qt.AlignRight, hi)
    if overlay.name == "anomaly":  # a swatch per NaN-hunt role instead of a scale
        x = box.left() + 8
        for role, color in ROLE_COLORS.items():
            painter.fillRect(QRectF(x, box.top() + 24, 10, 10), QColor(color))
            painter.setPen(QColor(theme.muted))
            painter.drawText(QPointF(x + 13, box.top() + 33), role)
            x += 22 + painter.fontMetrics().horizontalAdvance(role)
        return
    painter.fillRect(QRectF(box.right() - 70, box.top() + 6, 10, 10), ANOMALY)
    painter.setPen(QColor(theme.muted))
    painter.drawText(QPointF(box.right() - 56, box.top() + 15), "NaN/Inf")


def _covers(area: QRectF, boxes, inside: bool = False) -> bool:
    """Whether `area` overlaps any of `boxes` (or, with `inside`, holds all of them)."""
    left, top, right, bottom = area.getCoords()
    if inside:
        return bool((boxes[:, 0] >= left).all() and (boxes[:, 1] >= top).all()
                    and (boxes[:, 2] <= right).all() and (boxes[:, 3] <= bottom).all())
    return bool(((boxes[:, 0] < right) & (boxes[:, 2] > left) & (boxes[:, 1] < bottom)
                 & (boxes[:, 3] > top)).any())


def find_nodes(scene: GraphScene, text: str) -> list[Hashable]:
    """Drawn nodes whose op, label, module path or source `file:line` contains `text`."""
    needle = text.strip().lower()
    if not needle:
        return []
    found = []
    for key, item in scene.nodes.items():
        data = scene.graph.nodes[key] if key in scene.graph else {}
        hay = " ".join(str(v) for v in (item.label, data.get("op", ""), data.get("group", ""),
                                        data.get("source", ""), key)).lower()
        if needle in hay:
            found.append(key)
    return found


def summary(scene: GraphScene, key: Hashable) -> str:
    """The hover text of a node: op, shape, module, source and the overlay's metrics, as a
    tooltip that shows every name literally (they come from the capture)."""
    from app.present.overlays import format_value

    data = scene.graph.nodes[key] if key in scene.graph else {}
    item = scene.nodes.get(key)
    # The full name: the box may show it elided (`…norm1.weight`).
    name = data.get("label", item.label if item is not None else key)
    title = f"{name}  {data.get('shape', '')} {data.get('dtype', '')}".rstrip()
    lines: list[str] = []
    if isinstance(key, GroupNode):  # the box says how many ops; how to open it is said here
        lines.append("double-click to expand")
    if data.get("group"):
        lines.append(f"module: {data['group']}")
    if data.get("source"):
        lines.append(f"at {data['source']}")
    for attr, name, kind in (("time_ns", "forward", "time"), ("backward_ns", "backward", "time"),
                             ("norm", "|value|", "value"), ("grad_norm", "|grad|", "grad")):
        if data.get(attr) is not None:
            lines.append(f"{name}: {format_value(float(data[attr]), kind)}")
    return plain_tooltip("\n".join(lines), title=title)


class MiniMap(QWidget):
    """A small overview in the view's corner; the frame is the visible area, click to jump."""

    SIZE = (180, 120)

    def __init__(self, view: GraphView) -> None:
        super().__init__(view)
        self.view = view
        self.resize(*self.SIZE)
        self.setCursor(Qt.PointingHandCursor)
        self._cache = QPixmap()
        self._cache_key: tuple = ()
        self._boxes_key, self._boxes_cache = -1, None
        # Any change of the picture repaints the frame; the miniature itself is redrawn only
        # when the scene's version moved (see paintEvent).
        view.graph_scene.changed.connect(self.update)

    def place(self) -> None:
        """Put the minimap in the first corner (bottom right, bottom left, top right, top left)
        where it covers no box; hide it where every corner would, or when the whole graph is
        in view already (nothing to navigate)."""
        view, scene = self.view, self.view.graph_scene
        boxes = None if scene is None else self._boxes(scene)
        vp = view.viewport()
        shown = view.mapToScene(vp.rect()).boundingRect()
        too_big = self.height() + 36 > vp.height() or self.width() + 36 > vp.width()
        if boxes is None or too_big or _covers(shown, boxes, inside=True):
            self.hide()
            return
        w, h, m = self.width(), self.height(), 18
        for x, y in ((vp.width() - w - m, vp.height() - h - m), (m, vp.height() - h - m),
                     (vp.width() - w - m, m + 30), (m, m + 30)):  # top: below the search box
            if not _covers(view.mapToScene(QRect(x, y, w, h)).boundingRect(), boxes):
                self.move(vp.mapTo(view, QPoint(x, y)))
                self.show()
                return
        self.hide()

    def _boxes(self, scene: GraphScene):
        """Scene boxes of every drawn node as an (n, 4) array (left, top, right, bottom),
        rebuilt when the picture changed: the overview hides the items from Qt's index, and
        one vectorised test per scroll costs microseconds at 5k nodes."""
        if self._boxes_key != scene.version:
            rects = [i.rect.translated(i.pos()).getCoords() for i in scene._all_nodes()]
            self._boxes_cache = np.array(rects, dtype=float).reshape(-1, 4) if rects else None
            self._boxes_key = scene.version
        return self._boxes_cache

    def _mapping(self) -> tuple[QRectF, float, QPointF]:
        """(scene rect, scale, offset): the scene fitted into the minimap and centred."""
        scene_rect = self.view.graph_scene.sceneRect()
        s = min(self.width() / max(scene_rect.width(), 1), self.height() /
                max(scene_rect.height(), 1))
        offset = QPointF((self.width() - scene_rect.width() * s) / 2,
                         (self.height() - scene_rect.height() * s) / 2)
        return scene_rect, s, offset

    def _to_mini(self, painter: QPainter, scene_rect: QRectF, s: float, offset: QPointF) -> None:
        painter.translate(offset)
        painter.scale(s, s)
        painter.translate(-scene_rect.topLeft())

    def paintEvent(self, event) -> None:
        scene = self.view.graph_scene
        if scene is None:
            return
        scene_rect, s, offset = self._mapping()
        key = (scene.version, scene.theme.name, self.width(), self.height(),
               scene_rect.getRect())
        if key != self._cache_key:
            self._cache = self._render_cache(scene, scene_rect, s, offset)
            self._cache_key = key
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self._cache)
        painter.setBrush(Qt.NoBrush)
        painter.setPen(QPen(QColor(scene.theme.frame), 0))
        painter.drawRect(QRectF(self.rect()).adjusted(0, 0, -1, -1))
        self._to_mini(painter, scene_rect, s, offset)
        # The visible area, clipped to the scene so all four sides stay inside the minimap.
        visible = self.view.mapToScene(self.view.viewport().rect()).boundingRect()
        painter.setPen(QPen(QColor(scene.theme.selection), 0))
        painter.drawRect(visible.intersected(scene_rect))
        painter.end()

    def _render_cache(self, scene: GraphScene, scene_rect: QRectF, s: float,
                      offset: QPointF) -> QPixmap:
        """The miniature, drawn once per scene change (not on every scroll)."""
        pixmap = QPixmap(self.size())
        pixmap.fill(QColor(scene.theme.background).darker(115))
        painter = QPainter(pixmap)
        self._to_mini(painter, scene_rect, s, offset)
        scene._overview.paint(painter, scene_rect, scene._all_nodes(), scene.edges.values(),
                              scene.theme)
        painter.end()
        return pixmap

    def mousePressEvent(self, event) -> None:
        scene_rect, s, offset = self._mapping()
        p = event.position() - offset
        self.view.centerOn(scene_rect.left() + p.x() / s, scene_rect.top() + p.y() / s)
        self.update()
