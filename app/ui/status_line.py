"""The status bar's line: the run's state, the last completed iteration, speed, device, threads
and memory. Every field came over the wire from the worker: this must never raise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.ui import run_state as rs
from app.ui.text import clip


def status_text(status: Any, script: str | None, state: str = rs.NONE,
                last: int | None = None) -> str:
    """The status bar line: the run's state, the last completed iteration (numbered from 0,
    as the scrubber and the inspector number them; `last` is the newest one whose loss
    arrived, which a worker's periodic Status may not know yet), speed, device, threads,
    memory."""
    if state == rs.SESSION:
        return "session (read-only)"
    if status is None:
        return "no script" if script is None else f"{state}: starting worker…"
    # Every field came over the wire: strings are clipped, numbers that are not numbers shown
    # as "?" (this runs 10 times a second; it must not raise).
    mem = number_text(status.memory_bytes, lambda v: f"{v / 2**20:.0f} MiB") if (
        status.memory_bytes) else "-"
    done = number_text(status.iteration, lambda v: _done(v - 1, last))
    threads = getattr(status, "threads", None)
    threads_text = "" if threads is None else (
        f"  |  {number_text(threads, lambda v: f'{v:g} thread' + ('s' if v != 1 else ''))}")
    return (f"{state}  |  {done}  |  "
            f"{number_text(status.its_per_sec, lambda v: f'{v:.1f}')} it/s  |  "
            f"{clip(str(status.device), 40)}{threads_text}  |  {mem}")


def _done(reported: float, last: int | None) -> str:
    newest = reported if last is None else max(reported, last)
    return f"last iteration {newest:g}" if newest >= 0 else "no iteration yet"


def number_text(value: Any, fmt: Callable[[Any], str]) -> str:
    """`value` formatted by `fmt`, or "?" when it is not a number."""
    try:
        return fmt(float(value) if not isinstance(value, int) else value)
    except (TypeError, ValueError, OverflowError):
        return "?"
