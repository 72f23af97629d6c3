"""Stop says where the script was: "stopped by you at FILE:LINE", also for a stuck script."""

from __future__ import annotations

from app.runner import protocol as p
from app.runner.stop_report import where_stuck

HEADER_LINES = 2  # conftest.HEADER: the two import lines before each body


def _line_of(script: str, text: str) -> int:
    """The 1-based line of `text` in the written script (the body after the header)."""
    body = script.splitlines()
    return HEADER_LINES + next(i for i, ln in enumerate(body, 1) if text in ln)


def _stopped(s) -> p.Error:
    return s.wait_for(lambda e: isinstance(e, p.Error) and e.kind == "stopped", timeout=10)


COOPERATIVE = """
model = nn.Module()
w = ag.ones(3)

def step(i):
    print("looping", flush=True)
    while True:
        w = ag.ones(3) * 2.0   # an op every turn: Stop lands here
"""

ENDLESS = """
model = nn.Module()

def step(i):
    print("spinning", flush=True)
    n = 0
    while True:
        n += 1                 # no op ever runs: the worker must be asked where it is
"""


def test_a_cooperative_stop_names_the_scripts_line(start):
    s = start(COOPERATIVE)
    s.wait_state(p.IDLE)
    s.driver.run()
    s.wait_for(lambda e: isinstance(e, p.Output) and e.text == "looping")
    s.driver.stop()
    error = _stopped(s)
    line = _line_of(COOPERATIVE, "Stop lands here")
    assert error.location == f"{s.driver.options.path}:{line}"
    assert error.message == f"stopped by you at {error.location}"
    assert "ag.ones(3) * 2.0" in error.details  # the script's line itself
    status = s.wait_state(p.IDLE, timeout=5)
    assert status.state == p.IDLE and s.driver.alive and not s.of(p.Died)


def test_a_stuck_script_is_ended_and_the_event_names_the_loops_line(start):
    s = start(ENDLESS)
    s.wait_state(p.IDLE)
    s.driver.run()
    s.wait_for(lambda e: isinstance(e, p.Output) and e.text == "spinning")
    s.driver.stop()
    error = _stopped(s)
    lines = {_line_of(ENDLESS, "while True"), _line_of(ENDLESS, "n += 1")}
    path, _, line = error.location.rpartition(":")
    assert path == s.driver.options.path and int(line) in lines, error.location
    assert error.message == (f"stopped by you at {error.location} (the script did not "
                             "answer within 1 s, so it was ended)")
    died = s.wait_for(lambda e: isinstance(e, p.Died), timeout=5)
    assert "crash" not in died.message and "Stop" in died.message


def test_restart_of_a_busy_script_reports_no_stop(start):
    s = start(COOPERATIVE)
    s.wait_state(p.IDLE)
    s.driver.run()
    s.wait_for(lambda e: isinstance(e, p.Output) and e.text == "looping")
    s.driver.restart()
    s.wait_for(lambda e: isinstance(e, p.Loaded))
    assert not [e for e in s.of(p.Error) if e.kind == "stopped"]


def test_where_stuck_picks_the_script_thread_and_its_innermost_frame(tmp_path):
    script = str(tmp_path / "model.py")
    helper = str(tmp_path / "helpers.py")
    dump = (
        'Thread 0x00007f0000000001 (most recent call first):\n'
        '  File "/usr/lib/python3.11/threading.py", line 320 in wait\n'
        f'  File "{tmp_path}/other.py", line 3 in background\n\n'
        'Current thread 0x00007f0000000002 (most recent call first):\n'
        '  File "/usr/lib/python3.11/site-packages/numpy/core/x.py", line 9 in f\n'
        f'  File "{helper}", line 7 in spin\n'
        f'  File "{script}", line 12 in step\n'
        '  File "/src/app/runner/worker.py", line 250 in _iterate\n')
    assert where_stuck(dump, script) == (helper, 7)
    assert where_stuck("Fatal Python error: garbage", script) is None


def test_a_stop_while_loading_names_the_line_it_stopped(start):
    body = """
model = nn.Module()  # a model script (without model or step it would be a plain one)
print("loading", flush=True)
while True:
    w = ag.ones(3) * 2.0   # module level: the script never finishes loading
"""
    s = start(body)
    s.wait_for(lambda e: isinstance(e, p.Output) and e.text == "loading")
    s.driver.stop()
    error = s.wait_for(lambda e: isinstance(e, p.Error), timeout=10)
    line = _line_of(body, "never finishes loading")
    assert error.location == f"{s.driver.options.path}:{line}"
    assert error.message.startswith(f"loading was stopped at {error.location} ")
    s.wait_state(p.ERROR, timeout=5)


def test_a_stop_while_stepping_names_the_op_it_paused_after(start):
    body = """
model = nn.Module()
w = ag.ones(3, requires_grad=True)

def step(i):
    y = w * 2.0
    z = y.exp()            # the second op: Stop comes while paused after it
    loss = z.sum()
    loss.backward()
    return loss
"""
    s = start(body)
    s.wait_state(p.IDLE)
    for _ in range(2):
        s.driver.step_forward()
        s.wait_for(lambda e: isinstance(e, p.Stepped))
    s.driver.stop()
    error = _stopped(s)
    assert error.location == f"{s.driver.options.path}:{_line_of(body, 'the second op')}"
    assert error.iteration == 0
