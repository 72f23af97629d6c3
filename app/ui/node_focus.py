"""Select a node from a panel and bring it into view: the one place panels (cost table,
gradient health) turn a row into "select and centre this node on the graph"."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from app.layout import GroupNode

__all__ = ["drawn_key", "focus_node"]


def drawn_key(key: Hashable, module: str, drawn: Any) -> Hashable | None:
    """The drawn box that stands for node `key` of module `module`: the node itself, else the
    collapsed group around it (innermost first); None when neither is drawn."""
    if key in drawn:
        return key
    parts = module.split(".") if module else []
    for i in range(len(parts), 0, -1):
        group = GroupNode(".".join(parts[:i]))
        if group in drawn:
            return group
    return None


def focus_node(window: Any, key: Hashable, module: str = "") -> Hashable | None:
    """Select `key` (or the collapsed group holding it) through the window's model and centre
    the graph view on it; a module path given as `key` centres its frame when it is expanded.
    Returns the key selected (None when nothing of it is drawn)."""
    scene, view = window.scene, window.view
    target = drawn_key(key, module, scene.nodes)
    if target is None:
        frame = scene.frames.get(module) if module else None
        if frame is not None:
            view.centerOn(frame.rect.center())
        return None
    window.model.select_node(target)
    view.centerOn(scene.nodes[target])
    return target
