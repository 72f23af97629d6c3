"""Graphics items of the graph view. They only paint and report to their scene; the scene
decides what a click means. Items never reach into the session model."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from app.present.semantic import (
    DETAIL_PT,
    LABEL_PT,
    MIN_BOX_LOD,
    MIN_LABEL_PX,
    contrast_text,
    min_lod,
    text_px,
)
from app.ui.node_states import GHOST_OPACITY, STATE_EDGE, paint_state

# Text is drawn only at zooms where it is at least 9 px tall (app.present.semantic): smaller
# text is unreadable and the costliest part of a frame. Below that the view names modules.
# TEXT_LOD is the zoom at 96 dpi under which a box drops its op name (kept for callers).
TEXT_LOD = min_lod(LABEL_PT)
NODE_Z, EDGE_Z, FRAME_Z = 2.0, 1.0, 0.0
TITLE_WIDTH = 240.0  # the least width a module frame's title may use before it is elided


class NodeItem(QGraphicsItem):
    """One drawn node: a rounded box coloured by kind (or overlay) with its op name and shape.

    `key` is the graph node (or GroupNode) it stands for; copies of a split source share it.
    """

    def __init__(self, key: Hashable, kind: str, label: str, detail: str,
                 size: tuple[float, float]) -> None:
        super().__init__()
        self.key = key
        self.kind = kind
        self.label = label
        self.detail = detail
        w, h = size
        self.rect = QRectF(-w / 2, -h / 2, w, h)
        self._bounds = self.rect.adjusted(-3, -3, 3, 3)  # Qt asks often: answer from a field
        self.fill: QColor | None = None      # overlay colour, None: the kind's colour
        self.mark = ""                       # "", "step" or "grad": stepping highlights
        self.state = ""                      # NaN hunt / diff: see app.ui.node_states
        self.badge = ""                      # "", or a gradient-health flag (BADGES)
        self.theme = None
        self._fitted: tuple = ()             # (label, detail, dpi) -> the elided pair
        self._scaled: tuple = ()             # (label, font size, dpi) -> the elided label
        self.setFlag(QGraphicsItem.ItemIsSelectable)
        self.setZValue(NODE_Z)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        th = self.theme
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if self.state == "removed":  # a ghost: in the pinned iteration, not in this one
            painter.setOpacity(painter.opacity() * GHOST_OPACITY)
        fill = self.fill or QColor(th.kinds.get(self.kind, th.kinds[""]))
        painter.setBrush(QBrush(fill))
        if self.isSelected():
            painter.setPen(QPen(QColor(th.selection), 3))
        elif self.mark:
            painter.setPen(QPen(QColor(th.step if self.mark == "step" else th.grad), 3))
        else:
            painter.setPen(QPen(QColor(th.edge), 1))
        if self.kind == "group":
            painter.drawRect(self.rect)
        else:
            painter.drawRoundedRect(self.rect, 6, 6)
        if self.state:
            paint_state(painter, self.rect, self.state)
        if self.badge:
            paint_badge(painter, self.rect, self.badge, lod >= TEXT_LOD)
        device = painter.device()
        label_lod, detail_lod = text_lods(device)
        exporting = _exporting(self)
        if lod < MIN_BOX_LOD and not exporting:
            return  # boxes under ~60 px: the view names modules instead (semantic zoom)
        painter.setPen(QColor(contrast_text(fill.name())))
        if lod < label_lod and not exporting:
            # The op name alone, at 9 px on screen, while the box is wide enough to hold it.
            font, size = scaled_font(lod, device)
            painter.setFont(font)
            painter.drawText(self.rect, Qt.AlignCenter, self.scaled_label(font, size, device))
            return
        label, detail = self.fitted_text(device)
        painter.setFont(_font(True))
        if lod < detail_lod and not exporting:
            detail = ""  # the shape line would be under 9 px: the op name alone, centred
        if not detail:  # a scalar (the loss): its name alone, in the middle of the box
            painter.drawText(self.rect, Qt.AlignCenter, label)
            return
        top = self.rect.adjusted(4, 2, -4, -self.rect.height() / 2)
        painter.drawText(top, Qt.AlignCenter, label)
        painter.setFont(_font(False))
        bottom = self.rect.adjusted(4, self.rect.height() / 2, -4, -2)
        painter.drawText(bottom, Qt.AlignCenter, detail)

    def fitted_text(self, device=None) -> tuple[str, str]:
        """(label, detail) elided to the box width on `device` (None: the screen); cached
        until the text or the resolution changes. The hover summary shows the full text."""
        dpi = device.logicalDpiY() if device is not None else 0
        key = (self.label, self.detail, dpi)
        if self._fitted[:3] != key:
            width = self.rect.width() - 10
            self._fitted = (*key, fit_text(self.label, _metrics(True, device), width),
                            fit_text(self.detail, _metrics(False, device), width))
        return self._fitted[3], self._fitted[4]

    def scaled_label(self, font: QFont, size: int, device=None) -> str:
        """The label elided to the box in the scaled font `font` (cached per size)."""
        key = (self.label, size, device.logicalDpiY() if device is not None else 0)
        if self._scaled[:3] != key:
            metrics = QFontMetricsF(font, device) if device is not None else QFontMetricsF(font)
            self._scaled = (*key, fit_text(self.label, metrics, self.rect.width() - 8))
        return self._scaled[3]

    def label_px(self, lod: float, device=None) -> float:
        """Pixel height of the op name drawn at zoom `lod` (0: not drawn)."""
        dpi = device.logicalDpiY() if device is not None else 96
        if lod < MIN_BOX_LOD:
            return 0.0
        return max(text_px(LABEL_PT, lod, dpi), MIN_LABEL_PX)

    def mouseDoubleClickEvent(self, event) -> None:
        scene = self.scene()
        if scene is not None:
            scene.item_double_clicked(self)
        event.accept()


class EdgeItem(QGraphicsItem):
    """A data-flow edge: a polyline through the layout's bends, an arrow head, a shape label."""

    def __init__(self, key: tuple[Hashable, Hashable], points: Sequence[tuple[float, float]],
                 label: str) -> None:
        super().__init__()
        self.key = key
        self.label = label
        self.mark = ""
        self.state = ""  # "path": on the way to a NaN's origin; "removed": a ghost's
        self.theme = None
        self.set_points(points)
        self.setZValue(EDGE_Z)

    def set_points(self, points: Sequence[tuple[float, float]]) -> None:
        self.prepareGeometryChange()
        self.points = [QPointF(x, y) for x, y in points]
        path = QPainterPath(self.points[0])
        for p in self.points[1:]:
            path.lineTo(p)
        self.path = path
        self._bounds = path.boundingRect().adjusted(-6, -6, 40, 6)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        th = self.theme
        if self.state == "removed":  # to or from a diff's ghost: faded like it
            painter.setOpacity(painter.opacity() * GHOST_OPACITY)
        color = QColor(th.grad if self.mark == "grad" else
                       STATE_EDGE if self.state == "path" else th.edge)
        painter.setPen(QPen(color, 2.5 if self.mark or self.state == "path" else 1.2))
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(self.path)
        end, before = self.points[-1], self.points[-2]
        painter.setBrush(color)
        painter.drawPolygon(_arrow(before, end))
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if self.label and (lod >= text_lods(painter.device())[1] or _exporting(self)):
            painter.setFont(_font(False))
            painter.setPen(QColor(th.grad if self.mark else th.muted))
            mid = self.points[len(self.points) // 2] if len(self.points) > 2 else (
                (self.points[0] + end) / 2)
            painter.drawText(mid + QPointF(5, 4), self.label)


