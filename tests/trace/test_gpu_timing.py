"""GPU op timing: CUDA events around each op and backward node, read once after the iteration.

No GPU is needed: `FakeEvent` stands in for `cupy.cuda.Event` (record on a stream, synchronize)
and `elapsed` for `cupy.cuda.get_elapsed_time`, with CUDA's rule that reading the time of an
event that has not completed is an error. The recorder's op timing does not depend on the
arrays being CuPy ones, so numpy tensors drive it here.
"""

from __future__ import annotations

import pytest

import autograd_core as ag
from autograd_core import trace
from autograd_core.trace.gpu_timing import GpuTimer

TICK_MS = 0.004  # each record() advances the fake device clock by 4 microseconds


class FakeStream:
    """The device timeline: events complete in record order, once something waits for them."""

    def __init__(self) -> None:
        self.clock = 0
        self.completed = 0  # every event recorded at or before this tick has completed
        self.syncs = 0
        self.made = 0


class FakeEvent:
    stream: FakeStream

    def __init__(self) -> None:
        self.tick: int | None = None
        FakeEvent.stream.made += 1

    def record(self, stream: object = None) -> None:
        s = FakeEvent.stream
        s.clock += 1
        self.tick = s.clock

    def synchronize(self) -> None:
        s = FakeEvent.stream
        s.syncs += 1
        s.completed = max(s.completed, self.tick)


def elapsed(start: FakeEvent, stop: FakeEvent) -> float:
    if stop.tick > FakeEvent.stream.completed:
        raise RuntimeError("cudaErrorNotReady")  # what CUDA says for an unfinished event
    return (stop.tick - start.tick) * TICK_MS


@pytest.fixture()
def stream() -> FakeStream:
    FakeEvent.stream = FakeStream()
    return FakeEvent.stream


def test_timer_reads_every_pair_after_one_synchronize(stream: FakeStream) -> None:
    timer = GpuTimer(FakeEvent, elapsed)
    a = timer.start()
    b = timer.start()  # nested: an op inside a module span
    timer.tag(timer.stop(b), "inner")
    timer.tag(timer.stop(a), "outer")
    assert stream.syncs == 0  # nothing waits while ops are enqueued
    got = dict(timer.read())
    assert stream.syncs == 1
    assert got["inner"] == pytest.approx(1 * TICK_MS * 1e6)
    assert got["outer"] == pytest.approx(3 * TICK_MS * 1e6)
    assert timer.read() == []  # read once; the pool is free for the next iteration


def test_timer_reuses_its_events_across_iterations(stream: FakeStream) -> None:
    timer = GpuTimer(FakeEvent, elapsed)
    for _ in range(5):
        for k in range(3):
            timer.tag(timer.stop(timer.start()), k)
        assert len(timer.read()) == 3
    assert stream.made == 6


def test_recorder_fills_gpu_times_of_ops_and_backward_nodes(stream: FakeStream) -> None:
    w = ag.randn(4, 3, requires_grad=True)
    x = ag.randn(2, 4)
    with trace.record(stats="basic", gpu_timer=GpuTimer(FakeEvent, elapsed)) as rec:
        for _ in range(2):
            loss = (x @ w).tanh().sum()
            loss.backward()
            assert stream.syncs == len(rec.session)  # no synchronize inside an iteration
            rec.next_iteration()
    assert stream.syncs == 2
    for cap in rec.captures:
        ops = cap.ops()
        assert [n.op for n in ops] == ["MatMul", "Tanh", "Sum"]
        # start and stop events are adjacent on the fake stream: one tick per op
        assert all(n.gpu_ns == pytest.approx(TICK_MS * 1e6) for n in ops)
        assert len(cap.backward) == 3
        assert all(b.gpu_ns == pytest.approx(TICK_MS * 1e6) for b in cap.backward)
        assert all(n.gpu_ns is None for n in cap.nodes if n.kind != "op")


def test_gpu_time_lands_on_the_op_even_when_it_meets_new_leaves(stream: FakeStream) -> None:
    # Leaves seen first by an op take node ids before it: the time must follow the op.
    with trace.record(stats="off", gpu_timer=GpuTimer(FakeEvent, elapsed)) as rec:
        a, b = ag.randn(3, requires_grad=True), ag.randn(3, requires_grad=True)
        (a * b).sum().backward()
        rec.next_iteration()
    cap = rec.captures[0]
    timed = {n.kind for n in cap.nodes if n.gpu_ns is not None}
    assert timed == {"op"} and len(cap.ops()) == 2


def test_cpu_recording_has_no_gpu_times() -> None:
    w = ag.randn(3, 3, requires_grad=True)
    with trace.record(stats="off") as rec:
        (w * 2).sum().backward()
        rec.next_iteration()
    assert rec._gpu is None
    cap = rec.captures[0]
    assert all(n.gpu_ns is None for n in cap.nodes)
    assert all(b.gpu_ns is None for b in cap.backward)
