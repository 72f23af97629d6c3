"""A worker on a "host" (this machine, through a private sshd): a full run with captures,
stepping and stop, the host and devices in Loaded, the source files a remote window needs,
an uploaded script, and link health."""

from __future__ import annotations

import time
from pathlib import Path

from app.runner import Driver, RemoteTarget
from app.runner import protocol as p
from tests.runner.conftest import Session, write_script

MLP = """
model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
x = ag.randn(16, 4)
ITERATIONS = 50

def step(i):
    model.zero_grad()
    loss = (model(x) ** 2).mean()
    loss.backward()
    return loss
"""


def remote_session(tmp_path: Path, target: RemoteTarget, drivers: list, body: str = MLP,
                   **options: object) -> Session:
    options.setdefault("record", "basic")
    driver = Driver(str(write_script(tmp_path, body)), remote=target, **options)
    drivers.append(driver)
    driver.start()
    return Session(driver)


def test_a_remote_run_streams_losses_captures_and_sources(tmp_path, target, drivers):
    s = remote_session(tmp_path, target, drivers)
    loaded = s.wait_for(lambda e: isinstance(e, p.Loaded), 60)
    assert loaded.model_type == "Sequential"
    assert loaded.host  # the host's name
    assert loaded.devices[0] == ("cpu", "CPU")
    assert s.driver.remote == target
    s.driver.run(5)
    s.wait_for(lambda e: isinstance(e, p.Finished), 60)
    captures = [e.capture for e in s.of(p.Captured)]
    assert [c.index for c in captures] == [0, 1, 2, 3, 4]
    assert len(s.of(p.Loss)) == 5
    assert any(n.op == "Linear" or "linear" in n.op.lower() for n in captures[0].nodes)
    # The script's own file travels once, before the first capture that names it.
    sources = s.of(p.Source)
    script = str(tmp_path / "model.py")
    assert [src.path for src in sources] == [script]
    assert sources[0].text == (tmp_path / "model.py").read_text()
    assert s.events.index(sources[0]) < s.events.index(s.of(p.Captured)[0])
    assert not any(isinstance(e, p.Pong) for e in s.events)  # the driver consumes them


def test_link_health_names_the_host_and_times_the_link(tmp_path, target, drivers):
    s = remote_session(tmp_path, target, drivers, record="none")
    s.wait_for(lambda e: isinstance(e, p.Loaded), 60)
    s.driver.run(None)
    s.driver.link.interval = 0.05  # ping often: the test waits for round trips
    end = time.monotonic() + 30
    while s.driver.link_health().rtt_ms is None and time.monotonic() < end:
        s.events.extend(s.driver.wait_events(0.05))  # polls send the pings
    health = s.driver.link_health()
    assert health.host == target.label and health.connected
    assert health.rtt_ms is not None and 0 < health.rtt_ms < 5000
    assert health.bytes_per_s > 0  # statuses and losses keep coming
    s.driver.pause()


def test_stepping_forward_backward_and_stop_remotely(tmp_path, target, drivers):
    s = remote_session(tmp_path, target, drivers)
    s.wait_for(lambda e: isinstance(e, p.Loaded), 60)
    s.driver.step_forward()
    first = s.wait_for(lambda e: isinstance(e, p.Stepped), 60)
    assert first.phase == "forward" and first.index == 0
    s.driver.step_forward()
    second = s.wait_for(lambda e: isinstance(e, p.Stepped), 60)
    assert (second.phase, second.index) == ("forward", 1)
    s.driver.step_backward()
    back = s.wait_for(lambda e: isinstance(e, p.Stepped) and e.phase == "backward", 60)
    assert back.index == 0
    s.driver.stop()
    stopped = s.wait_for(lambda e: isinstance(e, p.Error), 60)
    assert stopped.kind == "stopped" and "stopped" in stopped.message
    s.wait_state(p.IDLE, 60)
    s.driver.run(2)  # the worker lives on after Stop, and runs again
    s.wait_for(lambda e: isinstance(e, p.Finished), 60)


def test_an_uploaded_script_runs_and_its_folder_is_removed(tmp_path, target, drivers):
    uploading = RemoteTarget(target.destination, target.ssh_options, target.python,
                             upload=True)
    s = remote_session(tmp_path, uploading, drivers)
    loaded = s.wait_for(lambda e: isinstance(e, p.Loaded), 60)
    there = Path(loaded.path)
    assert there != tmp_path / "model.py" and there.read_text() == (tmp_path / "model.py"
                                                                     ).read_text()
    assert oct(there.parent.stat().st_mode & 0o777) == "0o700"  # private to the user
    s.driver.run(2)
    s.wait_for(lambda e: isinstance(e, p.Finished), 60)
    s.driver.close()
    assert not there.parent.exists()


def test_restart_starts_a_fresh_remote_worker(tmp_path, target, drivers):
    s = remote_session(tmp_path, target, drivers, record="none")
    s.wait_for(lambda e: isinstance(e, p.Loaded), 60)
    s.driver.kill()
    s.wait_for(lambda e: isinstance(e, p.Died), 60)
    s.driver.restart()  # dead: a fresh process over a fresh ssh connection
    s.wait_for(lambda e: isinstance(e, p.Loaded), 60)
    s.driver.run(1)
    s.wait_for(lambda e: isinstance(e, p.Finished), 60)
