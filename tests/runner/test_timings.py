"""Captured times are the model's, not the user's: step-mode pauses stay out of them."""

from __future__ import annotations

import statistics
import time

from app.runner import protocol as p

# Matrix products of a few milliseconds each: large against timer and scheduling noise.
MATMULS = """
model = nn.Sequential(nn.Linear(256, 256), nn.Tanh(), nn.Linear(256, 256), nn.Tanh(),
                      nn.Linear(256, 1))
x = ag.randn(512, 256)

def step(i):
    loss = model(x).pow(2).mean()
    loss.backward()
    return loss
"""
FREE = 5       # iterations run freely, before and after the stepped one
STEPS = 5      # forward ops stepped through
WAIT = 1.0     # the user's pause between presses (seconds)


def _captures(s, n: int) -> list:
    """The next `n` captures."""
    return [s.wait_for(lambda e: isinstance(e, p.Captured), timeout=60).capture
            for _ in range(n)]


def _stepped_capture(s) -> tuple:
    """Step STEPS forward ops, pausing WAIT between presses, then finish the iteration."""
    for _ in range(STEPS):
        s.driver.step_forward()
        s.wait_for(lambda e: isinstance(e, p.Stepped), timeout=30)
        time.sleep(WAIT)  # the user looking at the op: a deliberate pause, not a wait
    s.driver.finish_iteration()
    capture = _captures(s, 1)[0]  # sent just before Finished
    return capture, s.wait_for(lambda e: isinstance(e, p.Finished), timeout=30)


def _op_times(capture) -> list[int]:
    return [n.time_ns for n in capture.ops()]


def test_stepping_with_pauses_keeps_op_times_and_duration_of_a_free_run(start):
    s = start(MATMULS, record="off")
    s.wait_state(p.IDLE, timeout=60)
    s.driver.run(FREE)
    free = _captures(s, FREE)
    s.wait_state(p.IDLE, timeout=30)
    # Two stepped iterations; each figure is the better of the two (the machine is shared,
    # and a pause counted in would show in both: seconds against milliseconds).
    stepped = [_stepped_capture(s) for _ in range(2)]
    s.driver.run(FREE)
    free += _captures(s, FREE)
    free = free[1:]  # the first iteration warms caches and allocators

    # The iteration's duration counts active time only: it would be > STEPS * WAIT otherwise.
    free_duration = statistics.median(c.duration_ns for c in free)
    duration = min(c.duration_ns for c, _ in stepped)
    assert duration < 2 * free_duration, (duration, free_duration)
    elapsed = min(f.elapsed for _, f in stepped)
    assert elapsed < 2 * free_duration / 1e9 + 0.05  # the worker's own count too
    # The stepped ops' own times, against the same ops of the free iterations.
    ops = min(sum(_op_times(c)[:STEPS]) for c, _ in stepped)
    reference = sum(statistics.median(_op_times(c)[k] for c in free) for k in range(STEPS))
    assert ops < 2 * reference, (ops, reference)
    # Module spans and phases leave the pauses out as well.
    top = min(max(m.time_ns for m in c.modules) for c, _ in stepped)  # the Sequential
    free_top = statistics.median(max(m.time_ns for m in c.modules) for c in free)
    assert top < 2 * free_top, (top, free_top)
    for capture, _ in stepped:  # the timeline: everything ends within the active duration
        ends = [n.start_ns + n.time_ns for n in capture.ops()]
        ends += [b.start_ns + b.time_ns for b in capture.backward]
        ends += [m.start_ns + m.time_ns for m in capture.modules]
        ends += [end for _, end in capture.phases.values()]
        assert max(ends) <= capture.duration_ns < STEPS * WAIT * 1e9 / 10


def test_captures_say_how_their_times_were_measured(start):
    s = start(MATMULS, record="off", threads=1)
    s.wait_state(p.IDLE, timeout=60)
    s.driver.run(1)
    capture = _captures(s, 1)[0]
    assert (capture.clock, capture.threads) == ("wall", 1)
