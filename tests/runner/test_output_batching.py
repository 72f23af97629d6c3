"""Printed lines travel in bounded batches: the sender folds queued lines into `OutputBatch`
events (order kept across streams and other events), a flood waits in `print` instead of
growing the queue without end, and a driver that does not ask for batches still gets one
`Output` per line."""

from __future__ import annotations

import threading

from app.runner import protocol as p
from app.runner.outbox import MAX_QUEUED_LINES, Outbox, fold_output
from tests.runner.wire_helpers import FramePipe as _Pipe


def test_lines_fold_into_bounded_batches_in_order():
    items = [p.Output("stdout", f"a{n}") for n in range(2500)]
    items += [p.Loss(0, 1.0), p.Output("stderr", "err"), p.Output("stdout", "out")]
    folded = fold_output(items)
    kinds = [type(e).__name__ for e in folded]
    assert kinds == ["OutputBatch"] * 3 + ["Loss", "OutputBatch"]
    assert [len(b.lines) for b in folded if type(b) is p.OutputBatch] == [
        p.OUTPUT_BATCH_LINES, p.OUTPUT_BATCH_LINES, 500, 2]
    lines = [line for b in folded if type(b) is p.OutputBatch for line in b.lines]
    assert lines[:2500] == [("stdout", f"a{n}") for n in range(2500)]
    assert lines[2500:] == [("stderr", "err"), ("stdout", "out")]  # streams stay interleaved


def test_long_lines_close_a_batch_by_size():
    big = "y" * (p.OUTPUT_BATCH_CHARS // 4)
    folded = fold_output([p.Output("stdout", big) for _ in range(10)])
    assert [len(b.lines) for b in folded] == [4, 4, 2]


def test_a_flood_waits_in_print_rather_than_queueing_without_bound():
    pipe = _Pipe(delay=0.05)
    box = Outbox(pipe, interval=0.01)
    done = threading.Event()

    def flood() -> None:
        for n in range(20 * MAX_QUEUED_LINES):
            box.put(p.Output("stdout", f"line {n}"))
        done.set()

    peak = 0
    thread = threading.Thread(target=flood)
    thread.start()
    while not done.wait(0.001):
        peak = max(peak, len(box._items))
    thread.join()
    box.close(timeout=30)
    assert peak <= MAX_QUEUED_LINES + 1
    batches = [e for e in pipe.sent if type(e) is p.OutputBatch]
    assert all(len(b.lines) <= p.OUTPUT_BATCH_LINES for b in batches)
    assert [t for b in batches for _, t in b.lines] == [
        f"line {n}" for n in range(20 * MAX_QUEUED_LINES)]


CHATTY = """
import sys
model = nn.Module()
w = ag.ones(3, requires_grad=True)

def step(i):
    for n in range(3000):
        print(f"{i}:{n}")
        if n % 1000 == 0:
            print(f"{i}:{n} err", file=sys.stderr)
    loss = (w * 2.0).sum()
    loss.backward()
    return loss
"""


def test_a_window_gets_few_batches_and_a_plain_driver_gets_every_line(start):
    expected = [(("stderr", f"{i}:{n} err") if err else ("stdout", f"{i}:{n}"))
                for i in range(2) for n in range(3000)
                for err in ((False, True) if n % 1000 == 0 else (False,))]
    batched = start(CHATTY, name="a.py")
    batched.driver.batch_output = True
    plain = start(CHATTY, name="b.py")
    for s in (batched, plain):
        s.wait_state(p.IDLE)
        s.driver.run(2)
        s.wait_for(lambda e: isinstance(e, p.Finished))
    batches = batched.of(p.OutputBatch)
    assert not batched.of(p.Output) and len(batches) <= 6006 // 50  # not one per line
    assert [line for b in batches for line in b.lines] == expected
    assert not plain.of(p.OutputBatch)
    assert [(e.stream, e.text) for e in plain.of(p.Output)] == expected
