"""What the end of a remote worker's ssh transport means, as events: a start that failed
(unreachable host, refused key, no python or gradscope there), a lost link, or the worker's
own exit, each one sentence naming the host."""

from __future__ import annotations

from typing import Any

from app.runner import protocol as p
from app.runner.pipes import died_event
from app.runner.remote import RemoteTarget

__all__ = ["ended_events", "start_failed"]

_SSH_FAILED = 255  # what ssh exits with on its own errors (and when the remote side is gone)


def start_failed(target: RemoteTarget, exc: BaseException) -> list[Any]:
    """The events of a start that never got a process (the upload failed)."""
    return [p.Error("remote", f"could not start the worker on {target.label}: {exc}"),
            p.Died(None, None, f"the worker on {target.label} never started")]


def ended_events(target: RemoteTarget, code: int | None, tail: str, heard: bool,
                 ending: bool) -> list[Any]:
    """The events for ssh's exit with `code` (its stderr's `tail`): `heard` whether the
    worker ever sent a frame, `ending` whether we asked it to end."""
    died = died_event(code)
    host = target.label
    last = _last_line(tail)
    if ending:
        died.message = f"the worker on {host} ended"
        return [died]
    if not heard:
        why = last or f"ssh exited with status {code}"
        died.message = f"the worker on {host} never started"
        return [p.Error("remote", f"could not start the worker on {host}: {why}",
                        details=tail.strip()), died]
    if code is None or code < 0 or code == _SSH_FAILED:
        if code is not None and code < 0:
            reason = f"ssh was ended by {died.signal}"
        else:
            reason = f"ssh exited with status {code}"
        reason += f": {last}" if last else " (the connection dropped, or the worker was " \
                                           "killed on the host)"
        died.message = f"the link to {host} was lost"
        return [p.LinkLost(reason), died]
    died.message = f"the worker on {host} exited with code {code}" + \
        (f": {last}" if last else "")
    return [died]


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""
