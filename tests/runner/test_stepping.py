"""Step mode: the worker blocks in the engine hook after each op or node and says which ran."""

from __future__ import annotations

from app.runner import protocol as p

CHAIN = """
model = nn.Module()
w = ag.ones(3, requires_grad=True)

def step(i):
    y = w * 2.0
    z = y.exp()
    loss = z.sum()
    loss.backward()
    return loss
"""


def stepped(e: object) -> bool:
    return isinstance(e, p.Stepped | p.Finished)


def walk(s, command) -> list[p.Stepped]:
    """Send `command` until the iteration finishes; the Stepped events in order."""
    out = []
    command()
    while True:
        e = s.wait_for(stepped)
        if isinstance(e, p.Finished):
            return out
        out.append(e)
        command()


def test_forward_ops_in_order_then_backward_nodes_in_reverse_topological_order(start):
    s = start(CHAIN, record="basic")
    s.wait_state(p.IDLE, timeout=60)
    steps = walk(s, s.driver.step_forward)
    names = [(e.phase, e.name) for e in steps]
    assert names == [("forward", "Mul"), ("forward", "Exp"), ("forward", "Sum"),
                     ("backward", "SumBackward0"), ("backward", "ExpBackward0"),
                     ("backward", "MulBackward0")]
    assert [e.index for e in steps] == [0, 1, 2, 0, 1, 2]
    assert steps[0].outputs == ((3,),) and steps[3].outputs == ((3,),)
    # With recording on, each step carries the trace's record of exactly that op/node.
    assert [e.record.op for e in steps[:3]] == ["Mul", "Exp", "Sum"]
    assert [e.record.name for e in steps[3:]] == ["SumBackward0", "ExpBackward0",
                                                  "MulBackward0"]
    # The iteration still completes normally: loss and capture arrive.
    assert abs(s.of(p.Loss)[-1].value - 3 * 2.718281828459045**2) < 1e-4
    assert s.of(p.Captured)[-1].capture.index == 0


def test_step_backward_skips_the_forward_pass_and_finish_runs_to_the_end(start):
    s = start(CHAIN)
    s.wait_state(p.IDLE)
    s.driver.step_backward()
    first = s.wait_for(stepped)
    assert (first.phase, first.name, first.iteration) == ("backward", "SumBackward0", 0)
    s.wait_state(p.STEPPING)
    s.driver.finish_iteration()
    done = s.wait_for(lambda e: isinstance(e, p.Finished))
    assert done.iteration == 1
    s.wait_state(p.IDLE)
    assert len(s.of(p.Stepped)) == 1


def test_stop_while_stepping_abandons_the_iteration(start):
    s = start(CHAIN)
    s.wait_state(p.IDLE)
    s.driver.step_forward()
    s.wait_for(stepped)
    s.driver.stop()
    status = s.wait_state(p.IDLE, timeout=5)
    assert status.iteration == 0 and not s.of(p.Loss) and s.driver.alive
    s.driver.run(2)
    assert s.wait_for(lambda e: isinstance(e, p.Finished)).iteration == 2


def test_run_from_step_mode_continues_without_blocking(start):
    s = start(CHAIN)
    s.wait_state(p.IDLE)
    s.driver.step_forward()
    s.wait_for(stepped)
    s.driver.run(3)
    done = s.wait_for(lambda e: isinstance(e, p.Finished))
    assert done.iteration == 3 and len(s.of(p.Stepped)) == 1


def test_stepping_backward_through_cross_entropy_while_recording(start):
    """CrossEntropy hands back more gradients than it has graph inputs (the labels get None):
    the recorder's step-mode record of that node must still build."""
    s = start("""
        import autograd_core.nn.functional as F
        model = nn.Linear(2, 3)
        x, y = ag.ones(4, 2), ag.tensor([0, 1, 2, 0])

        def step(i):
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            return loss
        """, record="basic")
    s.wait_state(p.IDLE, timeout=60)
    s.driver.step_backward()
    first = s.wait_for(stepped)
    assert (first.phase, first.name) == ("backward", "CrossEntropyBackward0")
    assert first.record.name == "CrossEntropyBackward0" and first.record.grads[0] is not None
    s.driver.finish_iteration()
    s.wait_for(lambda e: isinstance(e, p.Finished))
    assert not s.of(p.Error)
