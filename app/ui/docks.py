"""The dock registry: every panel around the graph, registered once.

A new panel is one widget class and one `DockSpec` line in `DOCKS`. The window builds each
dock in order, keeps the widget as the attribute `attr` (e.g. `window.inspector`), lists every
dock in the View menu (so a closed one comes back), repaints it on a theme change and saves
its place with the window state (by `dock_<title>`). A widget that needs the window's model
or signals defines `attach(window)`, called once the window is built; the built-in panels
are wired by the window itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from app.ui.cost_table import CostPanel
from app.ui.diff_panel import DiffPanel
from app.ui.health_panel import HealthPanel
from app.ui.inspector import InspectorPanel
from app.ui.output_view import OutputPanel
from app.ui.plots import LossPlot
from app.ui.timeline import TimelineWidget


@dataclass(frozen=True)
class DockSpec:
    """One panel: its title (dock and View menu), the window attribute that holds the widget,
    the class (or factory) that makes the widget, and where it docks at first."""

    title: str
    attr: str
    make: Callable[[], QWidget]
    area: Qt.DockWidgetArea
    tab_with: str = ""  # the title of a dock to share a tabbed place with (it stays in front)


DOCKS: list[DockSpec] = [
    DockSpec("Inspector", "inspector", InspectorPanel, Qt.RightDockWidgetArea),
    DockSpec("Loss", "loss_plot", LossPlot, Qt.BottomDockWidgetArea),
    DockSpec("Timeline", "timeline", TimelineWidget, Qt.BottomDockWidgetArea),
    DockSpec("Output", "output_panel", OutputPanel, Qt.BottomDockWidgetArea),
    DockSpec("Costs", "cost_panel", CostPanel, Qt.RightDockWidgetArea),
    DockSpec("Gradient health", "health_panel", HealthPanel, Qt.RightDockWidgetArea,
             tab_with="Costs"),
    DockSpec("Diff", "diff_panel", DiffPanel, Qt.RightDockWidgetArea, tab_with="Costs"),
]


def build_docks(window: QMainWindow, specs: list[DockSpec] | None = None
                ) -> dict[str, QDockWidget]:
    """Make each registered panel, set it on `window` as its `attr` and dock it: title ->
    dock, in registration order."""
    docks: dict[str, QDockWidget] = {}
    for spec in DOCKS if specs is None else specs:
        widget = spec.make()
        setattr(window, spec.attr, widget)
        dock = QDockWidget(spec.title, window)
        dock.setObjectName(f"dock_{spec.title.lower()}")  # the saved window state's key
        dock.setWidget(widget)
        window.addDockWidget(spec.area, dock)
        docks[spec.title] = dock
        if spec.tab_with in docks:
            window.tabifyDockWidget(docks[spec.tab_with], dock)
            docks[spec.tab_with].raise_()
    return docks


def attach_docks(window: Any, docks: dict[str, QDockWidget]) -> None:
    """Let each panel that asks for it (`attach(window)`) connect to the built window."""
    for dock in docks.values():
        attach = getattr(dock.widget(), "attach", None)
        if callable(attach):
            attach(window)
