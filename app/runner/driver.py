"""The parent's handle on a worker: start it, send commands, read events without blocking.

`Driver.poll_events()` never blocks; `fileno()` is the event pipe's descriptor (readable when
events arrive and at EOF when the worker dies), for `select` or a `QSocketNotifier` (disable
the notifier after `Died`: the descriptor stays readable at EOF). Stop asks politely and kills
after `stop_grace` seconds, checked on the next poll (`poll_due_in()` says when one is due);
a dead worker is reported once as `Died`.

Example:
    driver = Driver("model.py", record="off")
    driver.start()
    driver.run(10)
    while driver.alive:
        for event in driver.wait_events(0.1):
            print(event)
"""

from __future__ import annotations

import contextlib
import os
import signal as signals
import subprocess
import sys
import time
from multiprocessing.connection import wait
from typing import Any

from app.runner import protocol as p
from app.runner.driver_commands import Commands
from app.runner.link import LinkMonitor
from app.runner.link_end import ended_events, start_failed
from app.runner.pipes import died_event, pidfd, refused_error
from app.runner.remote import RemoteError, RemoteTarget, upload
from app.runner.stop_report import StackDump, killed_error, where_stuck
from app.runner.threads import DEFAULT_THREADS
from app.runner.transport import spawn_local, spawn_remote

_ACTIVE = (p.RUNNING, p.STEPPING)
# What starts a worker (its two descriptors are appended); tests put a fake worker here.
WORKER_COMMAND = [sys.executable, "-m", "app.runner"]
WATCHDOG = 15.0  # seconds a remote worker lives on without hearing from us


