"""How a remote session ends, every way: the link cut (the ssh client killed), the worker
killed on the host, a silent window (the watchdog), a host that cannot be reached or has no
python there, and a hostile stream from a fake "remote" (random bytes, huge sizes, a
compressed bomb, a pickle). Everything received stays received, every end is one clear
event, and no worker is left on the host."""

from __future__ import annotations

import pickle
import random
import signal
import sys
import zlib
from pathlib import Path

import pytest

from app.runner import Driver, RemoteTarget
from app.runner import protocol as p
from app.runner.channel import encode_messages
from app.runner.frames import COMPRESSED, EVENTS, HEADER, MAGIC, MAX_FRAME, VERSION
from tests.remote.helpers import kill_quietly, read_pid, wait_gone
from tests.runner.conftest import Session, write_script

# A model that says where its worker runs, then trains slowly (so a cut lands mid-run).
SLOW = """
import os, time
open({pidfile!r}, "w").write(str(os.getpid()))
model = nn.Linear(3, 1)
x = ag.randn(4, 3)

def step(i):
    time.sleep(0.05)
    loss = (model(x) ** 2).mean()
    loss.backward()
    return loss
"""


def slow_run(tmp_path: Path, target: RemoteTarget, drivers: list) -> tuple[Session, int]:
    """A remote worker running the slow model: (its session, the worker's pid there)."""
    pidfile = tmp_path / "worker.pid"
    driver = Driver(str(write_script(tmp_path, SLOW.format(pidfile=str(pidfile)))),
                    remote=target, record="basic")
    drivers.append(driver)
    driver.start()
    s = Session(driver)
    pid = read_pid(pidfile, s, 60)
    driver.run(None)
    s.wait_for(lambda e: isinstance(e, p.Captured), 60)
    s.wait_for(lambda e: isinstance(e, p.Captured), 60)
    return s, pid


def test_a_cut_link_reports_link_lost_keeps_captures_and_leaves_no_worker(
        tmp_path, target, drivers):
    s, pid = slow_run(tmp_path, target, drivers)
    kill_quietly(s.driver.process.pid, signal.SIGKILL)  # the ssh client: the link is gone
    lost = s.wait_for(lambda e: isinstance(e, p.LinkLost), 30)
    assert "ssh was ended by SIGKILL" in lost.reason
    died = s.wait_for(lambda e: isinstance(e, p.Died), 30)
    assert s.events.index(lost) < s.events.index(died)
    assert "link" in died.message and target.label in died.message
    captures = s.of(p.Captured)
    assert len(captures) >= 2 and all(c.capture.index >= 0 for c in captures)
    assert s.driver.link_health().connected is False
    assert wait_gone(pid, 20), "the worker outlived its link on the host"


def test_the_worker_killed_on_the_host_is_one_clear_end(tmp_path, target, drivers):
    s, pid = slow_run(tmp_path, target, drivers)
    kill_quietly(pid, signal.SIGKILL)
    died = s.wait_for(lambda e: isinstance(e, p.Died), 30)
    lost = s.of(p.LinkLost)
    assert len(lost) == 1 and "killed on the host" in lost[0].reason
    assert target.label in died.message
    assert s.of(p.Captured)  # what arrived before stays
    assert not s.driver.alive


def test_a_worker_that_hears_nothing_ends_itself(tmp_path, target, drivers):
    pidfile = tmp_path / "worker.pid"
    driver = Driver(str(write_script(tmp_path, SLOW.format(pidfile=str(pidfile)))),
                    remote=target, record="none")
    driver.options.watchdog = 2.0
    driver.link.interval = 3600.0  # a window that stopped pinging (a hung link)
    drivers.append(driver)
    driver.start()
    s = Session(driver)
    pid = read_pid(pidfile, s, 60)
    assert wait_gone(pid, 20), "the watchdog did not end a worker nobody talked to"
    s.wait_for(lambda e: isinstance(e, p.Died), 30)


def test_a_host_that_refuses_the_connection_is_one_clear_error(drivers, tmp_path):
    target = RemoteTarget.parse("127.0.0.1:1", ("-F", "/dev/null", "-o", "ConnectTimeout=10"))
    d = Driver("/nowhere/model.py", remote=target)
    drivers.append(d)
    d.start()
    s = Session(d)
    err = s.wait_for(lambda e: isinstance(e, p.Error), 30)
    assert err.kind == "remote"
    assert err.message.startswith("could not start the worker on 127.0.0.1:1: ")
    assert "refused" in err.message.lower()
    died = s.wait_for(lambda e: isinstance(e, p.Died), 30)
    assert "never started" in died.message
    assert not s.of(p.LinkLost)  # it never was up


