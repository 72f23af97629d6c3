"""The worker process: loads the model script, runs `step(i)` on command, streams events.

A reader thread takes commands off the pipe into a queue and raises the stop flag at once, so
Stop reaches user code at its next op even while the main thread is busy; everything else is
handled by the main thread between iterations, or inside the engine hook in step mode.
"""

from __future__ import annotations

import queue
import sys
import time
import traceback
from typing import Any

from app.runner import protocol as p
from app.runner import recording, torch_alias, warnings_filter
from app.runner.lifetime import CLEANUP, clean_up, end_group, readable
from app.runner.measures import loss_value, memory_in_use
from app.runner.outbox import Outbox
from app.runner.output import LineWriter
from app.runner.plain import PlainScript, ScriptEnded
from app.runner.script import Script, ScriptError, exception_error, load, set_device
from app.runner.sources import SourceSender
from app.runner.stepping import BACKWARD, FORWARD, Controller, StopRequested
from app.runner.stop_report import install_dump, stopped_error
from app.runner.threads import effective_threads
from app.runner.warm import warm
from app.runner.worker_link import CommandReader, devices, hostname


def main(commands: Any, events: Any, options: p.WorkerOptions) -> None:
    """Entry point of the spawned worker process."""
    install_dump(options.dump_fd)  # Stop's last resort asks where a stuck script is
    if options.cleanup_dir:
        CLEANUP.append(options.cleanup_dir)
    worker = Worker(commands, events, options)
    worker.install_output()
    warnings_filter.install()
    try:
        worker.serve()
    except BaseException as exc:
        # A bug of ours, not the user's: say so on the real stderr and to the driver.
        traceback.print_exc(file=sys.__stderr__)
        worker.send(p.Error("internal", f"the runner failed: {type(exc).__name__}: {exc}",
                            details=traceback.format_exc()))
        raise
    finally:
        worker.close()
        clean_up()
        if worker.orphaned:
            end_group()


