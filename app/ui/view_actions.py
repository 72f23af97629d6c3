"""The View menu's graph actions beyond zoom: collapse or expand one module level at a time,
and the label style (op names, or PyTorch's grad_fn names for people coming from torchviz).
Connected once by the window; the work is the presenter's and the scene's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.present.graph import collapse_one_level, expand_one_level

__all__ = ["VIEW_ACTIONS", "connect_view_actions"]

VIEW_ACTIONS = ("collapse_level", "expand_level", "label_grad_fn")


def connect_view_actions(window: Any) -> None:
    """Wire the actions named in VIEW_ACTIONS to `window`'s presenter and scene."""
    a = window.actions
    a["collapse_level"].triggered.connect(lambda: _step(window, collapse_one_level))
    a["expand_level"].triggered.connect(lambda: _step(window, expand_one_level))
    grad_fn = a["label_grad_fn"]
    grad_fn.setCheckable(True)
    grad_fn.toggled.connect(
        lambda on: window.scene.set_label_style("grad_fn" if on else "op"))


def _step(window: Any, step: Callable[..., frozenset[str]]) -> None:
    presenter = window.presenter
    presenter.set_collapsed(step(window.scene.graph, presenter.collapsed or frozenset()))
