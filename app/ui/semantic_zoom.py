"""The view's semantic-zoom layer: when boxes are too small for their own text, module frames,
collapsed groups, the loss and the selected node are named at a fixed, readable screen size
(placement in `app.present.semantic`). Painted over the scene in viewport pixels."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter

from app.layout import GroupNode
from app.present.semantic import (
    MIN_BOX_LOD,
    REGION_PX,
    PlacedLabel,
    Region,
    place_boxes,
)

LINE_PX = REGION_PX + 4

__all__ = ["SemanticLabels"]


class SemanticLabels:
    """Module-level labels of one view. `drawn` lists (text, pixel size) of the last paint
    (what a user saw; tests read it)."""

    def __init__(self) -> None:
        self.font = QFont()
        self.font.setPixelSize(int(REGION_PX))
        self.font.setBold(True)
        self.metrics = QFontMetricsF(self.font)
        self.drawn: list[tuple[str, float]] = []
        self._key: Any = None
        self._modules: list[Region] = []
        self._boxes: list[Region] = []
        self._all: list[Region] = []
        self._rects = np.zeros((0, 4))
        self._text_widths = np.zeros(0)
        self._widths: dict[str, float] = {}

    def _regions(self, scene: Any) -> tuple[list[Region], list[Region]]:
        """(module frames, boxes: collapsed groups and key nodes), rebuilt when the picture
        changed. Outer modules rank first, then larger ones; key nodes before everything."""
        if self._key != scene.version:
            self._key = scene.version
            self._modules = [
                Region(path, r.x(), r.y(), r.width(), r.height(),
                       (1, path.count("."), -r.width() * r.height()))
                for path, item in scene.frames.items() for r in (item.rect,)]
            boxes = []
            for key, item in scene.nodes.items():
                key_node = item.kind == "loss" or item.isSelected()
                if key_node or isinstance(key, GroupNode):
                    r = item.rect.translated(item.pos())
                    rank = (0, 0, 0) if key_node else (1, str(key.path).count("."), 0)
                    boxes.append(Region(item.label, r.x(), r.y(), r.width(), r.height(), rank))
            self._boxes = boxes
            self._all = sorted(self._modules + boxes, key=lambda r: r.rank)
            self._rects = np.array([(r.x, r.y, r.x + r.w, r.y + r.h) for r in self._all],
                                   dtype=float).reshape(-1, 4)
            self._text_widths = np.array([self._width(r.text) for r in self._all], dtype=float)
        return self._modules, self._boxes



    def _width(self, text: str) -> float:
        w = self._widths.get(text)
        if w is None:
            w = self._widths[text] = self.metrics.horizontalAdvance(text)
        return w

    def paint(self, painter: QPainter, view: Any) -> None:
        """Draw the labels the zoom of `view` calls for (none when boxes carry their text)."""
        self.drawn = []
        scene = view.graph_scene
        lod = view.scale_factor()
        if lod >= MIN_BOX_LOD or not scene.nodes:
            return  # boxes and frames carry readable text of their own
        vp = view.viewport()
        origin = view.mapToScene(0, 0)
        self._regions(scene)
        placed = [PlacedLabel(self._all[i].text, x, y, w, LINE_PX) for i, x, y, w in place_boxes(
            self._rects, self._text_widths, lod, (origin.x(), origin.y()),
            (vp.width(), vp.height()), LINE_PX)]
        if placed:
            self._draw(painter, placed, scene.theme)
        self.drawn = [(p.text, float(self.font.pixelSize())) for p in placed]

    def _draw(self, painter: QPainter, placed: list[PlacedLabel], theme: Any) -> None:
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.Antialiasing, False)  # rounded, smooth boxes cost 5 ms
        painter.setFont(self.font)
        back = QColor(theme.background)  # opaque: blending the boxes cost 4 ms a frame
        boxes = [QRectF(p.x, p.y, p.w, p.h) for p in placed]
        for box in boxes:
            painter.fillRect(box, back)  # the fill's fast path; an outlined box cost 2 ms
        painter.setPen(QColor(theme.text))
        for p, box in zip(placed, boxes, strict=True):
            shown = self.metrics.elidedText(p.text, Qt.ElideLeft, p.w - 8)
            painter.drawText(box, Qt.AlignCenter, shown)
        painter.restore()
