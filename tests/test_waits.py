"""Tests wait for events, not for time: no test pauses with `time.sleep`, `qWait` or
`qtbot.wait` to let something happen.

A loaded machine makes any fixed pause too short, so tests wait on the condition itself
(`qtbot.waitUntil`/`waitSignal`, the runner fixtures' `wait_for`/`wait_state`, a poll with a
deadline). Sleeps inside the *scripts under test* are the model's pace and are fine: they are
string literals here, not calls, so this check (over the syntax tree) does not see them. The
few calls left are part of the scenario itself and are listed below with the reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
# (file, call) -> why the pause is the scenario, not a wait. Each must still be there.
SCENARIO_PAUSES = {
    ("runner/test_timings.py", "time.sleep"):
        "the user's pause between two step presses: the time the test proves is left out",
    ("runner/wire_helpers.py", "time.sleep"):
        "a stand-in pipe's slow reader, whose pace the outbox must wait for",
}


def _call_name(node: ast.Call) -> str:
    """`time.sleep`, `qtbot.wait`, `QTest.qWait`, `sleep`, ... for a call's function."""
    fn = node.func
    if isinstance(fn, ast.Attribute):
        base = fn.value.id if isinstance(fn.value, ast.Name) else "?"
        return f"{base}.{fn.attr}"
    return fn.id if isinstance(fn, ast.Name) else "?"


def _is_pause(name: str) -> bool:
    base, _, attr = name.rpartition(".")
    return (attr in ("sleep", "qWait") or name == "qtbot.wait"
            or (not base and attr == "sleep"))  # `from time import sleep`


def _pauses(source: str) -> list[tuple[int, str]]:
    return [(node.lineno, _call_name(node)) for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and _is_pause(_call_name(node))]


def test_the_check_sees_a_pause_and_not_a_script_string() -> None:
    source = ('import time\nSCRIPT = "time.sleep(1)"\n'
              'def test_x(qtbot):\n    time.sleep(0.1)\n    qtbot.wait(50)\n'
              '    qtbot.waitUntil(lambda: True)\n')
    assert _pauses(source) == [(4, "time.sleep"), (5, "qtbot.wait")]


def test_no_test_pauses_for_time() -> None:
    found: dict[tuple[str, str], list[int]] = {}
    for path in sorted(TESTS.rglob("*.py")):
        rel = path.relative_to(TESTS).as_posix()
        for line, name in _pauses(path.read_text(encoding="utf-8")):
            found.setdefault((rel, name), []).append(line)
    unexplained = {key: lines for key, lines in found.items() if key not in SCENARIO_PAUSES}
    assert not unexplained, f"pauses used as waits (wait on the condition instead): {unexplained}"
    assert set(SCENARIO_PAUSES) <= set(found), "a listed scenario pause is gone: drop its entry"
