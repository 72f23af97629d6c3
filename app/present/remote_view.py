"""What the window says about a remote worker, Qt-free: the recent-files entry of a remote
model (kept as one string in the settings, shown as "host:path"), the status bar's link health
("on gpu-box  |  rtt 12 ms  |  340 KiB/s"), when a link counts as slow, the lower recording
level to offer then, and the banner's sentence when the link is lost.

Everything here reads values that came from the worker or from the settings file: it never
raises on a field that is missing or is not a number."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

__all__ = [
    "REMOTE_PREFIX",
    "SLOW_RTT_MS",
    "RemoteEntry",
    "is_slow",
    "link_text",
    "lost_text",
    "lower_level",
]

REMOTE_PREFIX = "remote:"  # a recent-files entry starting so is a remote model, not a path
SLOW_RTT_MS = 250.0        # a round trip above this makes the status bar offer a lower level
LEVELS = ("none", "off", "basic", "full")  # the recording levels, least first


@dataclass(frozen=True)
class RemoteEntry:
    """A remote model as the recent files keep it: the ssh destination as written
    (`[user@]host[:port]`), the model's path (on the host; the local file when `upload`) and
    the target's other fields, as `RemoteTarget.parse` takes them."""

    destination: str
    path: str
    ssh_options: tuple[str, ...] = ()
    python: str = "python3"
    upload: bool = False

    @property
    def label(self) -> str:
        """How the recent menu names it: "host:path"."""
        return f"{self.destination}:{self.path}"

    def encode(self) -> str:
        """The settings string (one line, `REMOTE_PREFIX` + JSON)."""
        return REMOTE_PREFIX + json.dumps(
            {"destination": self.destination, "path": self.path,
             "ssh_options": list(self.ssh_options), "python": self.python,
             "upload": self.upload}, sort_keys=True)

    @classmethod
    def of(cls, target: Any, path: str) -> RemoteEntry:
        """The entry for a `RemoteTarget` and model path: the destination as the user wrote
        it (`label`) and the options they gave (without the `-p PORT` that parsing a
        "host:port" put first), so parsing the entry again gives the same target."""
        written = str(getattr(target, "label", "") or target.destination)
        options = tuple(str(o) for o in getattr(target, "ssh_options", ()))
        port = written.rpartition(":")[2] if ":" in written else ""
        if port.isdigit() and options[:2] == ("-p", str(int(port))):
            options = options[2:]
        return cls(written, str(path), options, str(getattr(target, "python", "python3")),
                   bool(getattr(target, "upload", False)))

    @classmethod
    def decode(cls, text: Any) -> RemoteEntry | None:
        """The entry a settings string holds; None for a plain path or a damaged entry (the
        settings file is the user's to edit: a bad one is skipped, never raised)."""
        if not isinstance(text, str) or not text.startswith(REMOTE_PREFIX):
            return None
        try:
            data = json.loads(text[len(REMOTE_PREFIX):])
            options = data.get("ssh_options", [])
            entry = cls(data["destination"], data["path"],
                        tuple(options) if isinstance(options, list) else (),
                        data.get("python", "python3"), data.get("upload", False))
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        ok = (isinstance(entry.destination, str) and entry.destination
              and isinstance(entry.path, str) and entry.path and isinstance(entry.python, str)
              and isinstance(entry.upload, bool)
              and all(isinstance(o, str) for o in entry.ssh_options))
        return entry if ok else None


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def link_text(health: Any) -> str:
    """The status bar's link field: the host (remote workers only), the round-trip time and
    the event bytes per second. "" when there is no health to show."""
    if health is None:
        return ""
    parts = []
    host = getattr(health, "host", None)
    if host:
        parts.append(f"on {str(host)[:60]}")
    if not getattr(health, "connected", True):
        parts.append("disconnected")
        return "  |  ".join(parts)
    rtt = _number(getattr(health, "rtt_ms", None))
    parts.append("rtt …" if rtt is None else
                 f"rtt {rtt:.1f} ms" if rtt < 10 else f"rtt {rtt:.0f} ms")
    rate = _number(getattr(health, "bytes_per_s", None)) or 0.0
    parts.append(f"{rate / 2**20:.1f} MiB/s" if rate >= 2**20 else f"{rate / 1024:.0f} KiB/s")
    return "  |  ".join(parts)


def is_slow(health: Any, backlog: bool = False) -> bool:
    """Whether the link is slow enough to suggest recording less: a round trip over
    `SLOW_RTT_MS`, or captures piling up unread (`backlog`)."""
    if health is None or not getattr(health, "connected", True):
        return False
    rtt = _number(getattr(health, "rtt_ms", None))
    return backlog or (rtt is not None and rtt > SLOW_RTT_MS)


def lower_level(level: str) -> str | None:
    """The next recording level below `level` that still draws the graph ('off' is the
    lowest offered: 'none' records nothing to show); None when there is none lower."""
    if level not in LEVELS or LEVELS.index(level) <= LEVELS.index("off"):
        return None
    return LEVELS[LEVELS.index(level) - 1]


def lost_text(host: str, reason: str, kept: int) -> str:
    """The banner's sentence when the link to `host` dropped."""
    why = " ".join(str(reason or "the link ended").split())[:300]
    its = "iteration" if kept == 1 else "iterations"
    return f"Connection to {str(host)[:80]} lost: {why} - {kept} {its} kept"
