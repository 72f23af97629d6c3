"""A script that floods its output cannot freeze the window: Pause is obeyed at once, the event
loop never stalls, the view ends on the script's latest line, every line reaches the run's
log file, and a user scrolled up is left where they are."""

from __future__ import annotations

import itertools
import time

from PySide6.QtCore import QTimer

from app.runner import protocol as p
from app.ui.output_view import MAX_LINES

LINES = 2000  # printed per iteration

CHATTY = """\
import time
import autograd_core as ag
from autograd_core import nn

model = nn.Linear(2, 1)
STAMPS = {stamps!r}


def stamp(what, i):
    with open(STAMPS, "a") as f:
        f.write(f"{{what}} {{i}} {{time.monotonic()!r}}\\n")


def step(i):
    stamp("start", i)
    for n in range({lines}):
        print(f"iter {{i}} line {{n}} " + "x" * 40)
    loss = model(ag.ones(4, 2)).sum()
    loss.backward()
    stamp("end", i)
    return loss
"""


def _chatty(tmp_path):
    stamps = tmp_path / "stamps.txt"
    script = tmp_path / "chatty.py"
    script.write_text(CHATTY.format(stamps=str(stamps), lines=LINES))
    return script, stamps


def _stamps(path, what):
    rows = [line.split() for line in path.read_text().splitlines()]
    return [(int(i), float(t)) for kind, i, t in rows if kind == what]


def _last_line(view) -> str:
    return view.document().lastBlock().text()


class StallMeter:
    """The longest gap between ticks of a 5 ms timer: how long the event loop was busy."""

    def __init__(self) -> None:
        self.ticks: list[float] = []
        self.timer = QTimer()
        self.timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))

    def __enter__(self) -> StallMeter:
        self.timer.start(5)
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.stop()

    @property
    def longest_ms(self) -> float:
        return max(b - a for a, b in itertools.pairwise(self.ticks)) * 1e3


def test_pause_is_obeyed_at_once_and_the_window_never_stalls(qtbot, open_window, wait_state,
                                                             tmp_path):
    script, stamps = _chatty(tmp_path)
    w = open_window(script)
    wait_state(w, p.IDLE)
    qtbot.waitUntil(lambda: _last_line(w.output).startswith(f"iter 0 line {LINES - 1} "),
                    timeout=20_000)
    w.output.log_dir = tmp_path / "logs"
    w.output.new_run()
    with StallMeter() as meter:
        w.actions["run"].trigger()
        # The user watches the flood for a while (iterations counted, not time) and pauses.
        qtbot.waitUntil(lambda: len(_stamps(stamps, "end")) >= 20, timeout=60_000)
        paused_at = time.monotonic()
        w.actions["pause"].trigger()
        wait_state(w, p.IDLE)
    started = _stamps(stamps, "start")
    ended = _stamps(stamps, "end")
    after = [i for i, t in started if t > paused_at]
    assert len(after) <= 1, f"{len(after)} iterations started after Pause"
    assert ended[-1][1] - paused_at < 0.2, "the worker went on for more than 0.2 s"
    assert meter.longest_ms < 100, f"the event loop stalled for {meter.longest_ms:.0f} ms"
    last = ended[-1][0]
    qtbot.waitUntil(lambda: _last_line(w.output).startswith(f"iter {last} line {LINES - 1} "),
                    timeout=10_000)
    w.output.log.flush()
    logged = w.output.log_path.read_text().splitlines()
    expected = [f"iter {i} line {n} " + "x" * 40 for i in range(1, last + 1) for n in range(LINES)]
    assert logged == expected


def test_stop_is_obeyed_at_once_under_a_flood(qtbot, open_window, wait_state, tmp_path):
    script, stamps = _chatty(tmp_path)
    w = open_window(script)
    wait_state(w, p.IDLE)
    w.actions["run"].trigger()
    qtbot.waitUntil(lambda: len(_stamps(stamps, "end")) >= 10, timeout=60_000)
    stopped_at = time.monotonic()
    w.actions["stop"].trigger()
    wait_state(w, p.IDLE)
    shown = time.monotonic() - stopped_at
    late = [t for _, t in _stamps(stamps, "start") if t > stopped_at + 0.2]
    assert not late, "iterations kept starting after Stop"
    assert not [e for e in w.model.errors if e.kind == "killed"]  # stopped, not killed
    assert w.runner.alive and shown < 1.0, f"the window showed idle after {shown:.2f} s"


