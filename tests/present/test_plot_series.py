"""The plots' series, computed without Qt: smoothing, log scale, non-finite marks, hover
readout, iterations per second and per-parameter lines."""

from __future__ import annotations

import math
from types import SimpleNamespace

from app.present.plot_series import (
    loss_series,
    nearest,
    parameter_names,
    parameter_series,
    readout,
    smooth,
    speed_from_captures,
)
from autograd_core.trace.records import Health


def test_smoothing_is_a_debiased_moving_average_that_skips_non_finite_values():
    assert smooth([2.0, 2.0, 2.0], 0.9) == [2.0, 2.0, 2.0]  # no pull towards zero at start
    out = smooth([1.0, math.nan, 3.0], 0.5)
    assert out[0] == 1.0 and math.isnan(out[1])
    assert math.isclose(out[2], (0.25 * 1 + 0.5 * 3) / 0.75)  # the NaN is not averaged in
    assert smooth([1.0, 5.0], 0.0) == [1.0, 5.0]


def test_non_finite_losses_are_marked_not_dropped():
    s = loss_series([(0, 1.0), (1, math.nan), (2, math.inf), (3, -math.inf), (4, 0.5)])
    assert s.x == [0, 1, 2, 3, 4]
    assert s.marks == [(1, "nan"), (2, "+inf"), (3, "-inf")]
    assert math.isnan(s.y[1]) and s.y[4] == 0.5
    assert readout(s, 1.2) == "iteration 1: loss nan"


def test_a_log_scale_hides_non_positive_losses_and_says_how_many():
    s = loss_series([(0, 1.0), (1, 0.0), (2, -1.0), (3, 0.1)], log=True)
    assert s.hidden == 2 and math.isnan(s.y[1]) and math.isnan(s.y[2]) and s.y[3] == 0.1
    assert loss_series([(0, 0.0)]).hidden == 0


def test_hover_reads_the_nearest_iteration_with_its_smoothed_value():
    s = loss_series([(0, 4.0), (10, 2.0), (20, 1.0)], smoothing=0.5)
    assert nearest(s.x, 14.0) == 1 and nearest(s.x, 16.0) == 2 and nearest([], 1) == -1
    assert readout(s, 9).startswith("iteration 10: loss 2 (smoothed ")
    assert readout(loss_series([]), 3) == ""


def test_iterations_per_second_come_from_the_captures_clocks():
    caps = [SimpleNamespace(index=0, wall_time=10.0), None,
            SimpleNamespace(index=2, wall_time=10.5), SimpleNamespace(index=3, wall_time=10.5),
            SimpleNamespace(index=7, wall_time=12.5)]
    assert speed_from_captures(caps) == ([2, 7], [4.0, 2.0])  # a zero gap is left out


def _cap(index, norms, ratios):
    return SimpleNamespace(index=index, health=Health(param_grad_norms=norms,
                                                      update_ratios=ratios))


def test_parameter_lines_follow_the_ticked_parameters_across_captures():
    caps = [_cap(0, {"0.weight": 1.0, "0.bias": 0.5}, {"0.weight": 1e-3}),
            _cap(1, {"0.weight": 0.5, "2.weight": math.nan}, {"0.weight": 2e-3})]
    assert parameter_names(caps) == ["0.weight", "0.bias", "2.weight"]
    grad = parameter_series(caps, ["0.weight", "2.weight"], "grad")
    assert [(g.name, g.x) for g in grad] == [("0.weight", [0, 1]), ("2.weight", [1])]
    assert grad[0].y == [1.0, 0.5] and math.isnan(grad[1].y[0])
    ratio = parameter_series(caps, ["0.weight", "0.bias"], "ratio")
    assert ratio[0].y == [1e-3, 2e-3] and ratio[1].x == []
