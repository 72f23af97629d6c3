"""The dock registry: a new panel is one widget class and one registration line, and it gets
a dock, a View menu entry, its window attribute and its `attach(window)` call."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.ui import docks


class CapturesPanel(QLabel):
    """A made-up panel that counts the captures of the window it is attached to."""

    def attach(self, window) -> None:
        self.window_model = window.model
        window.model.capture_added.connect(lambda i: self.setText(f"{i + 1} captures"))


def test_a_registered_panel_is_docked_listed_and_attached(qtbot, settings, monkeypatch):
    from app.ui.main_window import MainWindow

    spec = docks.DockSpec("Captures", "captures_panel", CapturesPanel, Qt.LeftDockWidgetArea)
    built_in = [s.title for s in docks.DOCKS]
    monkeypatch.setattr(docks, "DOCKS", [*docks.DOCKS, spec])
    window = MainWindow(settings)
    qtbot.addWidget(window)
    assert list(window.docks) == [*built_in, "Captures"]
    assert built_in[:4] == ["Inspector", "Loss", "Timeline", "Output"]
    dock = window.docks["Captures"]
    assert dock.widget() is window.captures_panel
    assert dock.objectName() == "dock_captures"
    assert window.dockWidgetArea(dock) == Qt.LeftDockWidgetArea
    assert window.captures_panel.window_model is window.model
    view = next(m for m in window.menuBar().actions() if m.text() == "&View").menu()
    assert dock.toggleViewAction() in view.actions()


def test_the_built_in_panels_keep_their_window_attributes(qtbot, settings):
    from app.ui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    for spec in docks.DOCKS:
        assert window.docks[spec.title].widget() is getattr(window, spec.attr)

