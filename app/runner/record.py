"""Headless recording: run a script through a worker and hand each capture to a sink as it
arrives (a streaming session file for `gradscope record`, an in-memory Session otherwise).

This is `gradscope record`'s engine, kept free of argument parsing and terminal drawing. The
result keeps counts, losses and the first non-finite origin, never the captures themselves,
so a long recording into a file holds one capture at a time.
"""

from __future__ import annotations

import signal as signals
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from app.runner import protocol as p
from app.runner.driver import Driver
from app.runner.threads import DEFAULT_THREADS


@dataclass
class RecordResult:
    """What a recording produced. `error` is the user-facing failure, if any.

    `session` is the sink the captures went to (the in-memory Session by default);
    `interrupted` names the signal that ended the run early; `write_error` is what the sink
    raised (an OSError for a full disk), which ended the run; `first_nonfinite` is
    (iteration, NonFiniteOrigin) of the first NaN/Inf any capture reported.
    """

    session: Any
    iterations: int = 0
    captured: int = 0
    losses: list[float] = field(default_factory=list)
    error: p.Error | None = None
    died: p.Died | None = None
    timed_out: bool = False
    interrupted: str | None = None
    write_error: Exception | None = None
    first_nonfinite: tuple[int, Any] | None = None
    elapsed: float = 0.0
    device: str = "cpu"

    @property
    def ok(self) -> bool:
        return self.error is None and self.died is None and self.write_error is None


@dataclass
class Callbacks:
    """Optional observers of a recording (all no-ops by default)."""

    started: Callable[[int], None] = lambda total: None
    progress: Callable[[int, float | None], None] = lambda done, loss: None
    output: Callable[[p.Output], None] = lambda line: None
    warning: Callable[[p.Error], None] = lambda err: None


class Interrupt:
    """Turns SIGINT/SIGTERM/SIGHUP into a request to end the recording early.

    The handler only notes the signal (so nothing raises mid-save); `record` polls it, stops
    the worker at the first signal and kills it at a second.

    Example:
        with Interrupt() as interrupt:
            result = record("mlp.py", interrupt=interrupt)
    """

    SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")

    def __init__(self, names: Iterable[str] = SIGNALS) -> None:
        self.names = [n for n in names if hasattr(signals, n)]
        self.signal: str | None = None   # the first signal received
        self.signum = 0
        self.count = 0
        self._previous: dict[int, Any] = {}

    def _on_signal(self, signum: int, frame: Any) -> None:
        self.count += 1
        if self.signal is None:
            self.signal, self.signum = signals.Signals(signum).name, signum

    def __enter__(self) -> Interrupt:
        for name in self.names:
            number = getattr(signals, name)
            self._previous[number] = signals.signal(number, self._on_signal)
        return self

    def __exit__(self, *exc: object) -> None:
        for number, handler in self._previous.items():
            signals.signal(number, handler)
        self._previous.clear()


def record(path: str, iterations: int | None = None, device: str | None = None,
           stats: str = "basic", timeout: float | None = None,
           callbacks: Callbacks | None = None,
           sink: Callable[[str, int], Any] | None = None,
           interrupt: Interrupt | None = None, threads: int = DEFAULT_THREADS,
           args: list[str] | tuple[str, ...] = (), remote: Any = None) -> RecordResult:
    """Run `iterations` of the script at `path` in a worker, recording at `stats`.

    Args:
        path: the model script.
        iterations: how many; default the script's ITERATIONS, else 100.
        device: 'cpu', 'cuda' or None (the script's DEVICE, else the CPU).
        stats: 'off', 'basic' or 'full' (the trace's levels).
        timeout: seconds, from now, after which the run is stopped (what was captured is
            kept); it covers starting the worker and loading the script too.
        callbacks: progress, output and warning observers.
        sink: `sink(device, total)` -> an object with `add(capture)`, made once the script
            has loaded; each capture is added as it arrives. Default: an in-memory Session.
        interrupt: an installed `Interrupt`; a signal stops the run (what was captured is
            kept), a second one kills the worker.
        threads: BLAS/OpenMP threads of the worker (default 1; 0: the libraries' default),
            reported in each capture's `threads`.
        args: the script's own command-line arguments (its `sys.argv[1:]`).
        remote: a `RemoteTarget`: the worker runs on that host over ssh (the session is
            still saved here).
    Returns:
        A RecordResult (`session` is the sink) and what went wrong, if anything.

    Example:
        result = record("mlp.py", iterations=10)
        trace.save(result.session, "run.gscope")
    """
    from autograd_core.trace import Session

    cb = callbacks or Callbacks()
    started = time.monotonic()
    deadline = None if timeout is None else started + timeout
    make = sink or (lambda dev, total: Session(script=path, device=dev, window=max(total, 1)))
    result = RecordResult(None)
    # relay_output: nothing the script starts may keep holding the caller's stdout.
    with Driver(path, device=device, record=stats, relay_output=True,
                threads=threads, args=args, remote=remote) as driver:
        loaded = _wait_loaded(driver, cb, deadline, interrupt, result)
        if isinstance(loaded, p.Loaded):
            total = iterations or loaded.iterations or 100
            result.device = loaded.device
            try:
                result.session = make(loaded.device, total)
            except Exception as exc:  # e.g. the output cannot be created: run nothing
                result.write_error = exc
                return _finish(result, started)
            cb.started(total)
            driver.run(total)
            _collect(driver, result, cb, deadline, interrupt)
    if result.session is None and sink is None:
        result.session = Session(script=path)
    return _finish(result, started)


