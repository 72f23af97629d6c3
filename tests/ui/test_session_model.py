"""The session model under a fast run: captures from the pipe stay pickled until a view reads
them, and the window keeps the newest."""

from __future__ import annotations

from types import SimpleNamespace

from app.runner import protocol as p
from app.ui.session_model import SessionModel


def _from_pipe(i: int) -> p.Captured:
    event = p.Captured(i, SimpleNamespace(index=i, loss=None))
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
    assert type(model.captures[-1]) is SimpleNamespace
    assert type(model.captures[0]) is p.Captured                    # the rest still bytes
    model.select_capture(0)
    assert model.capture().index == 7 and model.capture_at(-2).index == 10