class GroupItem(QGraphicsItem):
    """The frame of an expanded module group: an outline that follows its boxes layer by layer
    (`outline` from the scene, computed once per layout), titled with its path at the top
    left; double-click inside it collapses."""

    def __init__(self, path: str, outline) -> None:
        super().__init__()
        self.path = path
        self.outline = outline.path
        self.rect = outline.rect
        self.title_at = outline.title_at
        self._bounds = self.rect.adjusted(-1, -1, 1, 1)
        self.theme = None
        self._title: tuple = ()  # (dpi, elided path): the path may be far wider than the frame
        # Deeper frames above their parents: a click inside a nested frame toggles that one.
        self.setZValue(FRAME_Z + 0.01 * min(path.count(".") + 1, 50))

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        return self.outline

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        th = self.theme
        painter.setPen(QPen(QColor(th.frame), 1, Qt.DashLine))
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(self.outline)
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        small = self.title_font(lod, painter.device())
        if small is not None:
            painter.setPen(QColor(th.muted))
            painter.setFont(_font(False) if small else _title_font(lod, painter.device()))
            painter.drawText(self.title_at, self.fitted_title(painter.device()))

    def title_font(self, lod: float, device=None) -> bool | None:
        """How the title is drawn at zoom `lod`: True in the small font, False in the larger
        one scaled to 9 px (where the small one would be under 9 px), None not at all (the
        view names the modules then, see `app.ui.semantic_zoom`)."""
        detail_lod = text_lods(device)[1]
        if lod >= detail_lod or _exporting(self):
            return True
        return False if lod >= MIN_BOX_LOD else None

    def title_px(self, lod: float, device=None) -> float:
        """Pixel height of the drawn title at zoom `lod` (0: not drawn)."""
        small = self.title_font(lod, device)
        if small is None:
            return 0.0
        dpi = device.logicalDpiY() if device is not None else 96
        return text_px(DETAIL_PT, lod, dpi) if small else max(text_px(LABEL_PT, lod, dpi),
                                                              MIN_LABEL_PX)

    def fitted_title(self, device=None) -> str:
        """The module path elided to the frame's width (its end kept), cached per resolution.
        A narrow frame may still carry a usual path: the title gets at least TITLE_WIDTH."""
        dpi = device.logicalDpiY() if device is not None else 0
        if self._title[:1] != (dpi,):
            width = max(self.rect.right() - self.title_at.x(), TITLE_WIDTH)
            self._title = (dpi, fit_text(self.path, _metrics(False, device), width))
        return self._title[1]

    def mouseDoubleClickEvent(self, event) -> None:
        scene = self.scene()
        if scene is not None:
            scene.item_double_clicked(self)
        event.accept()