def test_a_host_without_that_python_is_one_clear_error(drivers, target):
    missing = RemoteTarget(target.destination, target.ssh_options, "/no/such/python3")
    d = Driver("/nowhere/model.py", remote=missing)
    drivers.append(d)
    d.start()
    s = Session(d)
    err = s.wait_for(lambda e: isinstance(e, p.Error), 30)
    assert err.kind == "remote" and missing.label in err.message
    assert "/no/such/python3" in err.message  # the shell's "not found" names it
    s.wait_for(lambda e: isinstance(e, p.Died), 30)


# ------------------------------------------------------------------ a fake, hostile "remote"
FAKE = '''
import os, sys
data = open(sys.argv[1], "rb").read()
os.write(1, data)
sys.stdin.buffer.read()  # until the driver closes the link
'''


class _Boom:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        import os
        return os.mkdir, (str(self.marker),)


def _bomb() -> bytes:
    """A compressed frame inflating past MAX_FRAME (zeros deflate ~1000:1)."""
    packer = zlib.compressobj(9)
    zeros = bytes(1 << 20)
    body = b"".join(packer.compress(zeros) for _ in range(MAX_FRAME // len(zeros) + 2))
    body += packer.flush()
    return HEADER.pack(MAGIC, VERSION, EVENTS | COMPRESSED, len(body)) + body


def _hostile(kind: str, marker: Path) -> tuple[bytes, str]:
    if kind == "random":
        return random.Random(7).randbytes(20000), "not a Gradscope frame"
    if kind == "huge":
        return HEADER.pack(MAGIC, VERSION, EVENTS, 2**32 - 1), "over the"
    if kind == "bomb":
        return _bomb(), "inflating past"
    if kind == "garbled-deflate":
        return HEADER.pack(MAGIC, VERSION, EVENTS | COMPRESSED, 100) + bytes(100), \
            "does not inflate"
    if kind == "pickle":
        return pickle.dumps([_Boom(marker)]), "not a Gradscope frame"
    body = pickle.dumps(_Boom(marker))
    return encode_messages([p.Loss(0, 1.0)]) + HEADER.pack(MAGIC, VERSION, EVENTS,
                                                           len(body)) + body, "frame"


@pytest.mark.parametrize("kind", ["random", "huge", "bomb", "garbled-deflate", "pickle",
                                  "pickle-in-frame"])
def test_a_hostile_remote_stream_is_refused_cleanly(kind, tmp_path, drivers):
    marker = tmp_path / "ran"
    data, why = _hostile(kind, marker)
    (tmp_path / "stream.bin").write_bytes(data)
    (tmp_path / "fake.py").write_text(FAKE)
    d = Driver("/host/model.py", remote=RemoteTarget("fakehost"))
    d.worker_command = [sys.executable, str(tmp_path / "fake.py"), str(tmp_path / "stream.bin")]
    drivers.append(d)
    d.start()
    s = Session(d)
    died = s.wait_for(lambda e: isinstance(e, p.Died), 60)
    refused = s.of(p.Error)
    assert refused and refused[0].kind == "internal" and why in refused[0].message, s.events
    assert died.message.startswith("the connection to the worker was closed")
    assert not d.alive
    if kind == "pickle-in-frame":  # what came before the bad frame still arrives
        assert isinstance(s.events[0], p.Loss)
    assert not marker.exists()


STUCK = """
import os, subprocess
child = subprocess.Popen(["sleep", "300"])
open({pidfile!r}, "w").write(str(child.pid))
model = nn.Linear(3, 1)

def step(i):
    print("spinning", flush=True)  # inside step: a Stop from now on finds it stuck
    while True:  # never reaches an op: Stop must kill
        pass
"""


def test_stop_on_a_stuck_script_ends_the_worker_and_what_it_started_on_the_host(
        tmp_path, target, drivers):
    pidfile = tmp_path / "child.pid"
    driver = Driver(str(write_script(tmp_path, STUCK.format(pidfile=str(pidfile)))),
                    remote=target, record="none", stop_grace=1.0)
    drivers.append(driver)
    driver.start()
    s = Session(driver)
    child = read_pid(pidfile, s, 60)
    driver.run(1)
    # Not Status(RUNNING): it is sent before the iteration begins, and a Stop that lands
    # in that gap is answered by Status(IDLE) (nothing to stop, nothing to kill).
    s.wait_for(lambda e: isinstance(e, p.Output) and e.text == "spinning", 30)
    driver.stop()
    stopped = s.wait_for(lambda e: isinstance(e, p.Error), 30)
    assert stopped.kind == "stopped"
    died = s.wait_for(lambda e: isinstance(e, p.Died), 30)
    assert died.message == f"the worker on {target.label} was ended by Stop"
    assert not s.of(p.LinkLost)  # we ended it: not a lost link
    assert wait_gone(child, 20), "a process the script started outlived its worker"
