"""Health: where a NaN was born, gradient norms, vanishing/exploding flags."""

from __future__ import annotations

import autograd_core as ag
from autograd_core import trace


def test_first_nan_is_named_with_phase_and_source_line() -> None:
    x = ag.tensor([1.0, -1.0, 2.0], requires_grad=True)
    with trace.record(stats="basic") as rec:
        y = x * 3
        z = y.log()  # log(-3) is the first NaN: this line
        line = z.__class__ and __import__("inspect").currentframe().f_lineno - 1
        (z * 2).sum().backward()
        rec.next_iteration()
    origin = rec.captures[0].health.first_nonfinite
    assert origin is not None
    assert origin.key == "/Log#0" and origin.phase == "forward" and origin.where == "output"
    assert origin.source.endswith(f"test_health.py:{line}") and origin.nan == 1


def test_nan_born_in_backward_is_found_in_backward() -> None:
    x = ag.tensor([0.0, 4.0], requires_grad=True)
    with trace.record(stats="basic") as rec:
        x.sqrt().sum().backward()  # d sqrt(x)/dx at 0 is inf
        rec.next_iteration()
    origin = rec.captures[0].health.first_nonfinite
    assert origin.key == "/Sqrt#0" and origin.phase == "backward" and origin.where == "grad"
    assert origin.inf == 1


def test_clean_iteration_has_no_origin(recorded: trace.Recorder) -> None:
    health = recorded.captures[0].health
    assert health.first_nonfinite is None
    assert set(health.param_grad_norms) == set(health.update_ratios)
    assert all(0 < r < 1 for r in health.update_ratios.values())


def test_vanishing_and_exploding_thresholds_are_configurable() -> None:
    def run(config: trace.HealthConfig) -> trace.Health:
        w = ag.tensor([1.0, 1.0], requires_grad=True)
        with trace.record(stats="basic", health=config) as rec:
            ((w * 100.0).sum() + (w * 1e-5).sum()).backward()
            rec.next_iteration()
        return rec.captures[0].health

    default = run(trace.HealthConfig())
    assert "/Mul#0" not in default.exploding and "/Mul#1" not in default.vanishing
    assert "/Sum#0" not in default.exploding
    h = run(trace.HealthConfig(vanish=1e-3, explode=10.0))
    assert "/Sum#0" not in h.exploding  # its outgoing gradient is ones: norm 1.4
    assert "/Mul#0" in h.exploding and "/Mul#1" in h.vanishing
    assert (h.vanish_threshold, h.explode_threshold) == (1e-3, 10.0)


def _origin(fn) -> trace.NonFiniteOrigin | None:
    with trace.record(stats="basic") as rec:
        fn()
        rec.next_iteration()
    return rec.captures[0].health.first_nonfinite


def _scores() -> ag.Tensor:
    return ag.tensor([[0.5, 1.0, -0.3], [0.2, 0.1, 0.4], [1.5, -2.0, 0.0]], requires_grad=True)


def test_a_minus_inf_mask_before_softmax_is_not_trouble() -> None:
    # Every causal transformer writes its mask this way; the window must not cry NaN for it.
    s = _scores()
    causal = ag.triu(ag.full((3, 3), float("-inf")), diagonal=1)
    assert _origin(lambda: (s + causal).softmax(-1).sum().backward()) is None

    def masked() -> ag.Tensor:
        return s.masked_fill(ag.ones(3, 3).triu(1).bool(), float("-inf")).softmax(-1)

    assert _origin(lambda: (masked() * 2).sum().backward()) is None


def test_a_nan_after_a_mask_is_blamed_on_its_own_op() -> None:
    s = _scores()

    def run() -> None:
        p = (s + ag.triu(ag.full((3, 3), float("-inf")), diagonal=1)).softmax(-1)
        (p - 0.5).log().sum().backward()  # log of a negative: the NaN is born here

    origin = _origin(run)
    assert origin is not None and origin.key == "/Log#0" and origin.nan > 0


def test_a_nan_made_of_infs_is_blamed_on_the_op_that_made_the_inf() -> None:
    x = ag.tensor([1.0, 800.0], dtype=ag.float64, requires_grad=True)
    origin = _origin(lambda: (x.exp() - x.exp()).sum().backward())  # inf - inf
    assert origin is not None and origin.key == "/Exp#0" and origin.inf == 1


def test_a_fully_masked_row_is_blamed_on_the_mask() -> None:
    s = _scores()
    everything = ag.ones(3, 3, dtype=ag.bool)
    origin = _origin(lambda: s.masked_fill(everything, float("-inf")).softmax(-1).sum().backward())
    assert origin is not None and origin.key == "/MaskedFill#0" and origin.inf == 9


def test_an_inf_that_reaches_the_loss_is_trouble() -> None:
    x = ag.tensor([1.0, 800.0], dtype=ag.float64, requires_grad=True)
    origin = _origin(lambda: x.exp().sum().backward())
    assert origin is not None and origin.key == "/Exp#0" and origin.where == "output"
