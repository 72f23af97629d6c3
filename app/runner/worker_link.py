"""The worker's side of the link: the command reader thread (answering pings at once, raising
the stop flag for Stop), the watchdog of a remote worker, and what `Loaded` says of the
machine (its hostname and usable devices)."""

from __future__ import annotations

import functools
import importlib.util
import queue
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from app.runner import protocol as p
from app.runner.lifetime import GONE, ORPHAN_GRACE, end_group, exit_later, note_gone, readable

__all__ = ["CommandReader", "devices", "hostname"]


class CommandReader:
    """Reads commands into `queue` on a daemon thread; a `Ping` is answered with a `Pong`
    from this thread (a busy step thread does not delay it) and never queued.

    Args:
        on_stop: called with a Stop or Shutdown as it arrives (before it is queued).
        watchdog: seconds without any command before the process ends itself (None: never).
    """

    def __init__(self, commands: Any, commands_queue: queue.Queue,
                 send: Callable[[Any], None], on_stop: Callable[[Any], None],
                 watchdog: float | None = None) -> None:
        self.commands = commands
        self.queue = commands_queue
        self.send = send
        self.on_stop = on_stop
        self.orphaned = False  # the driver went away without a Shutdown
        self.last_heard = time.monotonic()
        self._taken = threading.Condition()
        threading.Thread(target=self._read, daemon=True, name="gradscope-commands").start()
        if watchdog is not None:
            threading.Thread(target=self._watch, args=(watchdog,), daemon=True,
                             name="gradscope-watchdog").start()

    def _read(self) -> None:
        while True:
            try:
                cmd = self.commands.recv()
            except GONE as exc:  # the driver went away or broke the protocol: leave soon
                cmd = note_gone(exc)  # a Shutdown
                self.orphaned = True
                exit_later(ORPHAN_GRACE)  # user code that never reaches an op must not
                                           # keep an orphaned worker alive
            self.last_heard = time.monotonic()
            if type(cmd) is p.Ping:
                self.send(p.Pong(cmd.t))
            else:
                if isinstance(cmd, p.Stop | p.Shutdown):
                    self.on_stop(cmd)
                self.queue.put(cmd)
            with self._taken:
                self._taken.notify_all()
            if isinstance(cmd, p.Shutdown):
                return

    def wait_taken(self, timeout: float) -> None:
        """Wait (up to `timeout`) until bytes waiting on the pipe have been read: a command
        on its way is then in the queue (a ping is not)."""
        with self._taken:
            self._taken.wait_for(lambda: not self.queue.empty()
                                 or not readable(self.commands), timeout)

    def _watch(self, period: float) -> None:
        """End the process (and its group) when the driver has been silent for `period`:
        a link that hangs without closing must not leave a worker on the host."""
        while True:
            silent = time.monotonic() - self.last_heard
            if silent >= period:
                print(f"gradscope worker: nothing heard from the window for {silent:.0f} s; "
                      "ending", file=__import__("sys").__stderr__)
                end_group()
            time.sleep(min(1.0, period - silent + 0.01))  # a timer, not a wait on a result


def hostname() -> str:
    return socket.gethostname()


@functools.cache
def devices() -> tuple[tuple[str, str], ...]:
    """(name, label) per usable device: the CPU, and each CUDA GPU CuPy sees, with its name
    and memory. CUDA is not initialised when CuPy is absent."""
    found: list[tuple[str, str]] = [("cpu", "CPU")]
    if importlib.util.find_spec("cupy") is None:
        return tuple(found)
    try:
        from autograd_core.backend import cupy_or_none

        cp = cupy_or_none()
        if cp is None:
            return tuple(found)
        for i in range(cp.cuda.runtime.getDeviceCount()):
            props = cp.cuda.runtime.getDeviceProperties(i)
            name = props["name"].decode() if isinstance(props["name"], bytes) \
                else str(props["name"])
            gib = props["totalGlobalMem"] / 2**30
            found.append((f"cuda:{i}", f"{name}, {gib:.0f} GiB"))
    except Exception:  # no driver, no GPU: the CPU is what there is
        pass
    return tuple(found)
