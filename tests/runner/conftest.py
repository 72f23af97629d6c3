"""Helpers for runner tests: real worker processes driven through `Driver`, no mocks."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.runner import Driver
from app.runner import protocol as p

ROOT = Path(__file__).resolve().parents[2]

HEADER = """\
import autograd_core as ag
from autograd_core import nn
"""


class Session:
    """A driver plus every event it produced, with waiting helpers."""

    def __init__(self, driver: Driver) -> None:
        self.driver = driver
        self.events: list[Any] = []   # every event seen so far
        self._unread: list[Any] = []  # fetched but not yet offered to wait_for

    def wait_for(self, match: Callable[[Any], bool], timeout: float = 20.0) -> Any:
        """The first new event matching `match`; fails after `timeout` seconds."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if not self._unread:
                fresh = self.driver.wait_events(0.05)
                self.events.extend(fresh)
                self._unread.extend(fresh)
            while self._unread:
                event = self._unread.pop(0)
                if match(event):
                    return event
        kinds = [type(e).__name__ for e in self.events[-20:]]
        raise AssertionError(f"no matching event within {timeout} s; last events: {kinds}")

    def wait_state(self, state: str, timeout: float = 20.0) -> p.Status:
        return self.wait_for(lambda e: isinstance(e, p.Status) and e.state == state, timeout)

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]


def write_script(folder: Path, body: str, name: str = "model.py") -> Path:
    path = folder / name
    path.write_text(HEADER + textwrap.dedent(body))
    return path


@pytest.fixture
def start(tmp_path: Path):
    """start(body, **driver_options) -> Session with a started worker (closed afterwards)."""
    drivers: list[Driver] = []

    def _start(body: str, name: str = "model.py", **options: Any) -> Session:
        options.setdefault("record", "none")  # the trace's import costs seconds here
        driver = Driver(str(write_script(tmp_path, body, name)), **options)
        drivers.append(driver)
        driver.start()
        return Session(driver)

    yield _start
    for d in drivers:
        d.close()


SIMPLE = """
model = nn.Module()
w = ag.ones(3, requires_grad=True)

def step(i):
    loss = (w * 2.0).sum()
    loss.backward()
    return loss
"""


@pytest.fixture
def simple() -> str:
    """A script body that loads and runs: loss = sum(2 w) with w = ones(3)."""
    return SIMPLE


@pytest.fixture
def rewrite(tmp_path: Path) -> Callable[[str], Path]:
    """rewrite(body, name='model.py'): replace the script file in the test's folder."""
    return lambda body, name="model.py": write_script(tmp_path, body, name)


class RecordProcess:
    """A real `gradscope` process (`record ...`); threads collect its stdout and stderr lines.

    `wait_line(pred)` waits for a line matching `pred` (with a deadline, no sleeps);
    `finish()` waits for the exit code and for both pipes to reach EOF.
    """

    def __init__(self, *args: str, own_group: bool = False) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        # own_group: its own process group, as a terminal's foreground job (so a test can
        # signal the whole group the way Ctrl-C does).
        self.proc = subprocess.Popen([sys.executable, "-m", "app", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL, text=True, env=env, cwd=ROOT,
                                     start_new_session=own_group)
        self.lines: dict[str, list[str]] = {"stdout": [], "stderr": []}
        self._changed = threading.Condition()
        self._readers = [threading.Thread(target=self._read, args=(name, pipe), daemon=True)
                         for name, pipe in (("stdout", self.proc.stdout),
                                            ("stderr", self.proc.stderr))]
        for t in self._readers:
            t.start()

    def _read(self, name: str, pipe: Any) -> None:
        for line in pipe:
            with self._changed:
                self.lines[name].append(line.rstrip("\n"))
                self._changed.notify_all()

    def wait_line(self, match: Callable[[str], bool], stream: str = "stdout",
                  timeout: float = 60.0) -> str:
        with self._changed:
            found = self._changed.wait_for(
                lambda: next((ln for ln in self.lines[stream] if match(ln)), None)
                or self.proc.poll() is not None, timeout)
            line = next((ln for ln in self.lines[stream] if match(ln)), None)
        if line is None and found:  # it exited: its last lines may still be in the pipe
            for t in self._readers:
                t.join(10)
            line = next((ln for ln in self.lines[stream] if match(ln)), None)
        if line is None:
            raise AssertionError(f"no matching {stream} line (exited: {found}); "
                                 f"stderr: {self.stderr[-2000:]}")
        return line

    def finish(self, timeout: float = 120.0) -> int:
        """The exit code, once the process has ended and both pipes are at EOF."""
        code = self.proc.wait(timeout)
        end = time.monotonic() + timeout
        for t in self._readers:
            t.join(max(0.0, end - time.monotonic()))
        assert not any(t.is_alive() for t in self._readers), "a pipe never reached EOF"
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)

    @property
    def stdout(self) -> str:
        return "\n".join(self.lines["stdout"])

    @property
    def stderr(self) -> str:
        return "\n".join(self.lines["stderr"])


@pytest.fixture
def recording():
    """recording(*args) -> a started RecordProcess (killed afterwards if still running)."""
    started: list[RecordProcess] = []

    def _start(*args: str, own_group: bool = False) -> RecordProcess:
        started.append(RecordProcess(*(str(a) for a in args), own_group=own_group))
        return started[-1]

    yield _start
    for r in started:
        r.kill()
