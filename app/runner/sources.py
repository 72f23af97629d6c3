"""A remote worker's copies of the user's source files a capture names (`protocol.Source`),
so the window on another machine can show the lines of a remote run.

Only the user's own code travels: `.py` files named by a node's `file:line`, not in
site-packages, the standard library or our own packages, each at most
`app.present.inspect.MAX_SOURCE_BYTES`, each once per worker.
"""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path
from typing import Any

from app.runner import protocol as p

__all__ = ["SourceSender"]

_OURS = Path(__file__).resolve().parents[2]  # the folder holding `app` and `autograd_core`
_PACKAGES = ("app", "autograd_core", "resources")


def _stdlib_dirs() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    dirs = {paths.get(k, "") for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    dirs |= {sys.base_prefix, sys.prefix} - {""}
    return tuple(sorted(d for d in dirs if d))


class SourceSender:
    """Which files went out; `events(capture)` gives the `Source` events to send first."""

    def __init__(self) -> None:
        self.sent: set[str] = set()
        self._skip = _stdlib_dirs()

    def events(self, capture: Any) -> list[p.Source]:
        from app.present.inspect import MAX_SOURCE_BYTES

        out = []
        for node in getattr(capture, "nodes", ()):
            path_text = str(getattr(node, "source", "")).rpartition(":")[0]
            if not path_text or path_text in self.sent:
                continue
            self.sent.add(path_text)  # once, whether it travels or not
            text = self._read(path_text, MAX_SOURCE_BYTES)
            if text is not None:
                out.append(p.Source(path_text, text))
        return out

    def _read(self, path_text: str, limit: int) -> str | None:
        path = Path(path_text)
        try:
            resolved = path.resolve()
            if path.suffix != ".py" or not resolved.is_file() \
                    or resolved.stat().st_size > limit or "site-packages" in resolved.parts \
                    or "dist-packages" in resolved.parts or self._ours(resolved) \
                    or any(str(resolved).startswith(d + "/") for d in self._skip
                           if not str(resolved).startswith(str(_OURS))):
                return None
            return resolved.read_text(errors="replace")
        except OSError:
            return None

    @staticmethod
    def _ours(path: Path) -> bool:
        try:
            rel = path.relative_to(_OURS)
        except ValueError:
            return False
        return bool(rel.parts) and rel.parts[0] in _PACKAGES[:2]