class Driver(Commands):
    """A worker process running one model script.

    Args:
        path: the model script.
        device: 'cpu', 'cuda', or None for the script's DEVICE (else the CPU).
        record: recording level, 'off', 'basic' or 'full'.
        every: record one iteration in every `every`.
        stop_grace: seconds Stop waits for an answer before killing the worker.
        keep_captures: a viewer's capture window: when the driver falls behind, the worker
            sends only the newest `keep_captures` captures of its backlog (losses and status
            always arrive). None (the default) sends every capture.
        relay_output: give the worker pipes for its own stdout and stderr (what native code
            and subprocesses write; print() travels as `Output` events) and copy them to
            ours from threads, so no process the script starts ever holds our stdout: a
            pipeline like `gradscope record ... | tee log` ends when we do. False (the
            default): the worker shares our descriptors.
        threads: BLAS/OpenMP threads for the worker's ops, set in its environment before
            numpy loads (default 1, see `app.runner.threads`); 0: the libraries' default.
        args: the script's own command-line arguments (its `sys.argv[1:]`, for argparse).
        remote: run the worker on another machine through `ssh` (`path` is then a path
            there, or a local file copied there when `remote.upload`); None: locally.

    Printed lines arrive as one `Output` event per line; a reader that handles
    `OutputBatch` events itself (a window) sets `batch_output` and gets them unsplit.
    """

    def __init__(self, path: str, device: str | None = None, record: str = "basic",
                 every: int = 1, stop_grace: float = 1.0, keep_captures: int | None = None,
                 relay_output: bool = False, threads: int = DEFAULT_THREADS,
                 args: list[str] | tuple[str, ...] = (),
                 remote: RemoteTarget | None = None) -> None:
        if record not in p.RECORD_LEVELS:
            raise ValueError(f"record must be one of {p.RECORD_LEVELS}, not {record!r}")
        if threads < 0:
            raise ValueError(f"threads must be 0 (the libraries' default) or more, not {threads}")
        self.options = p.WorkerOptions(path=str(path), device=device, record=record,
                                       every=every, keep_captures=keep_captures,
                                       threads=threads, args=list(args),
                                       remote=remote is not None,
                                       watchdog=WATCHDOG if remote is not None else None)
        self.remote = remote
        self.link = LinkMonitor()
        self._script = str(path)  # the local file an upload copies
        self.stop_grace = stop_grace
        self.relay_output = relay_output
        self.state = p.DEAD
        self.process: Any = None
        self._commands: Any = None
        self._events: Any = None
        self._stop_deadline: float | None = None
        self._restart_after_stop = False
        self._died_reported = True
        self._sentinel: int | None = None
        self._group: int | None = None  # the worker's process group, until we have ended it
        self._eof = False  # the worker closed its end (the descriptor stays readable)
        self._dump: StackDump | None = None  # where a stuck worker writes its stacks
        self._stop_killed = False  # the last kill was Stop's, after the grace period
        self.bytes_received = 0  # event bytes read so far (for status bars and benchmarks)
        self.batch_output = False  # True: printed lines stay in their OutputBatch events
        self._refused: str | None = None  # why the worker's stream was refused, if it was
        # What starts the worker: the ssh command line remotely (tests replace either).
        self.worker_command = remote.worker_command() if remote else list(WORKER_COMMAND)
        self._stderr: Any = None  # ssh's stderr tail (remote)
        self._heard = False  # a frame came from this worker (the link was up)
        self._ending = False  # we asked the worker to end (no LinkLost then)
        self._failed: list[Any] = []  # events of a start that failed before any process

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Spawn the worker; it loads the script and reports `Loaded` or an `Error`.

        A fresh interpreter (`python -m app.runner`), never a fork: the GUI process holds Qt
        and CUDA state, and unlike multiprocessing's spawn it never re-imports our `__main__`.
        It leads its own session and process group: a terminal's Ctrl-C reaches only us (we
        decide how the worker ends), and ending the worker ends every process its script
        forked, so none survives holding our stdout (`gradscope record ... | tee` ends).
        """
        self._close_dump()
        self.link.reset()
        self._heard = self._ending = False
        if self.remote is None:
            self._dump = StackDump()
            self.options.dump_fd = self._dump.fd
            spawned = spawn_local(self.worker_command, self.options.threads,
                                  self.relay_output, self._dump.fd)
        else:
            self.options.dump_fd = None
            if self.remote.upload:
                try:
                    self.options.path, self.options.cleanup_dir = upload(self.remote,
                                                                         self._script)
                except (RemoteError, OSError) as exc:
                    self._failed = start_failed(self.remote, exc)
                    self.state = p.DEAD
                    return
            spawned = spawn_remote(self.worker_command, self.relay_output)
        self.process, self._stderr = spawned.process, spawned.stderr
        self._commands, self._events = spawned.commands, spawned.events
        self._refused = None
        self._sentinel = pidfd(self.process.pid)
        self._group = self.process.pid
        with contextlib.suppress(OSError):  # ssh failed at once: its exit says why
            self._commands.send(self.options)
        self.state = p.LOADING
        self._stop_deadline = None
        self._died_reported = False
        self._eof = False
        self._stop_killed = False

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def fileno(self) -> int:
        """The event pipe's descriptor: readable on events and on the worker's death."""
        return self._events.fileno()

    def kill(self) -> None:
        """End the worker and every process of its group now (SIGKILL); the next poll
        reports `Died`."""
        if self.process is None:
            return
        self._ending = True
        self._kill_group()
        if self.alive:
            self.process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(2.0)
        self._stop_deadline = None

    def _kill_group(self) -> None:
        """SIGKILL the worker's process group: what the script forked dies with it.

        The group keeps its id while any member lives, so this is safe right after the
        worker is reaped. It is done once: later, an empty group's id could be reused.
        """
        group, self._group = self._group, None
        if group is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signals.SIGKILL)

    def close(self) -> None:
        """Ask the worker to exit, kill it if it does not, and release the pipes."""
        if self.process is None:
            return
        self._failed = []
        if self.alive:
            self._ending = True
            self._send(p.Shutdown())
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(1.0)
        self.kill()  # also when it exited: processes it forked may still hold our pipes
        for conn in (self._commands, self._events):
            conn.close()
        if self._sentinel is not None:
            os.close(self._sentinel)
            self._sentinel = None
        self._close_dump()
        self.process = None
        self.state = p.DEAD

    def _close_dump(self) -> None:
        if self._dump is not None:
            self._dump.close()
            self._dump = None

    def __enter__(self) -> Driver:
        if self.process is None:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ commands
    def send(self, command: Any) -> None:
        """Send any protocol command (see `protocol`); Stop starts the kill timer."""
        if isinstance(command, p.Stop):
            self.stop()
        elif isinstance(command, p.Restart):
            self.restart()
        else:
            self._send(command)

    def stop(self) -> None:
        """Ask the script to stop at its next op; kill the worker if it has not answered
        within `stop_grace` seconds (checked by `poll_events`/`wait_events`)."""
        if self._send(p.Stop()) and self._stop_deadline is None:
            self._stop_deadline = time.monotonic() + self.stop_grace

    def restart(self) -> None:
        """Reload the script: in place when the worker is idle, after a stop when it is busy,
        or in a fresh process when it is dead."""
        if not self.alive:
            self._respawn()
        elif self.state in _ACTIVE or self._stop_deadline is not None:
            self._restart_after_stop = True
            self.stop()
        else:
            self._send(p.Restart())

    def _respawn(self) -> None:
        if self.process is not None:
            self.close()
        self._restart_after_stop = False
        self.start()

    # ------------------------------------------------------------------ events
    def poll_events(self, budget: float | None = None) -> list[Any]:
        """Events available now, without blocking (a `Died` last if the worker ended).

        Args:
            budget: seconds of reading after which the call returns what it has, leaving
                the rest in the pipe (`pending()` says so; the descriptor stays readable).
                A GUI passes a few milliseconds so a backlog never stalls its event loop.
        """
        if self._failed:
            events, self._failed = self._failed, []
            return events
        events = self._read_available(budget)
        self._check_stop_deadline(events)
        if self.process is not None and not self._died_reported and not self.alive \
                and not self.pending():
            events.extend(self._died())  # only once everything it sent has been read
        else:
            self._ping()
        return events

    def pending(self) -> bool:
        """Whether events are waiting in the pipe (a budgeted poll left some)."""
        conn = self._events
        if conn is None or conn.closed or self._eof:
            return False
        try:
            return conn.poll()
        except (EOFError, OSError):
            return False

    def poll_due_in(self) -> float | None:
        """Seconds until `poll_events` must run even without events (Stop's kill deadline),
        or None. A GUI polling only on `fileno()` readiness arms a timer for this."""
        if self.process is None or self._died_reported:
            return None
        due = self.link.due_in()
        if self._stop_deadline is not None:
            due = min(due, self._stop_deadline - time.monotonic())
        return max(0.0, due)

    def wait_events(self, timeout: float) -> list[Any]:
        """Block up to `timeout` seconds for events (or death), then `poll_events()`."""
        if self._failed:
            return self.poll_events()
        if self.process is None or self._died_reported:
            return []
        due = self.poll_due_in()
        if due is not None:
            timeout = min(timeout, due)
        if self.pending():
            timeout = 0.0  # a budgeted poll left whole frames in our buffer
        ready = [self._events] + ([self._sentinel] if self._sentinel is not None else [])
        # Without a pidfd, a death still shows as EOF on the event pipe.
        wait(ready, timeout)
        return self.poll_events()

    def _read_available(self, budget: float | None = None) -> list[Any]:
        events: list[Any] = []
        conn = self._events
        if conn is None or conn.closed:
            return events
        before = conn.reader.bytes_read
        for event in conn.read(budget):
            if type(event) is p.OutputBatch and not self.batch_output:
                events.extend(event.outputs())
            else:
                events.append(event)
        got = conn.reader.bytes_read - before
        self.bytes_received += got
        self.link.received(got)
        self._heard = self._heard or got > 0
        if conn.refused is not None and self._refused is None:
            self._refuse(conn.refused, events)
        if conn.reader.eof and not self._eof:
            self._eof = True
            # The worker closed its end: it is exiting. Reap it so Died is reported now,
            # not on a later poll (the descriptor stays readable at EOF).
            if self.process is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(1.0)
        kept = []
        for event in events:
            if type(event) is p.Pong:
                self.link.pong(event.t)
                continue
            if self._restart_after_stop and isinstance(event, p.Error) \
                    and event.kind == "stopped":
                continue  # Restart, not the user's Stop, ended the iteration: it reloads now
            self._track(event)
            kept.append(event)
        return kept

    def _refuse(self, why: str, events: list[Any]) -> None:
        """The worker sent something that is not our protocol: untrusted input, so read no
        more of it and end the worker (and its group); `Died` then names why."""
        self._refused = why
        self._eof = True
        self._stop_deadline = None
        self._restart_after_stop = False
        events.append(refused_error(why))
        self.kill()

    def _track(self, event: Any) -> None:
        if isinstance(event, p.Status):
            self.state = event.state
            if self._stop_deadline is not None and event.state not in _ACTIVE:
                self._stop_deadline = None
                if self._restart_after_stop:
                    self._restart_after_stop = False
                    self._send(p.Restart())

    def _check_stop_deadline(self, events: list[Any]) -> None:
        """Past Stop's grace period: ask the worker where it is stuck, then kill it."""
        if self._stop_deadline is None or time.monotonic() < self._stop_deadline:
            return
        where = None
        if self._dump is not None and self.alive:
            where = where_stuck(self._dump.request(self.process.pid), self.options.path)
        self.kill()
        self._stop_killed = True
        if not self._restart_after_stop:  # a Restart reloads at once: nothing to report
            events.append(killed_error(where, self.stop_grace))

    def _died(self) -> list[Any]:
        self._died_reported = True
        try:
            code = self.process.wait(1.0)
        except subprocess.TimeoutExpired:
            code = None
        self.state = p.DEAD
        self._kill_group()  # what its script forked is orphaned user code
        restart = self._restart_after_stop
        event = died_event(code)
        if self._stop_killed:  # not a crash: Stop ended it (the `stopped` Error says where)
            event.message = "the worker was ended by Stop"
        if self._refused is not None:
            event.message = f"the connection to the worker was closed: {self._refused}"
        events: list[Any] = [event]
        if self.remote is not None and self._refused is None:
            tail = self._stderr.text(wait=1.0) if self._stderr is not None else ""
            events = ended_events(self.remote, code, tail, self._heard,
                                  self._ending or self._stop_killed)
        if restart:
            self._respawn()
        return events
