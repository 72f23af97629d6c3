"""Every failure the worker can meet, with a real worker process: it reports, it survives."""

from __future__ import annotations

import sys

import pytest

from app.runner import protocol as p


def is_error(e: object) -> bool:
    return isinstance(e, p.Error)


def test_exception_in_step_names_the_users_line_and_worker_survives(start):
    s = start("""
        model = nn.Module()
        x = ag.ones(2, 3)

        def helper(t):
            return t @ t          # line 8: shapes do not fit

        def step(i):
            return helper(x)
        """)
    s.wait_state(p.IDLE)
    s.driver.run(1)
    err = s.wait_for(is_error)
    assert err.kind == "exception"
    assert err.location.endswith("model.py:8")
    assert err.message.startswith(err.location)
    assert err.iteration == 0
    # Trimmed to the user's frames first: nothing of the runner in the traceback.
    assert "app/runner" not in err.details and "helper" in err.details
    s.wait_state(p.IDLE)
    assert s.driver.alive
    s.driver.restart()
    assert isinstance(s.wait_for(lambda e: isinstance(e, p.Loaded)), p.Loaded)


def test_exception_at_import_then_restart_picks_up_the_fixed_file(start, rewrite, simple):
    s = start("""
        model = nn.Module()
        raise ValueError("bad data file")

        def step(i):
            return 0
        """)
    err = s.wait_for(is_error)
    assert err.kind == "exception" and "ValueError: bad data file" in err.message
    assert err.location.endswith("model.py:5")
    s.wait_state(p.ERROR)
    rewrite(simple.replace("2.0", "5.0"))
    s.driver.restart()
    s.wait_for(lambda e: isinstance(e, p.Loaded))
    s.wait_state(p.IDLE)
    s.driver.run(1)
    assert s.wait_for(lambda e: isinstance(e, p.Loss)).value == pytest.approx(15.0)


def test_syntax_error_names_file_line_and_column(start):
    s = start("""
        model = nn.Module()
        def step(i)
            return 1
        """)
    err = s.wait_for(is_error)
    assert err.kind == "syntax"
    assert err.location.endswith("model.py:5:12")
    assert "SyntaxError" in err.message
    assert s.driver.alive


def test_missing_model_says_what_and_where(start):
    s = start("""
        def step(i):
            return 1
        """)
    err = s.wait_for(is_error)
    assert err.kind == "script"
    assert "model.py" in err.message and "defines no `model`" in err.message
    assert "step" not in err.message.split("`model`")[1].split(".")[0]  # step is fine


def test_wrong_kinds_are_named_with_their_lines(start):
    s = start("""
        model = 3
        step = "fast"
        """)
    err = s.wait_for(is_error)
    assert "`model` as a int, not an nn.Module" in err.message
    assert "`step` as a str" in err.message
    assert err.location.endswith("model.py:4")


def test_print_output_arrives_line_by_line(start, simple):
    s = start(simple.replace("    loss.backward()", "    print('a', i)\n    print('b', end='')\n"
                             "    loss.backward()"))
    s.wait_state(p.IDLE)
    s.driver.run(2)
    s.wait_for(lambda e: isinstance(e, p.Finished))
    lines = [o.text for o in s.of(p.Output) if o.stream == "stdout"]
    assert lines == ["a 0", "b", "a 1", "b"]


def test_polite_stop_ends_a_long_loop_of_ops_and_keeps_the_worker(start):
    s = start("""
        model = nn.Module()

        def step(i):
            x = ag.zeros(1)
            print("looping", flush=True)
            while True:
                x = x + 1
        """)
    s.wait_state(p.IDLE)
    s.driver.run(1)
    s.wait_for(lambda e: isinstance(e, p.Output) and e.text == "looping")
    s.driver.stop()
    s.wait_state(p.IDLE, timeout=20)
    assert s.driver.alive and not s.of(p.Died)  # stopped by the engine, not killed


def test_runaway_script_is_killed_within_the_grace_period_and_restarts(start):
    s = start("""
        model = nn.Module()

        def step(i):
            print("spinning", flush=True)
            while True:
                pass
        """)
    s.wait_state(p.IDLE)
    s.driver.run()
    s.wait_for(lambda e: isinstance(e, p.Output) and e.text == "spinning")
    s.driver.stop()
    died = s.wait_for(lambda e: isinstance(e, p.Died), timeout=20)
    assert any(e.kind == "stopped" for e in s.of(p.Error))
    assert died.signal == "SIGKILL" and not s.driver.alive
    s.driver.restart()
    s.wait_for(lambda e: isinstance(e, p.Loaded))


def test_os_exit_is_detected_with_its_code(start):
    s = start("""
        import os
        model = nn.Module()

        def step(i):
            os._exit(3)
        """)
    s.wait_state(p.IDLE)
    s.driver.run(1)
    died = s.wait_for(lambda e: isinstance(e, p.Died), timeout=20)
    assert died.exitcode == 3 and died.signal is None
    assert "code 3" in died.message


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_segfault_is_detected_with_its_signal(start):
    s = start("""
        import ctypes
        model = nn.Module()

        def step(i):
            ctypes.string_at(0)
        """)
    s.wait_state(p.IDLE)
    s.driver.run(1)
    died = s.wait_for(lambda e: isinstance(e, p.Died), timeout=5)
    assert died.signal == "SIGSEGV" and "segmentation fault" in died.message
    s.driver.restart()
    s.wait_for(lambda e: isinstance(e, p.Loaded))


def test_cuda_request_without_cuda_reports_and_offers_the_cpu(start, simple):
    from autograd_core.backend import cupy_or_none

    if cupy_or_none() is not None:
        pytest.skip("CuPy is installed: CUDA may well be available")
    s = start(simple, device="cuda")
    err = s.wait_for(is_error)
    assert err.kind == "device" and "CUDA" in err.message and "cpu" in err.message.lower()
    s.wait_state(p.ERROR)
    s.driver.set_device("cpu")
    loaded = s.wait_for(lambda e: isinstance(e, p.Loaded))
    assert loaded.device == "cpu"


def test_stop_when_idle_is_acknowledged(start, simple):
    s = start(simple)
    s.wait_state(p.IDLE)
    s.driver.stop()
    s.wait_state(p.IDLE, timeout=5)
    assert s.driver.alive


def test_a_stop_landing_before_the_iteration_begins_is_an_idle_ack_not_a_kill(start, tmp_path):
    # Status(RUNNING) goes out before the first iteration begins; a Stop arriving in that gap
    # is handled between iterations: Status(IDLE), no 'stopped' Error, no kill. (A remote
    # test that stopped on Status(RUNNING) and waited for the kill's Error hit this gap on a
    # loaded machine.) The gate holds loading until Run and Stop are both on the wire.
    gate = tmp_path / "gate"
    s = start(f"""
        import os, time
        model = nn.Module()

        def step(i):
            print("spinning", flush=True)
            while True:  # never reaches an op: only a kill would end it
                pass

        while not os.path.exists({str(gate)!r}):
            time.sleep(0.01)
        """)
    s.wait_state(p.LOADING)
    s.driver.run(1)
    s.driver.stop()
    gate.touch()
    s.wait_state(p.RUNNING)
    s.wait_state(p.IDLE, timeout=10)
    assert s.driver.alive and not s.of(p.Died)
    assert not s.of(p.Error) and not [e for e in s.of(p.Output) if e.text == "spinning"]
    s.driver.run(1)  # the worker is fine: the next run starts the step
    s.wait_for(lambda e: isinstance(e, p.Output) and e.text == "spinning")
