"""The scene's cross-fade: boxes that move glide to their new place, new ones fade in, gone
ones fade out, over ANIMATION_MS; a new graph mid-animation jumps to the end state first.
A mixin of `GraphScene` (which holds the items it animates)."""

from __future__ import annotations

from PySide6.QtCore import QEasingCurve, QVariantAnimation
from PySide6.QtWidgets import QGraphicsItem

ANIMATION_MS = 220


class SceneAnimation:
    """Animation state and steps for `GraphScene` (nodes, edges, removeItem and _changed are
    the scene's)."""

    nodes: dict
    edges: dict
    _fading: list[QGraphicsItem]
    _animation: QVariantAnimation | None
    _moves: list
    _fresh: list
    _spent: QVariantAnimation | None

    def _fade_out(self, items, animate: bool) -> None:
        for item in items:
            if animate:
                self._fading.append(item)
            else:
                self.removeItem(item)

    def _animate(self, moves: list) -> None:
        anim = QVariantAnimation()  # owned here, not by the scene: no deferred deletion
        anim.setStartValue(0.0)
        anim.setEndValue(1.0)
        anim.setDuration(ANIMATION_MS)
        anim.setEasingCurve(QEasingCurve.InOutQuad)
        self._moves = moves
        self._fresh = [i for i in self.edges.values() if i.opacity() < 1.0]
        anim.valueChanged.connect(self._on_animation_value_changed)
        anim.finished.connect(self._finish_animation)
        self._animation = anim
        anim.start()

    def _on_animation_value_changed(self, t: float) -> None:
        self._on_animation_step(float(t), self._moves, self._fresh)

    def _on_animation_step(self, t: float, moves: list, fresh: list) -> None:
        for item, start, end in moves:
            if start is None:
                item.setOpacity(t)
            else:
                item.setPos(start + (end - start) * t)
        for item in fresh:
            item.setOpacity(t)
        for item in self._fading:
            item.setOpacity(1.0 - t)
        self._changed()

    def _finish_animation(self) -> None:
        """Jump to the end state (also when a new graph arrives mid-animation)."""
        anim, self._animation = self._animation, None
        if anim is None:
            return
        anim.valueChanged.disconnect(self._on_animation_value_changed)
        anim.finished.disconnect(self._finish_animation)
        anim.stop()
        self._spent = anim  # may be mid-emission of `finished`: free it with the next one
        self._on_animation_step(1.0, self._moves, self._fresh)
        self._moves, self._fresh = [], []
        self._drop_faded()

    def _drop_faded(self) -> None:
        for item in self._fading:
            if item.scene() is self:
                self.removeItem(item)
        self._fading = []
        for item in (*self.nodes.values(), *self.edges.values()):
            if item.opacity() < 1.0:
                item.setOpacity(1.0)

    def finish_animation(self) -> None:
        """Complete any running animation now (exports and tests want the final picture)."""
        self._finish_animation()
