"""Captures holding a NaN/Inf are flagged by the worker and the first one survives a viewer's
thinned backlog: the window must be able to show where a NaN was born."""

from __future__ import annotations

from types import SimpleNamespace

from app.runner import protocol as p
from app.runner.outbox import Outbox
from tests.runner.wire_helpers import FramePipe as _Pipe
from tests.runner.wire_helpers import capture


def _cap(i: int, origin: object = None) -> SimpleNamespace:
    return SimpleNamespace(index=i, health=SimpleNamespace(first_nonfinite=origin))


def test_the_flag_follows_the_health_origin():
    assert p.Captured.of(3, _cap(3, origin="Log")).nonfinite
    assert not p.Captured.of(3, _cap(3)).nonfinite
    assert not p.Captured.of(3, {"index": 3}).nonfinite


def test_the_first_nonfinite_capture_is_never_thinned_away():
    pipe = _Pipe()
    box = Outbox(pipe, interval=3600, keep_captures=3)  # flushed by hand below
    for i in range(10):
        box.put(p.Captured.of(i, capture(i, origin="Log" if i >= 2 else None)))
    box._flush()
    box.close()
    assert [e.iteration for e in pipe.sent] == [2, 8, 9]  # the birth + the newest: 3 kept
    assert pipe.sent[0].nonfinite