def _feed(window, start: int, count: int) -> None:
    window.model.apply(p.OutputBatch([("stdout", f"line {n}") for n in range(start,
                                                                               start + count)]))
    window.output.flush()


def test_a_flood_drops_the_oldest_lines_from_the_view_not_from_the_log(qtbot, settings,
                                                                       tmp_path):
    from app.ui.main_window import MainWindow

    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.output.log_dir = tmp_path
    w.output.new_run()
    _feed(w, 0, 5 * MAX_LINES)
    text = w.output.toPlainText().splitlines()
    assert text[0].startswith(f"[{4 * MAX_LINES + 1} lines not shown")
    assert text[-1] == f"line {5 * MAX_LINES - 1}" and len(text) == MAX_LINES
    w.output.log.flush()
    assert w.output.log_path.read_text().splitlines() == [
        f"line {n}" for n in range(5 * MAX_LINES)]


def test_a_view_scrolled_up_stays_put_until_scrolled_back_down(qtbot, settings, tmp_path):
    from app.ui.main_window import MainWindow

    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    w.output.log_dir = tmp_path
    w.output.new_run()
    _feed(w, 0, 500)
    bar = w.output.verticalScrollBar()
    assert bar.value() == bar.maximum() > 0          # following the end
    bar.setValue(10)                                 # the user scrolls up to read
    first = w.output.firstVisibleBlock().text()
    _feed(w, 500, 300)
    assert bar.value() == 10 and w.output.firstVisibleBlock().text() == first
    assert _last_line(w.output) == "line 499"
    assert "300 new lines below" in w.output_panel.note.text()
    bar.setValue(bar.maximum())                      # back at the end: follows again
    assert _last_line(w.output) == "line 799" and bar.value() == bar.maximum()
    _feed(w, 800, 1)
    assert _last_line(w.output) == "line 800" and bar.value() == bar.maximum()


def test_the_nan_example_shows_the_users_warning_and_none_of_the_engines(
        qtbot, open_window, wait_state, tmp_path):
    from tests.ui.conftest import EXAMPLES

    script = tmp_path / "nan_user.py"
    script.write_text((EXAMPLES / "nan_divergence.py").read_text() + (
        "\n_step = step\n\n"
        "def step(i):\n"
        "    if i == 150:\n"
        "        import warnings\n"
        "        warnings.warn('lr looks too large')\n"
        "    return _step(i)\n"))
    w = open_window(script)
    wait_state(w, p.IDLE)
    w.runner.send("run", 200)
    qtbot.waitUntil(lambda: "lr looks too large" in w.output.toPlainText(), timeout=30_000)
    wait_state(w, p.IDLE)
    w.output.flush()
    text = w.output.toPlainText()
    assert "nan_user.py:" in text and "UserWarning: lr looks too large" in text
    assert "autograd_core" not in text and "RuntimeWarning" not in text
    assert any(v != v for _, v in w.model.losses)  # it did diverge to NaN


def test_a_flood_of_long_lines_keeps_each_frame_short(qtbot, settings, tmp_path):
    from app.ui.main_window import MainWindow

    w = MainWindow(settings)
    qtbot.addWidget(w)
    w.show()
    w.output.log_dir = tmp_path
    w.output.new_run()
    longest = 0.0
    for k in range(30):
        lines = [("stdout", f"{k}.{n} " + "y" * 20_000) for n in range(100)]
        started = time.thread_time()  # the GUI thread's own time: a busy machine's
        w.model.apply(p.OutputBatch(lines))  # preemptions do not count
        w.output.flush()
        w.output.viewport().repaint()
        longest = max(longest, time.thread_time() - started)
    assert longest < 0.1, f"a frame took {longest * 1e3:.0f} ms of CPU"
    assert _last_line(w.output).startswith("29.99 yyy")
