"""The window's actions (each with a shortcut, from one ACTIONS table that also fills the
Help > Keyboard shortcuts window) and the toolbars: the run toolbar (commands, device, recording
level, overlay) and, on its own row so it is never hidden in an overflow menu, the iteration
scrubber."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLabel,
    QSlider,
    QTableWidget,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app.present.formats import format_names
from app.present.overlays import OVERLAYS
from app.runner import protocol as p
from app.ui.scrubber import MarkedSlider
from app.ui.text import plain_label, plain_tooltip

# name -> (text, shortcut, tip). Runner commands are named after the Driver's methods.
ACTIONS: dict[str, tuple[str, str, str]] = {
    "open_model": ("Open model…", "Ctrl+O", "Open a model script (defines model and step)"),
    "open_session": ("Open session…", "Ctrl+Shift+O", "Open a recorded .gscope session"),
    "save_session": ("Save session…", "Ctrl+S",
                     "Save the captured iterations of this run as a .gscope session"),
    "run": ("Run", "F5", "Run the script's ITERATIONS iterations (until stopped if it sets none)"),
    "run_until_stopped": ("Run until stopped", "Ctrl+F5",
                          "Run iterations until you pause or stop"),
    "pause": ("Pause", "F6", "Pause at the end of the current iteration"),
    "step_forward": ("Step op", "F10", "Run the next forward op and stop"),
    "step_backward": ("Step back", "Shift+F10", "Run the next backward node and stop"),
    "run_one": ("One iteration", "F11", "Run (or finish) one iteration"),
    "stop": ("Stop", "Shift+F5", "Stop the script now (kills it if it does not answer)"),
    "escape": ("Close search / stop", "Esc",
               "Close the search box if it is open, otherwise stop the run"),
    "restart": ("Restart", "Ctrl+R", "Reload the script in a fresh namespace (a new run)"),
    "previous_iteration": ("Previous iteration", "Alt+Left",
                           "Show the previous captured iteration"),
    "next_iteration": ("Next iteration", "Alt+Right",
                       "Show the next captured iteration"),
    "pin_iteration": ("Pin for diff", "Ctrl+D",
                      "Pin the shown iteration: the graph and the Diff panel compare every "
                      "shown iteration with it (again on the pinned one: unpin)"),
    "fit": ("Fit", "F", "Show the whole graph"),
    "search": ("Find…", "Ctrl+F", "Find a node by op, module or file:line"),
    "collapse_all": ("Collapse modules", "Ctrl+[", "Collapse top-level modules"),
    "expand_all": ("Expand modules", "Ctrl+]", "Expand every module"),
    "collapse_level": ("Collapse one level", "Alt+Up",
                       "Close the deepest open modules into boxes (one level up)"),
    "expand_level": ("Expand one level", "Alt+Down",
                     "Open each collapsed module one level (its submodules stay boxes)"),
    "label_grad_fn": ("grad_fn labels", "Ctrl+G",
                      "Name ops as PyTorch's grad_fn does (AddmmBackward0), as torchviz does"),
    "toggle_theme": ("Dark/light theme", "Ctrl+T", "Switch between the dark and light theme"),
    "export_graph": ("Export graph…", "Ctrl+E", f"{format_names('image')} (PNG at a scale)"),
    "export_data": ("Export capture…", "Ctrl+Shift+E", format_names("data")),
    "screenshot": ("Save window screenshot…", "Ctrl+Shift+S", "The whole window as PNG"),
    "shortcuts": ("Keyboard shortcuts", "F1", "List every keyboard shortcut"),
    "quit": ("Quit", "Ctrl+Q", "Quit Gradscope"),
}
# Second shortcuts of an action (shown beside the first in the shortcuts window).
ALTERNATES: dict[str, tuple[str, ...]] = {
    "previous_iteration": ("Ctrl+PgUp",),
    "next_iteration": ("Ctrl+PgDown",),
}
TOOLBAR = ("open_model", "open_session", None, "run", "run_until_stopped", "pause",
           "step_forward", "step_backward", "run_one", "stop", "restart", None, "fit")


@dataclass
class Toolbar:
    """The toolbar and its non-action widgets."""

    bar: QToolBar
    iteration_bar: QToolBar
    device: QComboBox
    recording: QComboBox
    overlay: QComboBox
    scrubber: QSlider
    scrub_label: QLabel


def make_actions(parent: QWidget) -> dict[str, QAction]:
    actions = {}
    for name, (text, shortcut, tip) in ACTIONS.items():
        action = QAction(text, parent)
        action.setObjectName(name)
        keys = (shortcut, *ALTERNATES.get(name, ()))
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.WindowShortcut)
        action.setToolTip(plain_tooltip(f"{tip} ({', '.join(keys)})"))
        action.setStatusTip(tip)
        actions[name] = action
    return actions


def make_toolbar(parent: QWidget, actions: dict[str, QAction]) -> Toolbar:
    bar = QToolBar("Run", parent)
    bar.setObjectName("run_toolbar")
    for name in TOOLBAR:
        if name is None:
            bar.addSeparator()
        else:
            bar.addAction(actions[name])
    device = QComboBox()
    device.setObjectName("device")
    device.addItem("CPU", "cpu")
    device.addItem("CUDA", "cuda")
    device.setToolTip(plain_tooltip("Where the model runs"))
    recording = _combo("recording", p.RECORD_LEVELS, "Recording: none, graph only (off), "
                       "basic statistics, full (histograms, thumbnails)")
    overlay = QComboBox()
    overlay.setObjectName("overlay")
    for name, (_, title) in OVERLAYS.items():
        overlay.addItem(title if name != "none" else "Overlay: none", name)
    overlay.setToolTip(plain_tooltip("Colour nodes by a measurement (legend at the top right)"))
    scrubber = MarkedSlider(Qt.Horizontal)  # NaN/Inf iterations marked under the groove
    scrubber.setObjectName("scrubber")
    scrubber.setRange(0, 0)
    scrubber.setMinimumWidth(140)
    scrubber.setToolTip(plain_tooltip(
        "Iteration shown, within the captured window (right end: follow live)"))
    scrub_label = plain_label("no iterations")
    bar.addSeparator()
    for w in (plain_label(" Device "), device, plain_label(" Record "), recording):
        # Keyboard focus stays on the graph: arrow keys must not silently change these.
        w.setFocusPolicy(Qt.NoFocus)
        bar.addWidget(w)
    iteration_bar = QToolBar("Iteration", parent)
    iteration_bar.setObjectName("iteration_toolbar")
    iteration_bar.addWidget(plain_label(" Iteration "))
    iteration_bar.addAction(actions["previous_iteration"])
    iteration_bar.addWidget(scrubber)
    iteration_bar.addAction(actions["next_iteration"])
    iteration_bar.addWidget(scrub_label)
    iteration_bar.addSeparator()
    overlay.setFocusPolicy(Qt.NoFocus)
    iteration_bar.addWidget(overlay)  # on this row: the run row is full at 1280 px
    actions["previous_iteration"].setIconText("◀")
    actions["next_iteration"].setIconText("▶")
    scrubber.setMinimumWidth(320)
    return Toolbar(bar, iteration_bar, device, recording, overlay, scrubber, scrub_label)


def _combo(name: str, items, tip: str) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    for item in items:
        box.addItem(item, item)
    box.setToolTip(plain_tooltip(tip))
    return box


def disable_cuda(device: QComboBox, reason: str) -> None:
    """Grey out the CUDA entry and say why in its tooltip (the reason quotes the driver or
    CuPy: plain text)."""
    tip = plain_tooltip(f"CUDA unavailable: {reason}")
    item = device.model().item(1)
    item.setEnabled(False)
    item.setToolTip(tip)
    device.setItemData(1, tip, Qt.ToolTipRole)


def shortcut_rows() -> list[tuple[str, str, str]]:
    """(action, shortcuts, what it does) for every action, from the ACTIONS table."""
    return [(text.rstrip("…"), ", ".join((key, *ALTERNATES.get(name, ()))), tip)
            for name, (text, key, tip) in ACTIONS.items()]


class ShortcutsDialog(QDialog):
    """Help > Keyboard shortcuts: every action's shortcuts, built from ACTIONS."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows()
        self.table = QTableWidget(len(rows), 3, self)
        self.table.setHorizontalHeaderLabels(["Action", "Shortcut", "What it does"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))  # items show plain text
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        QVBoxLayout(self).addWidget(self.table)
        self.resize(720, 560)
