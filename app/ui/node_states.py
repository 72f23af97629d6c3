"""Node "states" drawn on top of a node's box (whatever the overlay): the NaN hunt's origin,
the nodes it spread to and the path from the inputs to it, and a diff's added, removed
(ghosted) and changed nodes. `paint_state` draws one; `GraphScene.set_states` assigns them."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from app.ui.theme import ROLE_COLORS

__all__ = ["GHOST_OPACITY", "STATES", "STATE_EDGE", "paint_state"]

STATE_EDGE = ROLE_COLORS["path"]
GHOST_OPACITY = 0.35  # a removed node: there in the pinned iteration, not in this one
# state -> (colour, pen width, pen style, doubled ring)
STATES: dict[str, tuple[str, float, Qt.PenStyle, bool]] = {
    "origin": (ROLE_COLORS["origin"], 3.0, Qt.SolidLine, True),
    "spread": (ROLE_COLORS["spread"], 1.5, Qt.DashLine, False),
    "path": (ROLE_COLORS["path"], 2.5, Qt.SolidLine, False),
    "added": ("#2ecc71", 3.0, Qt.SolidLine, False),
    "removed": ("#9aa0a6", 1.5, Qt.DashLine, False),
    "changed": ("#00b4d8", 2.5, Qt.DotLine, False),
}


def paint_state(painter: QPainter, rect: QRectF, state: str) -> None:
    """A ring around the box of `rect` (inside the item's 3 px margin): the origin's is
    doubled, a spread node's dashed, so the two read apart even both filled red."""
    style = STATES.get(state)
    if style is None:
        return
    color, width, pen_style, double = style
    painter.save()
    painter.setBrush(Qt.NoBrush)
    painter.setPen(QPen(QColor(color), width, pen_style))
    painter.drawRoundedRect(rect.adjusted(-1.5, -1.5, 1.5, 1.5), 7, 7)
    if double:
        painter.setPen(QPen(QColor("#ffffff"), 1.2))
        painter.drawRoundedRect(rect.adjusted(3, 3, -3, -3), 4, 4)
    painter.restore()
