"""The driver's side: non-blocking reads, a selectable descriptor, pause, sampling, imports."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

from app.runner import protocol as p

ROOT = Path(__file__).resolve().parents[2]


def test_poll_never_blocks_and_fileno_wakes_select_for_events_and_death(start):
    s = start("""
        import os, time
        model = nn.Module()

        def step(i):
            time.sleep(0.3)  # the script's pace: its status update goes out before it dies
            os._exit(7)
        """)
    s.wait_state(p.IDLE)
    # Nothing comes while the worker is idle, so a blocking read would hang here (and the test
    # time out) instead of returning what is pending: nothing.
    assert not [e for e in s.driver.poll_events() if isinstance(e, p.Loss)]
    s.driver.run(1)
    ready, _, _ = select.select([s.driver], [], [], 5.0)  # the status update
    assert ready
    events = []
    deadline = time.monotonic() + 5.0
    while not any(isinstance(e, p.Died) for e in events) and time.monotonic() < deadline:
        if select.select([s.driver.fileno()], [], [], 1.0)[0]:
            events += s.driver.poll_events()
    died = [e for e in events if isinstance(e, p.Died)]
    assert died and died[0].exitcode == 7


def test_run_until_paused_then_pause(start, simple):
    s = start(simple)
    s.wait_state(p.IDLE)
    s.driver.run()
    s.wait_state(p.RUNNING)
    s.wait_for(lambda e: isinstance(e, p.Loss) and e.iteration >= 20)
    s.driver.pause()
    idle = s.wait_state(p.IDLE)
    assert idle.iteration >= 21
    after = next(i for i, e in enumerate(s.events) if e is idle) + 1
    # A round trip instead of a pause: the reply comes after anything sent before it, so a
    # Loss from a run that went on past the pause would be seen first.
    s.driver.set_recording("none")
    s.wait_for(lambda e: isinstance(e, p.Status))
    assert not [e for e in s.events[after:] if isinstance(e, p.Loss)]


def test_recording_level_and_sampling_change_between_iterations(start, simple):
    s = start(simple, record="basic")
    s.wait_state(p.IDLE, timeout=60)
    s.driver.set_recording("full", every=3)
    s.wait_for(lambda e: isinstance(e, p.Status))
    s.driver.run(6)
    s.wait_for(lambda e: isinstance(e, p.Finished))
    captures = [e.capture for e in s.of(p.Captured)]
    full = [c.index for c in captures if c.level == "full"]
    assert full == [0, 3]
    s.driver.set_recording("none")
    s.driver.run(2)
    s.wait_for(lambda e: isinstance(e, p.Finished))
    assert len(s.of(p.Captured)) == len(captures)  # nothing recorded any more
    assert len(s.of(p.Loss)) == 8


def _modules_loaded_by(imports: str, prefixes: tuple[str, ...]) -> str:
    """The modules under `prefixes` that a fresh interpreter has after `imports`."""
    code = (f"import sys; {imports}; "
            f"print(sorted(m for m in sys.modules if m.startswith({prefixes!r})))")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, check=True).stdout.strip()


def test_the_runner_and_the_cli_never_import_qt():
    imports = ("import app.runner, app.runner.record, app.cli; "
               "from app.runner import worker, stepping, script")
    assert _modules_loaded_by(imports, ("PySide", "PyQt")) == "[]"


def test_the_worker_starts_without_networkx_or_qt():
    """The worker records and streams; graphs are built by the viewer (networkx costs the
    worker's start-up a quarter of a second to a second on a busy machine)."""
    imports = ("import app.runner.worker, app.runner.recording, app.runner.channel; "
               "import autograd_core.trace, autograd_core.nn, autograd_core.optim")
    assert _modules_loaded_by(imports, ("networkx", "PySide")) == "[]"
