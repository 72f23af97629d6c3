"""The session model under a fast run: captures from the pipe stay encoded until a view reads
them, and the window keeps the newest."""

from __future__ import annotations

from app.runner import protocol as p
from app.ui.session_model import SessionModel
from autograd_core.trace.records import Health, IterationCapture, NodeRecord, NonFiniteOrigin


def _from_pipe(i: int) -> p.Captured:
    event = p.Captured(i, IterationCapture(index=i, level="basic", wall_time=1.0))
    event.encode()  # as the worker's sender ships it
    return event


def test_captures_decode_only_when_shown_and_the_window_keeps_the_newest(qtbot):
    model = SessionModel(window=5)
    added = []
    model.capture_added.connect(added.append)
    for i in range(12):
        model.apply(_from_pipe(i))
    assert len(added) == 12 and model.iterations_seen == 12
    assert all(type(c) is p.Captured for c in model.captures)     # nothing decoded yet
    assert model.capture().index == 11                              # the newest, decoded
    assert type(model.captures[-1]) is IterationCapture
    assert type(model.captures[0]) is p.Captured                    # the rest still bytes
    model.select_capture(0)
    assert model.capture().index == 7 and model.capture_at(-2).index == 10


def _nan_capture(i: int, born: bool) -> p.Captured:
    origin = NonFiniteOrigin(0, "/Log#0", "forward", "m.py:30", "output", 1, 0) \
        if born else None
    node = NodeRecord(0, "/Log#0", "op", "Log", "", "m.py:30", "step", "forward", (), ())
    cap = IterationCapture(index=i, level="basic", wall_time=1.0, nodes=[node],
                           loss=float("nan") if born else 1.0,
                           health=Health(first_nonfinite=origin))
    event = p.Captured.of(i, cap)
    event.encode()
    return event


def test_the_nan_birth_stays_in_the_window_and_is_announced_once(qtbot):
    model = SessionModel(window=5)
    found = []
    model.nan_found.connect(found.append)
    for i in range(40):
        model.apply(_nan_capture(i, born=i >= 3))                  # born at 3, NaN after
    assert [b.iteration for b in found] == [3] and model.nan_birth.op == "Log"
    assert len(model.captures) == 5 and model.position_of_iteration(3) == 0
    assert [model.capture_at(k).index for k in range(5)] == [3, 36, 37, 38, 39]
    assert model.nonfinite_positions() == [0, 1, 2, 3, 4]
    model.start_run("script", "x.py")                              # a new run forgets it
    assert model.nan_birth is None