class Worker:
    """The state machine of one worker process (see `protocol` for states and messages)."""

    def __init__(self, commands: Any, events: Any, options: p.WorkerOptions) -> None:
        self.outbox = Outbox(events, keep_captures=options.keep_captures)
        # Our own writers, flushed directly: the script may rebind or clear sys.stdout.
        self.stdout = LineWriter("stdout", self.send)
        self.stderr = LineWriter("stderr", self.send)
        # Every capture reaches the pipe before the next iteration starts (a crash then
        # loses none); a viewer that thins its backlog to a window keeps the batching.
        self.flush_captures = options.keep_captures is None
        self.options = options
        self.queue: queue.Queue = queue.Queue()
        self.controller = Controller(self._pause_in_hook)
        self.controller.warm = self._warm
        self.device = options.device
        self._take_recording(options.record, options.every)
        self.script: Script | PlainScript | None = None
        self.rec: Any = recording.NullRecording()
        self.state = p.LOADING
        self.iteration = 0            # completed iterations since load
        self.remaining: int | None = None   # iterations left in a Run(n); None: until paused
        self.run_started = 0.0
        self._run_start_iteration = 0
        self.rate = 0.0
        self.last_status = 0.0
        self.pending: Any = None      # a command that ended step mode and must run next
        self.recording_stale = False  # SetRecording arrived mid-iteration
        self.quit = False
        self.commands = commands
        self.stop_command: Any = None  # the Stop or Shutdown that raised the stop flag
        self.threads = effective_threads(options.threads)
        self.sources = SourceSender() if options.remote else None
        self.reader = CommandReader(commands, self.queue, self.send, self._on_stop,
                                    options.watchdog)

    # ------------------------------------------------------------------ plumbing
    def send(self, event: Any) -> None:
        self.outbox.put(event)

    @property
    def orphaned(self) -> bool:
        """The driver went away without a Shutdown."""
        return self.reader.orphaned

    def _on_stop(self, cmd: Any) -> None:
        """The reader thread got Stop or Shutdown: flag it for the hook at once."""
        self.stop_command = cmd
        self.controller.stop_requested = True

    def status(self, state: str | None = None) -> None:
        if state is not None:
            self.state = state
        self.last_status = time.perf_counter()
        self.send(p.Status(self.state, self.iteration, self.rate, self.device or "cpu",
                           memory_in_use(self.device), self.threads))

    def close(self) -> None:
        self._close_script()
        self.rec.close()
        self.flush_output()
        self.outbox.close()

    def _close_script(self) -> None:
        if self.script is not None:
            self.script.close()  # a plain script waiting between iterations ends there
        self.script, self.controller.plain = None, None

    def install_output(self) -> None:
        """Forward the script's print() output line by line as Output events."""
        sys.stdout, sys.stderr = self.stdout, self.stderr

    def flush_output(self) -> None:
        """Send partial lines the script printed (through our writers, not sys.stdout)."""
        self.stdout.flush()
        self.stderr.flush()

    # ------------------------------------------------------------------ loading
    def load(self) -> None:
        """(Re)load the script on the chosen device; failures become events, never raise."""
        self.rec.close()
        self.rec = recording.NullRecording()
        self._close_script()
        self.iteration, self.remaining, self.rate = 0, None, 0.0
        self.controller.mode = None
        self.install_output()  # a previous load may have rebound sys.stdout
        self.status(p.LOADING)
        try:
            self.device = set_device(self.device, self.options.path, self.send)
            self.script = load(self.options.path, self.options.args)
            self.controller.plain = getattr(self.script, "boundaries", None)
        except ScriptError as exc:
            self.send(exc.error)
            self.status(p.ERROR)
            return
        except StopRequested as exc:  # Stop (or Shutdown) arrived while the script loaded
            self.controller.stop_requested = False
            where = stopped_error(exc.__traceback__, self.options.path)
            at = f" at {where.location}" if where.location else ""
            self.send(p.Error("script", f"loading was stopped{at} before the script "
                              "finished; restart to load it again",
                              location=where.location or self.options.path,
                              details=where.details))
            self.status(p.ERROR)
            return
        finally:
            self.flush_output()
        self._new_recording()
        self.send(p.Loaded(self.options.path, self.device or "cpu", self.script.iterations,
                           type(self.script.model).__name__, hostname(), devices()))
        self.status(p.IDLE)

    # ------------------------------------------------------------------ main loop
    def serve(self) -> None:
        from autograd_core import hooks

        hooks.set_observer(self.controller)  # for the whole life of the worker
        torch_alias.install()  # `import torch` in the script runs on autograd_core
        self.load()
        while not self.quit:
            if self.state == p.RUNNING:
                self._drain()
                if self.state == p.RUNNING and not self.quit:
                    self._iterate()
            else:
                self._handle(self.queue.get())

    def _drain(self) -> None:
        if self.queue.empty() and readable(self.commands):
            # A command is on its way through the reader thread, which waits for the GIL
            # (three turns of 5 ms while a script prints flat out): take it before the next
            # iteration, so Pause lets at most the current one finish.
            self.reader.wait_taken(0.1)
        while True:
            try:
                cmd = self.queue.get_nowait()
            except queue.Empty:
                return
            self._handle(cmd)

    def _handle(self, cmd: Any) -> None:
        """Apply one command between iterations."""
        if isinstance(cmd, p.Shutdown):
            self.quit = True
        elif isinstance(cmd, p.Stop):
            self.controller.stop_requested = False
            if self.script is not None:  # a plain script ends (it would, mid-iteration)
                self.script.close()
            self._set_mode(None)
            self.remaining = None
            self.status(p.IDLE if self.script is not None else p.ERROR)
        elif isinstance(cmd, p.Restart):
            self.load()
        elif isinstance(cmd, p.SetDevice):
            self.device = cmd.device
            self.load()
        elif isinstance(cmd, p.SetRecording):
            self._set_recording(cmd)
        elif self.script is None:
            self.send(p.Error("script", "the script is not loaded; fix it and restart",
                              location=self.options.path))
            self.status(p.ERROR)
        elif isinstance(cmd, p.Pause):
            if self.state == p.RUNNING:
                self.status(p.IDLE)
        elif isinstance(cmd, p.Run):
            self._start_run(cmd.iterations)
        elif isinstance(cmd, p.StepForward | p.StepBackward):
            self._set_mode(FORWARD if isinstance(cmd, p.StepForward) else BACKWARD)
            self.remaining = 0  # after this iteration, stay idle
            self._iterate()

    def _take_recording(self, level: str, every: int) -> None:
        """Remember a recording setting; the next `_new_recording` applies it."""
        self.level, self.every = level, max(1, every)

    def _set_recording(self, cmd: p.SetRecording) -> None:
        self._take_recording(cmd.level, cmd.every)
        self._new_recording()
        self.status()

    def _new_recording(self) -> None:
        """A fresh recorder (after a setting change, or when an iteration was cut short and
        the old one may hold half an iteration's module stack)."""
        self.rec.close()
        if self.script is None:
            self.rec = recording.NullRecording()
            return
        self.rec = recording.make(self.script.model, self.level, self.every, self.threads)
        self.controller.inner = self.rec.start()
        self.controller.record_of = self.rec.latest

    def _start_run(self, iterations: int | None) -> None:
        if iterations is not None and iterations <= 0:
            self.status()
            return
        self.remaining = iterations
        self.run_started = time.perf_counter()
        self._run_start_iteration = self.iteration
        self.status(p.RUNNING)

    # ------------------------------------------------------------------ one iteration
    def _iterate(self) -> None:
        """Run step(i) once, recording it; reports loss/capture or the error."""
        assert self.script is not None
        if self.recording_stale:
            self.recording_stale = False
            self._new_recording()
        i = self.iteration
        self.controller.begin_iteration(i)
        self.rec.begin(i)
        started = time.perf_counter()
        paused = self.controller.paused_ns  # step-mode waits are not the iteration's time
        try:
            result = self.script.step(i)
            loss = loss_value(result)
        except StopRequested as exc:
            self._stopped(exc, i)
            return
        except ScriptEnded as exc:  # a plain script has no iteration left
            self._ended(exc)
            return
        except BaseException as exc:  # sys.exit, Ctrl-C, any exception: the user's, not ours
            self._failed(exc, i)
            return
        finally:
            self.flush_output()
        self.iteration += 1
        capture = self._end_recording(i, loss)
        if loss is not None:
            self.send(p.Loss(i, loss))
        if capture is not None:
            for source in self.sources.events(capture) if self.sources else ():
                self.send(source)
            self.send(p.Captured.of(i, capture))
            if self.flush_captures:
                self.outbox.flush()
        waited = (self.controller.paused_ns - paused) / 1e9
        self._after_iteration(time.perf_counter() - started - waited)

    def _end_recording(self, i: int, loss: float | None) -> Any:
        """The iteration's capture; a failing recorder is reported and switched off, so a
        recording bug never costs the user their run."""
        try:
            return self.rec.end(i, loss)
        except Exception as exc:
            self.send(p.Error("internal", f"recording failed, continuing without it: "
                              f"{type(exc).__name__}: {exc}", details=traceback.format_exc(),
                              iteration=i))
            self.level = "none"
            self._new_recording()
            return None

    def _after_iteration(self, elapsed: float) -> None:
        self._set_mode(None)
        self.rate = 1.0 / elapsed if elapsed > 0 else 0.0
        if self.state == p.RUNNING and self.iteration > self._run_start_iteration:
            self.rate = (self.iteration - self._run_start_iteration) / max(
                time.perf_counter() - self.run_started, 1e-9)
        if self.remaining is not None:
            self.remaining -= 1 if self.remaining > 0 else 0
        pending, self.pending = self.pending, None
        if self.remaining == 0 or self.state != p.RUNNING:
            self.send(p.Finished(self.iteration, elapsed))
            self.status(p.IDLE)
        elif time.perf_counter() - self.last_status >= self.options.status_interval:
            self.status()
        if pending is not None:
            self._handle(pending)

    def _stopped(self, exc: StopRequested, i: int) -> None:
        """The iteration was abandoned; the Stop (queued, or pending from step mode) acks.
        A user's Stop is reported with the script's line it interrupted."""
        self._cut_short()
        self.state = p.IDLE
        pending, self.pending = self.pending, None
        why = pending if pending is not None else self.stop_command
        if isinstance(why, p.Stop):
            self.send(stopped_error(exc.__traceback__, self.options.path, iteration=i))
        if pending is not None:
            self._handle(pending)

    def _ended(self, exc: ScriptEnded) -> None:
        self._cut_short()  # what ran after its last iteration is no iteration
        self.send(p.Error("warning", f"{self.options.path}: the script {exc.why} after "
                          f"{exc.iterations} iterations (Restart, or a new run, starts it "
                          "from the top)", location=self.options.path))
        self.send(p.Finished(self.iteration, 0.0))
        self.status(p.IDLE)

    def _failed(self, exc: BaseException, i: int) -> None:
        self._cut_short()
        self.send(exception_error(exc, self.options.path, iteration=i))
        self.status(p.IDLE)

    def _cut_short(self) -> None:
        """After an iteration that did not finish: out of step mode, no run left, a fresh
        recorder."""
        self._set_mode(None)
        self._new_recording()
        self.remaining = None

    # ------------------------------------------------------------------ step mode
    def _set_mode(self, mode: str | None) -> None:
        self.controller.mode = mode
        self.rec.stepping(mode is not None)

    def _warm(self, values: tuple) -> None:
        """After a step-mode pause: warm the caches for the next op (never fails the run)."""
        try:
            model = self.script.model if self.script is not None else None
            params = getattr(model, "parameters", None)
            warm(values, params() if callable(params) else ())
        except Exception:  # a warm-up is an optimisation: a model it cannot read loses it
            pass

    def _pause_in_hook(self, stepped: p.Stepped) -> None:
        """Called by the Controller inside the engine hook: report, then block for a command."""
        self.send(stepped)
        if self.state != p.STEPPING:
            self.status(p.STEPPING)
        while True:
            cmd = self.queue.get()
            if isinstance(cmd, p.StepForward):
                self._set_mode(FORWARD)
            elif isinstance(cmd, p.StepBackward):
                self._set_mode(BACKWARD)
            elif isinstance(cmd, p.FinishIteration):
                self._set_mode(None)
            elif isinstance(cmd, p.Run):
                self._set_mode(None)
                self._start_run(cmd.iterations)
            elif isinstance(cmd, p.SetRecording):
                # Not mid-iteration: the new recorder starts with the next iteration.
                self._take_recording(cmd.level, cmd.every)
                self.recording_stale = True
                continue
            elif isinstance(cmd, p.Pause):
                continue
            else:  # Stop, Restart, SetDevice, Shutdown: abandon this iteration first
                self.pending = cmd
                raise StopRequested
            self.state = p.RUNNING if isinstance(cmd, p.Run) else p.STEPPING
            return
