"""The iteration scrubber: a slider over the captured window that marks, in red under the
groove, the captures holding a NaN/Inf (so a diverging run shows where it went wrong)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSlider, QStyle, QStyleOptionSlider

__all__ = ["MARK_COLOR", "MarkedSlider"]

MARK_COLOR = QColor("#e4002b")


class MarkedSlider(QSlider):
    """A QSlider with `marks`: slider positions drawn as short red ticks."""

    def __init__(self, orientation=Qt.Horizontal, parent=None) -> None:
        super().__init__(orientation, parent)
        self.marks: tuple[int, ...] = ()

    def set_marks(self, positions: Iterable[int]) -> None:
        marks = tuple(sorted(set(positions)))
        if marks != self.marks:
            self.marks = marks
            self.update()

    def mark_rect(self, position: int) -> QRect:
        """Where the tick of `position` is drawn (widget coordinates)."""
        opt = QStyleOptionSlider()
        self.initStyleOption(opt)
        groove = self.style().subControlRect(QStyle.CC_Slider, opt, QStyle.SC_SliderGroove, self)
        handle = self.style().subControlRect(QStyle.CC_Slider, opt, QStyle.SC_SliderHandle, self)
        span = max(groove.width() - handle.width(), 1)
        x = groove.left() + handle.width() // 2 + QStyle.sliderPositionFromValue(
            self.minimum(), self.maximum(), position, span)
        return QRect(x - 1, self.height() - 6, 3, 6)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self.marks:
            return
        painter = QPainter(self)
        for pos in self.marks:
            if self.minimum() <= pos <= self.maximum():
                painter.fillRect(self.mark_rect(pos), MARK_COLOR)
        painter.end()