def _finish(result: RecordResult, started: float) -> RecordResult:
    result.elapsed = time.monotonic() - started
    return result


def _wait_loaded(driver: Driver, cb: Callbacks, deadline: float | None,
                 interrupt: Interrupt | None, result: RecordResult) -> Any:
    """The Loaded event; or None after noting in `result` the Error/Died that prevented it,
    the deadline that passed or the signal that came first."""
    while True:
        if interrupt is not None and interrupt.signal is not None:
            result.interrupted = interrupt.signal
            driver.kill()
            return None
        if deadline is not None and time.monotonic() > deadline:
            driver.kill()
            result.timed_out = True
            result.error = p.Error("timeout", "the script did not finish loading within "
                                   "--timeout; the worker was stopped",
                                   location=driver.options.path)
            return None
        for event in driver.wait_events(0.1):
            if isinstance(event, p.Loaded):
                return event
            if isinstance(event, p.Died):
                result.died = event
                return None
            if isinstance(event, p.Error):
                if event.kind == "warning":  # e.g. the script's DEVICE fell back to the CPU
                    cb.warning(event)
                    continue
                result.error = event
                return None
            if isinstance(event, p.Output):
                cb.output(event)


def _collect(driver: Driver, result: RecordResult, cb: Callbacks, deadline: float | None,
             interrupt: Interrupt | None) -> None:
    """Read events until the run finishes, fails, dies, passes the deadline or is
    interrupted (then until the stopped worker has sent what it had)."""
    stopping = False
    while True:
        if interrupt is not None and interrupt.signal is not None:
            if result.interrupted is None:
                result.interrupted = interrupt.signal
                stopping = True
                driver.stop()
            elif interrupt.count > 1:  # asked twice: do not wait for the script
                driver.kill()
        if deadline is not None and not stopping and time.monotonic() >= deadline:
            stopping = result.timed_out = True
            driver.stop()
        for event in driver.wait_events(0.1):
            try:
                done = _handle(event, result, cb, stopping)
            except SinkError as exc:  # the capture could not be saved (a full disk):
                result.write_error = exc.error  # end the run rather than lose the rest
                driver.kill()
                return
            if done:
                return


def _handle(event: Any, result: RecordResult, cb: Callbacks, stopping: bool) -> bool:
    """Apply one event to the result; True when the recording is over."""
    if isinstance(event, p.Captured):
        _captured(event, result)
    elif isinstance(event, p.Loss):
        result.losses.append(event.value)
        result.iterations = max(result.iterations, event.iteration + 1)
        cb.progress(event.iteration + 1, event.value)
    elif isinstance(event, p.Output):
        cb.output(event)
    elif isinstance(event, p.Finished):
        result.iterations = event.iteration
        return True
    elif isinstance(event, p.Status):
        result.iterations = max(result.iterations, event.iteration)
        return stopping and event.state == p.IDLE
    elif isinstance(event, p.Error):
        if event.kind in ("warning", "internal"):  # an internal failure that ends the
            cb.warning(event)                       # worker is followed by Died
            return False
        if event.kind in ("killed", "stopped") and stopping:
            return False  # the stop had to kill: Died follows
        result.error = event
        return True
    elif isinstance(event, p.LinkLost):  # Died follows and ends the recording
        cb.warning(p.Error("warning", f"the link to the host was lost: {event.reason}"))
    elif isinstance(event, p.Died):
        if not stopping:
            result.died = event
        return True
    return False


class SinkError(Exception):
    """The sink failed to take a capture; `error` is what it raised."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _captured(event: p.Captured, result: RecordResult) -> None:
    """Hand the capture to the sink; keep only its count and a first NaN/Inf origin."""
    capture = event.capture
    try:
        result.session.add(capture)
    except Exception as exc:
        raise SinkError(exc) from exc
    result.captured += 1
    result.iterations = max(result.iterations, event.iteration + 1)
    health = getattr(capture, "health", None)
    origin = health.first_nonfinite if health is not None else None
    if origin is not None and result.first_nonfinite is None:
        result.first_nonfinite = (capture.index, origin)
