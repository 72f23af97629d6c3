"""Colours of the app: the dark and light palettes, node kind colours, the overlay colour scale.

Style sheets live in `resources/themes/<name>.qss`; `apply_theme` loads one and sets the palette.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

THEMES_DIR = Path(__file__).resolve().parents[2] / "resources" / "themes"
THEME_NAMES = ("dark", "light")

# A perceptually ordered scale (viridis stops) for overlays: low -> high.
SCALE_STOPS = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")
ANOMALY = QColor("#e4002b")
# The NaN hunt's node roles (app.present.nan_hunt.ROLES): the Anomaly overlay's fills, and the
# rings drawn around origin / spread / path nodes in every overlay. Other nodes: ROLE_NEUTRAL.
ROLE_COLORS = {"origin": "#ff1744", "spread": "#ff9e80", "path": "#c77dff",
               "flagged": "#ffd23f"}
ROLE_NEUTRAL = "#5f6368"


@dataclass(frozen=True)
class Theme:
    """The colours the graph view paints with (widgets take theirs from the style sheet)."""

    name: str
    background: str
    text: str
    muted: str
    edge: str
    frame: str
    selection: str
    step: str
    grad: str
    kinds: dict[str, str]


DARK = Theme("dark", "#1e1f22", "#e6e6e6", "#9aa0a6", "#7d8590", "#4a5060", "#ffb000",
             "#00d0ff", "#ff7a00",
             {"op": "#3b4a63", "param": "#355e3b", "input": "#5b4a2e", "output": "#5b4a2e",
              "loss": "#7a2e3a", "group": "#3c3c52", "": "#3b4a63"})
LIGHT = Theme("light", "#fafafa", "#1f2328", "#57606a", "#8c959f", "#b6bec9", "#d97706",
              "#0077b6", "#e85d04",
              {"op": "#dbe7fb", "param": "#d8f0dc", "input": "#f8e6c8", "output": "#f8e6c8",
               "loss": "#f9d0d6", "group": "#e4e2f5", "": "#dbe7fb"})
THEMES = {"dark": DARK, "light": LIGHT}


def theme(name: str) -> Theme:
    """The theme called `name` (unknown names give the dark one)."""
    return THEMES.get(name, DARK)


def scale_color(t: float) -> QColor:
    """The overlay colour at `t` in [0, 1] (clamped), interpolated between SCALE_STOPS."""
    t = 0.0 if math.isnan(t) else min(1.0, max(0.0, t))
    pos = t * (len(SCALE_STOPS) - 1)
    i = min(int(pos), len(SCALE_STOPS) - 2)
    a, b = QColor(SCALE_STOPS[i]), QColor(SCALE_STOPS[i + 1])
    f = pos - i
    return QColor.fromRgbF(a.redF() + (b.redF() - a.redF()) * f,
                           a.greenF() + (b.greenF() - a.greenF()) * f,
                           a.blueF() + (b.blueF() - a.blueF()) * f)


def apply_theme(app: QApplication, name: str) -> Theme:
    """Set the application palette and style sheet for `name`; returns the Theme."""
    th = theme(name)
    pal = QPalette()
    base, text = QColor(th.background), QColor(th.text)
    for role in (QPalette.Window, QPalette.Base, QPalette.Button):
        pal.setColor(role, base if role != QPalette.Base else base.lighter(110)
                     if th.name == "dark" else QColor("#ffffff"))
    for role in (QPalette.WindowText, QPalette.Text, QPalette.ButtonText):
        pal.setColor(role, text)
    pal.setColor(QPalette.Highlight, QColor(th.selection))
    app.setPalette(pal)
    qss = THEMES_DIR / f"{th.name}.qss"
    app.setStyleSheet(qss.read_text() if qss.is_file() else "")
    return th
