"""The event stream under load: a budgeted poll leaves the rest for later without losing or
reordering anything, captures decode on first read, a viewer's backlog is thinned to its
window, and a broken event never stops the stream."""

from __future__ import annotations

import time
from multiprocessing.connection import wait

from app.runner import protocol as p
from app.runner.outbox import Outbox
from tests.runner.wire_helpers import FramePipe as _Pipe
from tests.runner.wire_helpers import capture


def test_a_backlog_keeps_every_loss_and_only_the_window_of_newest_captures():
    pipe = _Pipe()
    box = Outbox(pipe, interval=3600, keep_captures=3)  # flushed by hand below
    for i in range(10):
        box.put(p.Loss(i, float(i)))
        box.put(p.Captured(i, capture(i)))
    box._flush()
    box.close()
    assert [e.iteration for e in pipe.sent if isinstance(e, p.Loss)] == list(range(10))
    captured = [e for e in pipe.sent if isinstance(e, p.Captured)]
    assert [e.iteration for e in captured] == [7, 8, 9]
    assert type(captured[0].payload) is bytes                     # not decoded yet...
    assert captured[0].capture == capture(7)                      # ...until read
    assert box.dropped_captures == 7
    kinds = [type(e).__name__ for e in pipe.sent]
    assert kinds.index("Captured") > kinds.index("Loss")           # order kept


def test_an_event_that_cannot_be_sent_is_reported_and_the_rest_still_arrive():
    pipe = _Pipe()
    box = Outbox(pipe, interval=3600)
    box.put(p.Loss(0, 1.0))
    box.put(p.Output("stdout", lambda: None))  # type: ignore[arg-type]
    box.put(p.Loss(1, 2.0))
    box.close()                                 # sends what is left
    assert [type(e).__name__ for e in pipe.sent] == ["Loss", "Error", "Loss"]
    assert pipe.sent[1].kind == "internal" and "Output" in pipe.sent[1].message


def test_a_budgeted_poll_reads_a_slice_and_death_is_reported_after_the_last_event(start):
    s = start("""
        import os, sys, time
        model = nn.Module()

        def step(i):
            for n in range(200):
                print(f"line {n}")
                sys.stdout.flush()
            time.sleep(1.0)  # os._exit drops what the sender thread has not sent yet
            os._exit(3)
        """)
    s.wait_state(p.IDLE)
    s.driver.run(1)
    events, polls = [], 0
    deadline = time.monotonic() + 20
    while not any(isinstance(e, p.Died) for e in events) and time.monotonic() < deadline:
        wait([s.driver], 1.0)
        events += s.driver.poll_events(budget=0.0)  # one message per call
        polls += 1
    lines = [e.text for e in events if isinstance(e, p.Output)]
    assert lines == [f"line {n}" for n in range(200)]
    assert isinstance(events[-1], p.Died) and events[-1].exitcode == 3
    # The worker may ship the 200 lines as one message or many (its sender batches when it
    # is behind), so only this is certain: death came in a later poll than the output.
    assert polls >= 2 and not s.driver.pending()


def test_stepping_an_op_sends_the_params_and_inputs_it_read_first(start):
    s = start("""
        lin = nn.Linear(3, 2)
        model = nn.Sequential(lin)
        x = ag.ones(4, 3)

        def step(i):
            h = model(x)
            loss = (h * h).sum()
            loss.backward()
            return loss
        """, record="basic")
    s.wait_state(p.IDLE, timeout=60)
    keys = []
    for _ in range(3):
        s.driver.step_forward()
        e = s.wait_for(lambda e: isinstance(e, p.Stepped))
        keys.append((e.record.key, sorted(leaf.key for leaf in e.leaves),
                     e.record.source.rpartition("/")[2]))
    # Source lines name the user's script, never the runner between the engine and the trace.
    assert keys == [("0/Linear#0", ["input:0", "param:0.bias", "param:0.weight"], "model.py:9"),
                    ("/Mul#0", [], "model.py:10"), ("/Sum#0", [], "model.py:10")]
    s.driver.finish_iteration()
    s.wait_for(lambda e: isinstance(e, p.Finished))
