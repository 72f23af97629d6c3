"""The lower half of the inspector for a node: tabs with its source (the user's code around
the line), its values (histogram and thumbnail heatmap) and its history across captured
iterations. Only the tab shown is computed: the history reads every capture in the window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtWidgets import QTabWidget, QWidget

from app.present.inspect import node_history
from app.ui.inspector_views import HistoryView, SourceView, TensorPictures
from app.ui.theme import DARK

__all__ = ["NodeExtras"]

SOURCE, VALUES, HISTORY = range(3)
HISTORY_MS = 1000  # the history reads every capture of the window: at most once a second


class NodeExtras(QTabWidget):
    """Source, Values and History of the node the inspector shows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = SourceView()
        self.values = TensorPictures()
        self.history = HistoryView()
        self.addTab(self.source, "Source")
        self.addTab(self.values, "Values")
        self.addTab(self.history, "History")
        self._node: Any = None
        self._cap: Any = None
        self._model: Any = None
        self._drawn = QElapsedTimer()
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.timeout.connect(self.refresh)
        self.currentChanged.connect(lambda _i: self.refresh())
        self.history.metric.currentIndexChanged.connect(lambda _i: self.refresh())

    def show_node(self, node: Any, cap: Any, model: Any) -> None:
        """Show `node` of `cap`; the window asks again 10 times a second while a run
        streams, so the same node of the same capture is not drawn again."""
        same = node is self._node and cap is self._cap
        self._node, self._cap, self._model = node, cap, model
        if not same:
            self.refresh()
        elif self.currentIndex() == HISTORY and not self._later.isActive():
            # New captures may have arrived: the history grows at most once a second.
            self._later.start(max(0, HISTORY_MS - self._drawn.elapsed()))

    def refresh(self) -> None:
        node = self._node
        if node is None:
            return
        self._drawn.start()
        self._later.stop()
        tab = self.currentIndex()
        if tab == SOURCE:
            model = self._model
            self.source.show_source(node.source, self._roots(),
                                    getattr(model, "sources", None),
                                    not getattr(model, "remote_run", False))
        elif tab == VALUES:
            self._show_values()
        else:
            self._show_history()

    def _roots(self) -> list[str]:
        """Where a relative source path may start: the script's folder and its parents."""
        path = getattr(getattr(self._model, "run", None), "path", "")
        if not path:
            return []
        folder = Path(path).resolve().parent
        return [str(p) for p in (folder, *list(folder.parents)[:3])]

    def _show_values(self) -> None:
        cap, node = self._cap, self._node
        tensors = getattr(cap, "tensors", {}) or {}
        meta = tensors.get(node.outputs[0]) if node.outputs else None
        self.values.theme = self._theme()
        title = "of output " + "x".join(map(str, meta.shape)) if meta is not None else ""
        self.values.show_stats(None if meta is None else meta.stats,
                               getattr(cap, "level", "off"), title)

    def _show_history(self) -> None:
        model = self._model
        captures = [] if model is None else [model.capture_at(i)
                                             for i in range(len(model.captures))]
        xs, ys = node_history(captures, self._node.key, self.history.metric.currentData())
        self.history.show_history(xs, ys, getattr(self._cap, "index", None), self._theme())

    def _theme(self) -> Any:
        return getattr(self.window(), "theme", DARK)
