"""Text from sessions, captures and the worker shown safely: as plain text, never as markup.

Names, paths and messages come from files and processes we do not control. A QLabel in
`Qt.AutoText` renders anything `Qt.mightBeRichText` likes as HTML (an `<img src=/dev/zero>`
makes Qt read that file until it aborts), tooltips are always auto-detected, menus eat `&`
and window titles eat `[*]`. Every widget text built from data goes through one of these.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

# Longer texts are cut in tooltips and the error panel: laying out megabytes of one line
# would stall the event loop, and no one reads past this in a tooltip anyway.
MAX_SHOWN_CHARS = 8000


def clip(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    """`text` cut to `limit` characters, saying how much was left out.

    Example:
        clip("x" * 9000, 10)   # 'xxxxxxxxxx… (8990 more characters)'
    """
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


def plain_tooltip(text: object, title: object = None) -> str:
    """A tooltip that shows `text` literally (line breaks kept), with an optional bold
    `title` line. Empty text gives an empty string (no tooltip).

    Qt decides per tooltip whether it is rich text, so escaping alone is not enough: a plain
    string with `&amp;` would still be decoded. We always hand Qt rich text whose only markup
    is ours.

    Example:
        plain_tooltip("<b>x</b>")   # "<p style='white-space:pre-wrap'>&lt;b&gt;x&lt;/b&gt;</p>"
    """
    body = clip(str(text)) if text is not None else ""
    head = clip(str(title)) if title is not None else ""
    if not body and not head:
        return ""
    parts = [f"<b>{_escape(head)}</b>"] if head else []
    if body:
        parts.append(_escape(body))
    return "<p style='white-space:pre-wrap'>" + "\n".join(parts) + "</p>"


def _escape(text: str) -> str:
    # NUL ends the string in parts of Qt's HTML handling: show it as the replacement glyph.
    return html.escape(text, quote=True).replace("\x00", "\ufffd")


def plain_label(text: str = "", parent: QWidget | None = None, *, bold: bool = False,
                wrap: bool = False) -> QLabel:
    """A QLabel that never interprets its text as markup (whatever is set on it later)."""
    label = QLabel(parent)
    make_plain(label, bold=bold, wrap=wrap)
    label.setText(text)
    return label


def make_plain(label: QLabel, *, bold: bool = False, wrap: bool = False) -> QLabel:
    """Switch an existing QLabel to plain text; `bold` replaces the `<b>` it may have used."""
    label.setTextFormat(Qt.PlainText)
    label.setWordWrap(wrap)
    if bold:
        font = QFont(label.font())
        font.setBold(True)
        label.setFont(font)
    return label


def shrinkable(label: QLabel, min_width: int = 40) -> QLabel:
    """Let the layout, not the text, decide the label's width: one 4,000-character name
    without spaces otherwise widened the whole window to 15,000 pixels. The text stays
    selectable so a cut-off name can still be copied."""
    label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
    label.setMinimumWidth(min_width)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    return label


def menu_text(text: str) -> str:
    """Text for a menu entry or action: `&` shown as itself (not a mnemonic marker), and no
    tab (which would start the shortcut column)."""
    return str(text).replace("&", "&&").replace("\t", " ")


def window_title(text: str) -> str:
    """Text for `setWindowTitle`: a `[*]` in a file name stays visible (Qt would drop it as
    the modified-document placeholder; a doubled one is shown once)."""
    return str(text).replace("[*]", "[*][*]")


def one_line(text: str) -> str:
    """The first non-empty line (for the status bar, which shows one line)."""
    for line in str(text).splitlines():
        if line.strip():
            return clip(line.strip(), 300)
    return ""