# Gradient-health flag -> (badge colour, glyph): drawn in a node's top-right corner.
BADGES: dict[str, tuple[str, str]] = {
    "vanishing": ("#3d8bfd", "↓"),
    "exploding": ("#fd7e14", "↑"),
    "non-finite": ("#dc3545", "!"),
}


def paint_badge(painter: QPainter, rect: QRectF, flag: str, glyph: bool) -> None:
    """A small disc inside the box's top-right corner (inside, so the box's bounds and click
    area stay as they are), with its glyph when text is drawn at this zoom."""
    colour, text = BADGES.get(flag, ("#888888", "?"))
    disc = QRectF(rect.right() - 15, rect.top() + 2, 13, 13)
    painter.setPen(QPen(QColor("#ffffff"), 1))
    painter.setBrush(QBrush(QColor(colour)))
    painter.drawEllipse(disc)
    if glyph:
        painter.setFont(_font(True))
        painter.drawText(disc, Qt.AlignCenter, text)


def _arrow(before: QPointF, end: QPointF) -> QPolygonF:
    d = end - before
    length = max((d.x() ** 2 + d.y() ** 2) ** 0.5, 1e-6)
    ux, uy = d.x() / length, d.y() / length
    left = QPointF(end.x() - 7 * ux + 4 * uy, end.y() - 7 * uy - 4 * ux)
    right = QPointF(end.x() - 7 * ux - 4 * uy, end.y() - 7 * uy + 4 * ux)
    return QPolygonF([end, left, right])


