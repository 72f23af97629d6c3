"""The run's visible state and the one table of which controls each state enables.

States: none (nothing open), starting (the worker loads the script), idle, running, paused,
stepping, stopped (by the user), ended (stopped by the user, who had to end the worker: only
Restart helps), failed (the script did not load or the worker died), disconnected (the link
to a remote worker's host dropped: what came stays, Reconnect or Restart starts a fresh
worker), and session (an opened .gscope file: read-only, nothing runs).
"""

from __future__ import annotations

from app.runner import protocol as p

NONE, STARTING, IDLE, RUNNING, PAUSED = "none", "starting", "idle", "running", "paused"
STEPPING, STOPPED, FAILED, SESSION = "stepping", "stopped", "failed", "session"
ENDED, DISCONNECTED = "stopped, worker ended", "disconnected"
RUN_STATES = (NONE, STARTING, IDLE, RUNNING, PAUSED, STEPPING, STOPPED, ENDED, FAILED,
              DISCONNECTED, SESSION)

# The actions that drive the worker; every other action is enabled whatever the state.
RUN_ACTIONS = ("run", "run_until_stopped", "pause", "step_forward", "step_backward", "run_one",
               "stop", "restart")
_READY = frozenset({"run", "run_until_stopped", "step_forward", "step_backward", "run_one",
                    "restart"})

# state -> the run actions it enables (one table: the window never decides this elsewhere).
ENABLED: dict[str, frozenset[str]] = {
    NONE: frozenset(),
    STARTING: frozenset({"stop", "restart"}),
    IDLE: _READY,
    PAUSED: _READY,
    STOPPED: _READY,
    RUNNING: frozenset({"pause", "stop", "restart"}),
    STEPPING: frozenset({"step_forward", "step_backward", "run_one", "stop", "restart"}),
    ENDED: frozenset({"restart"}),
    FAILED: frozenset({"restart"}),
    DISCONNECTED: frozenset({"restart"}),
    SESSION: frozenset(),
}

# Why a run action is disabled, shown in its tooltip.
WHY_DISABLED = {
    NONE: "open a model script first",
    SESSION: "an opened session is read-only: open its model script to run it",
    FAILED: "the script is not running: fix it and Restart",
    ENDED: "Stop had to end the worker: Restart to run again",
    DISCONNECTED: "the connection to the host was lost: Reconnect (or Restart) starts a "
                  "fresh worker there",
}


def from_worker(worker_state: str, requested: str, current: str) -> str:
    """The visible state after the worker reports `worker_state`, given the user's last
    command `requested` and the state shown now (a stop or failure stays visible while the
    worker sits idle, until the user asks for something else)."""
    if worker_state == p.IDLE:
        if requested == "pause":
            return PAUSED
        if requested == "stop" or current == STOPPED:
            return STOPPED
        return IDLE
    return {p.LOADING: STARTING, p.RUNNING: RUNNING, p.STEPPING: STEPPING,
            p.ERROR: FAILED, p.DEAD: FAILED}.get(worker_state, current)


def enabled(state: str, action: str) -> bool:
    """Whether `action` is enabled in `state` (actions outside RUN_ACTIONS always are)."""
    return action not in RUN_ACTIONS or action in ENABLED.get(state, frozenset())
