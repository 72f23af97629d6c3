"""RunnerAdapter: connects a `app.runner.Driver` to the Qt event loop. A QSocketNotifier on the
driver's event pipe wakes us when events arrive (or the worker dies); a slow QTimer covers the
driver's stop deadline and anything a notifier could miss. Nothing here blocks the event loop:
each pump reads for at most `PUMP_BUDGET_S` and queues another pump for the rest, so a backlog
from a fast run is worked off between paints and input events.

Events belong to one run. A new driver starts a new run by itself; a Restart or a device change
reuses the driver, so until the worker announces the new load (`Status(LOADING)`) whatever the
pipe still holds of the old run (its last captures, losses, output, the Stop's answer) is
dropped rather than shown in the new one."""

from __future__ import annotations

import os
import sys
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal

from app.runner import Driver
from app.runner import protocol as p
from app.ui.session_model import CAPTURE_WINDOW, SessionModel

PUMP_BUDGET_S = 0.008  # reading time per pump; the rest waits for the next turn of the loop


class RunnerAdapter(QObject):
    """Owns the worker of the open script and feeds its events to `model`."""

    started = Signal(str)   # script path

    def __init__(self, model: SessionModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.driver: Driver | None = None
        self.threads: int | None = None  # BLAS/OpenMP threads for new workers (None: default)
        # The command line's own arguments of a script (`gradscope train.py -- --lr 0.1`),
        # by absolute path: a script opened later from the menu gets none.
        self.script_args: dict[str, list[str]] = {}
        self._awaiting_load = False  # a restart is under way: drop the old run's events
        self._notifier: QSocketNotifier | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._repump = QTimer(self)  # a zero-timeout single shot: the backlog's next slice
        self._repump.setSingleShot(True)
        self._repump.setInterval(0)
        self._repump.timeout.connect(self._on_timer_timeout)

    @property
    def alive(self) -> bool:
        return self.driver is not None and self.driver.alive

    @property
    def remote(self) -> Any:
        """The open worker's `RemoteTarget`, None for a local one (or none)."""
        return getattr(self.driver, "remote", None)

    def link_health(self) -> Any:
        """The driver's `LinkHealth` (None without a driver, or a runner without it)."""
        health = getattr(self.driver, "link_health", None)
        return None if health is None else health()

    def backlogged(self) -> bool:
        """Whether events wait unread after a pump (the window falls behind the worker)."""
        return self.driver is not None and self.driver.pending()

    def open(self, path: str, device: str | None = None, record: str = "basic",
             remote: Any = None) -> None:
        """Start a worker on `path` (closing any previous one); with `remote` (a
        `RemoteTarget`) the worker runs on that host and `path` is a path there."""
        self.close()
        # The window holds CAPTURE_WINDOW captures: a backlog's older ones need not travel.
        args = self.script_args.get(path if remote is not None else os.path.abspath(path), [])
        self.driver = _new_driver(path, device, record, self.threads, args, remote)
        self.driver.batch_output = True  # the output view takes printed lines a batch at once
        self._awaiting_load = False
        self.driver.start()
        self._watch()
        self.started.emit(path)

    def _watch(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
        self._notifier = QSocketNotifier(self.driver.fileno(), QSocketNotifier.Read, self)
        self._notifier.activated.connect(self._on_notifier_activated)
        self._timer.start()
        self._repump.start()  # whatever arrived before the notifier existed

    def close(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        self._timer.stop()
        self._repump.stop()
        if self.driver is not None:
            self.driver.close()
            self.driver = None

    # ------------------------------------------------------------------ commands
    def send(self, name: str, *args) -> None:
        """Call a driver command by name (run, pause, step_forward, ...); restarts re-watch."""
        if self.driver is None:
            return
        if name == "restart":
            self.restart()
            return
        if name == "set_device":
            self._awaiting_load = True  # the worker reloads the script on the new device
        was_alive = self.driver.alive
        getattr(self.driver, name)(*args)
        if not was_alive and self.driver.alive:  # the driver started a fresh worker
            self._watch()

    def restart(self) -> None:
        if self.driver is None:
            return
        was_dead = not self.driver.alive
        # A dead worker's pipes go with it: all a fresh one sends is the new run's (its
        # failure to start too, such as a host that is still unreachable).
        self._awaiting_load = not was_dead
        self.driver.restart()
        if was_dead:  # a fresh process: new pipes
            self._watch()

    # ------------------------------------------------------------------ events
    def _on_notifier_activated(self, *args) -> None:
        self.pump()

    def _on_timer_timeout(self) -> None:
        self.pump()

    def pump(self, budget: float | None = PUMP_BUDGET_S) -> None:
        """Hand the events available now to the model: those read within `budget` seconds
        (None: all), with another pump queued for the rest."""
        driver = self.driver
        if driver is None:
            return
        for event in driver.poll_events(budget):
            if self._awaiting_load and self._is_stale(event, driver):
                if isinstance(event, p.Died):
                    self._on_driver_died()  # the respawned worker has new pipes
                continue
            try:
                self.model.apply(event)
            except Exception:  # a failing view must not cost the events read with this one
                sys.excepthook(*sys.exc_info())
            if isinstance(event, p.Died):
                self._on_driver_died()
        if self.driver is driver and driver.pending():
            self._repump.start()

    def _is_stale(self, event: object, driver: Driver) -> bool:
        """While a restart is under way: whether `event` is the old run's (the new run's
        first event is its Status(LOADING); a death that left no worker is real)."""
        if isinstance(event, p.Status) and event.state == p.LOADING:
            self._awaiting_load = False
            return False
        if isinstance(event, p.Died) and not driver.alive:
            self._awaiting_load = False
            return False
        return True

    def _on_driver_died(self) -> None:
        """Stop watching the dead pipe (at EOF it would wake us forever); when the driver has
        already respawned the worker (restart after a kill), watch the new one."""
        if self.driver is not None and self.driver.alive:
            self._watch()
        elif self._notifier is not None:
            self._notifier.setEnabled(False)


def _new_driver(path: str, device: str | None, record: str, threads: int | None,
                args: list[str], remote: Any = None) -> Driver:
    """A Driver for `path` (on `remote` when set); `threads` is passed only when set and the
    Driver takes it."""
    kwargs: dict = {} if threads is None else {"threads": threads}
    if args:
        kwargs["args"] = args
    if remote is not None:  # a remote target is never dropped: that would run it here
        return Driver(path, device=device, record=record, keep_captures=CAPTURE_WINDOW,
                      remote=remote, **kwargs)
    try:
        return Driver(path, device=device, record=record, keep_captures=CAPTURE_WINDOW, **kwargs)
    except TypeError:  # a runner without the threads option
        return Driver(path, device=device, record=record, keep_captures=CAPTURE_WINDOW)
