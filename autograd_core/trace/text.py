"""Names from captures made safe for every export: control characters, lone surrogates and
the two XML non-characters become visible escapes, so SVG, GraphML and DOT stay well-formed.

Names (ops, keys, module paths, source files) come from files and processes we do not
control. XML 1.0 forbids most control characters, UTF-8 cannot encode a lone surrogate, and
graphviz reads raw control characters as syntax; a visible escape keeps the name readable.
"""

from __future__ import annotations

import re

# C0 controls (tab and newline too: a name is one line), DEL and the C1 controls, the UTF-16
# surrogates (lone ones reach Python through surrogateescape or JSON "\ud800" escapes), and
# U+FFFE/U+FFFF, which XML 1.0 excludes.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(text: object) -> str:
    """`str(text)` with every character no export may hold replaced by a visible escape.

    Example:
        >>> safe_text("relu\\x00\\ud800")
        'relu\\\\x00\\\\ud800'
    """
    s = text if isinstance(text, str) else str(text)
    return _UNSAFE.sub(_escape, s) if _UNSAFE.search(s) else s


def is_safe(text: str) -> bool:
    """True when `text` needs no escaping (what `safe_text` returns unchanged)."""
    return _UNSAFE.search(text) is None
