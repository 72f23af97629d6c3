"""Headless recording: run a script through a worker and collect its captures into a Session.

This is `gradscope record`'s engine, kept free of argument parsing and terminal drawing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.runner import protocol as p
from app.runner.driver import Driver

LOAD_ALLOWANCE = 60.0  # seconds a script may take to load when a timeout is given


@dataclass
class RecordResult:
    """What a recording produced. `error` is the user-facing failure, if any."""

    session: Any
    iterations: int = 0
    losses: list[float] = field(default_factory=list)
    error: p.Error | None = None
    died: p.Died | None = None
    timed_out: bool = False
    elapsed: float = 0.0
    device: str = "cpu"

    @property
    def ok(self) -> bool:
        return self.error is None and self.died is None


@dataclass
class Callbacks:
    """Optional observers of a recording (all no-ops by default)."""

    started: Callable[[int], None] = lambda total: None
    progress: Callable[[int, float | None], None] = lambda done, loss: None
    output: Callable[[p.Output], None] = lambda line: None
    warning: Callable[[p.Error], None] = lambda err: None


def record(path: str, iterations: int | None = None, device: str | None = None,
           stats: str = "basic", timeout: float | None = None,
           callbacks: Callbacks | None = None) -> RecordResult:
    """Run `iterations` of the script at `path` in a worker, recording at `stats`.

    Args:
        path: the model script.
        iterations: how many; default the script's ITERATIONS, else 100.
        device: 'cpu', 'cuda' or None (the script's DEVICE, else the CPU).
        stats: 'off', 'basic' or 'full' (the trace's levels).
        timeout: seconds of iterations after which the run is stopped (what was captured is
            kept); loading the script may take as long again (at least a minute).
        callbacks: progress, output and warning observers.
    Returns:
        A RecordResult with the Session (possibly partial) and what went wrong, if anything.

    Example:
        result = record("mlp.py", iterations=10)
        trace.save(result.session, "run.gscope")
    """
    from autograd_core.trace import Session

    cb = callbacks or Callbacks()
    started = time.monotonic()
    with Driver(path, device=device, record=stats) as driver:
        # Starting a worker takes seconds on a busy machine: loading gets at least a minute.
        allowance = None if timeout is None else started + max(timeout, LOAD_ALLOWANCE)
        loaded = _wait_loaded(driver, cb, allowance)
        if isinstance(loaded, p.Error | p.Died):
            return _failed(Session(script=path), loaded)
        total = iterations or loaded.iterations or 100
        result = RecordResult(Session(script=path, device=loaded.device, window=max(total, 1)),
                              device=loaded.device)
        cb.started(total)
        driver.run(total)
        # The timeout bounds the iterations; loading had its own allowance of the same length.
        deadline = None if timeout is None else time.monotonic() + timeout
        _collect(driver, result, cb, deadline)
    result.elapsed = time.monotonic() - started
    return result


def _wait_loaded(driver: Driver, cb: Callbacks, deadline: float | None) -> Any:
    """The Loaded event, or the Error/Died that prevented it (or the deadline passed)."""
    while True:
        if deadline is not None and time.monotonic() > deadline:
            driver.kill()
            return p.Error("timeout", "the script did not finish loading within --timeout; "
                           "the worker was stopped", location=driver.options.path)
        for event in driver.wait_events(0.1):
            if isinstance(event, p.Loaded | p.Died):
                return event
            if isinstance(event, p.Error):
                if event.kind == "warning":  # e.g. the script's DEVICE fell back to the CPU
                    cb.warning(event)
                    continue
                return event
            if isinstance(event, p.Output):
                cb.output(event)


def _failed(session: Any, event: Any) -> RecordResult:
    if isinstance(event, p.Died):
        return RecordResult(session, died=event)
    return RecordResult(session, error=event)


def _collect(driver: Driver, result: RecordResult, cb: Callbacks, deadline: float | None
             ) -> None:
    """Read events until the run finishes, fails, dies or passes the deadline."""
    stopping = False
    while True:
        if deadline is not None and not stopping and time.monotonic() >= deadline:
            stopping = result.timed_out = True
            driver.stop()
        for event in driver.wait_events(0.1):
            if _handle(event, result, cb, stopping):
                return


def _handle(event: Any, result: RecordResult, cb: Callbacks, stopping: bool) -> bool:
    """Apply one event to the result; True when the recording is over."""
    if isinstance(event, p.Captured):
        result.session.add(event.capture)
    elif isinstance(event, p.Loss):
        result.losses.append(event.value)
        cb.progress(event.iteration + 1, event.value)
    elif isinstance(event, p.Output):
        cb.output(event)
    elif isinstance(event, p.Finished):
        result.iterations = event.iteration
        return True
    elif isinstance(event, p.Status):
        result.iterations = event.iteration
        return stopping and event.state == p.IDLE
    elif isinstance(event, p.Error):
        if event.kind in ("warning", "internal"):  # an internal failure that ends the
            cb.warning(event)                       # worker is followed by Died
            return False
        if event.kind == "killed" and stopping:
            return False  # the timeout's stop had to kill: Died follows
        result.error = event
        return True
    elif isinstance(event, p.Died):
        if not stopping:
            result.died = event
        return True
    return False
