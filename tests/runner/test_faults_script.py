"""Fault campaign: what a script does to the worker it runs in.

A latin-1 script runs as Python runs it; `sys.exit`, `KeyboardInterrupt` and
`sys.stdout = None` are the user's doing, reported at the user's line, and the worker stays
usable; printing without newlines stays linear, and a line that never ends comes in pieces.
"""

from __future__ import annotations

import time

import pytest

from app.runner import protocol as p
from app.runner.output import LineWriter
from app.runner.script import preferred_device

LATIN1 = ("# -*- coding: latin-1 -*-\n"
          "import autograd_core as ag\nfrom autograd_core import nn\n"
          "DEVICE = 'cpu'  # caf\xe9\n"
          "NAME = 'caf\xe9'\n"
          "model = nn.Module()\n"
          "def step(i):\n"
          "    print(NAME)\n"
          "    return 1.5\n")


def test_a_latin1_script_runs_as_python_runs_it(start, tmp_path):
    s = start("model = nn.Module()\ndef step(i):\n    return 0\n")
    s.wait_state(p.IDLE)
    path = tmp_path / "model.py"
    path.write_bytes(LATIN1.encode("latin-1"))
    assert preferred_device(str(path)) == "cpu"
    s.driver.restart()
    s.wait_for(lambda e: isinstance(e, p.Loaded))
    s.wait_state(p.IDLE)
    s.driver.run(1)
    assert s.wait_for(lambda e: isinstance(e, p.Output)).text == "caf\xe9"
    assert s.wait_for(lambda e: isinstance(e, p.Loss)).value == 1.5
    assert not s.of(p.Error)


def test_bytes_that_do_not_decode_are_a_syntax_error_at_their_line(start, tmp_path):
    s = start("model = nn.Module()\ndef step(i):\n    return 0\n")
    s.wait_state(p.IDLE)
    (tmp_path / "model.py").write_bytes(b"x = 1\ny = '\xff'\n")  # no coding line: UTF-8
    s.driver.restart()
    err = s.wait_for(lambda e: isinstance(e, p.Error))
    assert err.kind == "syntax" and "model.py:2" in err.message, err
    assert "runner failed" not in err.message


@pytest.mark.parametrize("call, said", [
    ("sys.exit(3)", "the script called sys.exit(3)"),
    ("sys.exit('bye')", "the script called sys.exit('bye')"),
    ("raise SystemExit", "the script called sys.exit()"),
    ("raise KeyboardInterrupt", "the script raised KeyboardInterrupt"),
    ("raise GeneratorExit('odd')", "GeneratorExit: odd"),  # any BaseException
])
def test_exiting_in_step_is_the_users_doing_and_the_worker_goes_on(call, said, start):
    s = start(f"""
        import sys
        model = nn.Module()
        calls = []

        def step(i):
            if i == 1 and not calls:
                calls.append(i)
                {call}
            return float(i)
        """)
    s.wait_state(p.IDLE)
    s.driver.run(3)
    err = s.wait_for(lambda e: isinstance(e, p.Error))
    assert err.kind == "exception" and err.iteration == 1
    assert err.location.endswith("model.py:11") and said in err.message, err
    assert "runner" not in err.message and "app/runner" not in err.details
    s.wait_state(p.IDLE)
    s.driver.run(1)  # usable: iteration 1 runs again, to the end
    assert s.wait_for(lambda e: isinstance(e, p.Loss)).value == 1.0
    assert s.driver.alive


@pytest.mark.parametrize("call, said", [
    ("sys.exit(4)", "the script called sys.exit(4)"),
    ("raise KeyboardInterrupt", "the script raised KeyboardInterrupt"),
])
def test_exiting_at_import_is_reported_at_the_users_line(call, said, start, rewrite, simple):
    s = start(f"""
        import sys
        model = nn.Module()
        {call}
        """)
    err = s.wait_for(lambda e: isinstance(e, p.Error))
    assert err.kind == "exception" and err.location.endswith("model.py:6"), err
    assert said in err.message
    s.wait_state(p.ERROR)
    rewrite(simple)
    s.driver.restart()  # the worker is still there to load the fixed script
    s.wait_state(p.IDLE)
    s.driver.run(1)
    assert s.wait_for(lambda e: isinstance(e, p.Loss)).value == 6.0


def test_a_script_that_clears_sys_stdout_breaks_nothing_of_ours(start, rewrite):
    s = start("""
        import sys
        model = nn.Module()
        print("at import")
        sys.stdout = None

        def step(i):
            print("unseen")       # print() to a None stdout does nothing, as in Python
            sys.stderr = None
            return 1.0
        """)
    s.wait_state(p.IDLE)
    s.driver.run(2)
    s.wait_for(lambda e: isinstance(e, p.Finished))
    assert [e.text for e in s.of(p.Output)] == ["at import"]
    assert not s.of(p.Error)
    rewrite("""
        model = nn.Module()

        def step(i):
            print("after restart")
            return 2.0
        """)
    s.driver.restart()  # a reload gives the script our streams back
    s.wait_state(p.IDLE)
    s.driver.run(1)
    assert s.wait_for(lambda e: isinstance(e, p.Output)).text == "after restart"


def _dots_seconds(n: int) -> float:
    """Best of three: time to print `n` dots without a newline through a LineWriter."""
    best = float("inf")
    for _ in range(3):
        sent: list = []
        out = LineWriter("stdout", sent.append)
        t0 = time.perf_counter()
        for _ in range(n):
            print(".", end="", file=out)
        out.flush()
        best = min(best, time.perf_counter() - t0)
        assert "".join(e.text for e in sent) == "." * n
    return best


def test_printing_without_newlines_stays_linear():
    small, large = _dots_seconds(20_000), _dots_seconds(80_000)
    # Four times the dots: linear is ~4x, the old string concatenation was ~16x.
    assert large / small < 8, (small, large)


def test_a_line_that_never_ends_arrives_in_bounded_pieces():
    sent: list = []
    out = LineWriter("stdout", sent.append, max_line=1000)
    out.write("a" * 2500)
    assert [len(e.text) for e in sent] == [1000, 1000]  # sent as it grows
    out.write("b" * 10 + "\nnext\n" + "c" * 2001)
    out.flush()
    text = [e.text for e in sent]
    assert "".join(text[:3]) == "a" * 2500 + "b" * 10 and text[3] == "next"
    assert all(len(t) <= 1000 for t in text) and "".join(text[4:]) == "c" * 2001


def test_printing_without_newlines_in_a_worker_arrives_whole(start):
    s = start("""
        model = nn.Module()

        def step(i):
            for _ in range(80_000):
                print(".", end="")
            return 1.0
        """)
    s.wait_state(p.IDLE)
    s.driver.run(1)
    s.wait_for(lambda e: isinstance(e, p.Finished), timeout=60)
    assert "".join(e.text for e in s.of(p.Output)) == "." * 80_000
