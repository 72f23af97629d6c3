"""The commands half of `Driver`: sending protocol commands to the worker, and the link's
pings and health (the lifecycle and the event reading are in `driver`)."""

from __future__ import annotations

from typing import Any

from app.runner import protocol as p
from app.runner.link import LinkHealth, LinkMonitor
from app.runner.remote import RemoteTarget

__all__ = ["Commands"]


class Commands:
    """Mixed into `Driver`, which sets these attributes."""

    options: p.WorkerOptions
    remote: RemoteTarget | None
    link: LinkMonitor
    _commands: Any
    _eof: bool

    @property
    def alive(self) -> bool:
        raise NotImplementedError

    def restart(self) -> None:
        raise NotImplementedError

    def _send(self, command: Any) -> bool:
        if not self.alive:
            return False
        try:
            self._commands.send(command)
        except (BrokenPipeError, OSError):
            return False
        return True

    def run(self, iterations: int | None = None) -> None:
        self._send(p.Run(iterations))

    def pause(self) -> None:
        self._send(p.Pause())

    def step_forward(self) -> None:
        self._send(p.StepForward())

    def step_backward(self) -> None:
        self._send(p.StepBackward())

    def finish_iteration(self) -> None:
        self._send(p.FinishIteration())

    def set_device(self, device: str) -> None:
        self.options.device = device
        if not self._send(p.SetDevice(device)):
            self.restart()

    def set_recording(self, level: str, every: int = 1) -> None:
        if level not in p.RECORD_LEVELS:
            raise ValueError(f"recording level must be one of {p.RECORD_LEVELS}, not {level!r}")
        self.options.record, self.options.every = level, every
        self._send(p.SetRecording(level, every))

    def link_health(self) -> LinkHealth:
        """The link to the worker now: host, round-trip time, event bytes/s (local too)."""
        return self.link.health(self.remote.label if self.remote else None,
                                self.alive and not self._eof)

    def _ping(self) -> None:
        """A Ping when one is due: the worker's Pong times the link, and a remote worker
        that stops hearing them ends itself."""
        if self.alive and not self._eof:
            t = self.link.take_ping()
            if t is not None:
                self._send(p.Ping(t))