_FONTS: dict[bool | str, QFont] = {}


def _font(bold: bool) -> QFont:
    """Two shared fonts; building a QFont per paint call costs more than the drawing."""
    font = _FONTS.get(bold)
    if font is None:
        font = QFont()
        font.setPointSizeF(8.5 if bold else 7.5)
        font.setBold(bold)
        _FONTS[bold] = font
    return font


def _title_font(lod: float, device) -> QFont:
    """A frame title at least 9 px on screen, for zooms where the usual one is smaller."""
    return scaled_font(lod, device, bold=False)[0]


_SCALED: dict[tuple[int, bool], QFont] = {}


def scaled_font(lod: float, device, bold: bool = True) -> tuple[QFont, int]:
    """A font (and its size key) that draws about 9 px tall on screen at zoom `lod`: text
    stays readable while boxes shrink, until they are too small for it (MIN_BOX_LOD). Sizes
    are rounded to tenths of a point, so a zoom gesture builds a handful of fonts."""
    dpi = device.logicalDpiY() if device is not None else 96
    points = max(LABEL_PT, MIN_LABEL_PX / max(lod, 1e-3) * 72.0 / dpi)
    size = round(points * 10)
    font = _SCALED.get((size, bold))
    if font is None:
        font = _SCALED[(size, bold)] = QFont()
        font.setPointSizeF(size / 10)
        font.setBold(bold)
    return font, size


_METRICS: dict[tuple[bool, int], QFontMetricsF] = {}


def _metrics(bold: bool, device) -> QFontMetricsF:
    """Metrics of a shared font on `device`: text widths follow its resolution (screen,
    image and PDF differ), so the elision matches what is drawn."""
    key = (bold, device.logicalDpiY() if device is not None else 0)
    metrics = _METRICS.get(key)
    if metrics is None:
        metrics = QFontMetricsF(_font(bold), device) if device is not None else QFontMetricsF(
            _font(bold))
        _METRICS[key] = metrics
    return metrics


def fit_text(text: str, metrics: QFontMetricsF, width: float) -> str:
    """`text` shortened to `width` with an ellipsis. A dotted path keeps its end (whole
    components first: `block.norm1.weight` -> `…norm1.weight`); a name keeps its start
    (`ScaledDotProductAttention` -> `ScaledDotProd…`).

    Example:
        fit_text("block.attn.in_proj_weight", metrics, 100)   # '…in_proj_weight'
    """
    if metrics.horizontalAdvance(text) <= width:
        return text
    if "." in text.strip(".") and " " not in text:
        parts = text.split(".")
        for i in range(1, len(parts)):
            tail = "…" + ".".join(parts[i:])
            if metrics.horizontalAdvance(tail) <= width:
                return tail
        return metrics.elidedText(text, Qt.ElideLeft, width)
    return metrics.elidedText(text, Qt.ElideRight, width)


_LODS: dict[int, tuple[float, float]] = {}


def text_lods(device) -> tuple[float, float]:
    """(label, detail) zoom thresholds on `device`: the least zoom at which the op name and
    the smaller shape line / frame title are at least 9 px tall there (cached per dpi)."""
    dpi = device.logicalDpiY() if device is not None else 96
    lods = _LODS.get(dpi)
    if lods is None:
        lods = _LODS[dpi] = (min_lod(LABEL_PT, dpi), min_lod(DETAIL_PT, dpi))
    return lods


def _exporting(item: QGraphicsItem) -> bool:
    """A static export draws every text whatever its scale (a PDF is zoomed in a viewer)."""
    scene = item.scene()
    return scene is not None and getattr(scene, "exporting", False)
