"""Anomaly detection against PyTorch: the NaN error, the warning with the forward traceback,
the switches and their nesting, and backward left as it was.

Each scenario runs through the same lines with T = torch and T = autograd_core, so the
forward traceback in both warnings names the same file, lines and functions.
"""

from __future__ import annotations

import re
import sys
import warnings
from typing import Any

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import hooks

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.oracle

_ENABLED = "Anomaly Detection has been enabled. This mode will increase the runtime and " \
           "should only be enabled for debugging."


def _nan_loss(T: Any) -> tuple[Any, Any]:
    """log(0) times zero: LogBackward0 computes 0/0."""
    x = T.zeros(2, dtype=T.float64, requires_grad=True)
    y = x.log()  # the forward line the warning names
    return x, (y * 0).sum()


def _user_warnings(caught: list) -> list[tuple[type, str]]:
    """UserWarnings as (class, text), without PyTorch's C++ location suffix."""
    return [(w.category, re.sub(r" \(Triggered internally at .*\)$", "", str(w.message),
                                flags=re.S)) for w in caught if w.category is UserWarning]


def _run(T: Any, scenario: Any) -> tuple[tuple[type, str] | None, list, Any]:
    """(error class and text or None, user warnings, result) of scenario(T)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        error, result = None, None
        try:
            result = scenario(T)
        except Exception as e:  # the scenario's error is the observation
            error = (type(e), str(e))
    return error, _user_warnings(caught), result


def _same(scenario: Any) -> tuple:
    """Runs both from one line, so their tracebacks match frame for frame."""
    theirs, ours = [_run(T, scenario) for T in (torch, ag)]
    assert ours[:2] == theirs[:2]
    return ours


@pytest.fixture(autouse=True)
def _mode_off() -> Any:
    yield
    assert not ag.is_anomaly_enabled() and hooks.state.observer is None


def test_nan_in_backward_raises_with_the_forward_traceback() -> None:
    def scenario(T: Any) -> None:
        with T.autograd.detect_anomaly():
            _, loss = _nan_loss(T)
            loss.backward()

    error, caught, _ = _same(scenario)
    assert error == (RuntimeError, "Function 'LogBackward0' returned nan values in its 0th "
                                   "output.")
    enabled, detected = caught
    assert enabled == (UserWarning, _ENABLED)
    assert detected[1].startswith("Error detected in LogBackward0. Traceback of forward call "
                                  "that caused the error:\n")
    assert detected[1].endswith("    y = x.log()  # the forward line the warning names\n")
    assert __file__ in detected[1] and "in _nan_loss" in detected[1]


def test_the_warning_points_at_the_users_backward_call() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = sys._getframe().f_lineno + 1
        with ag.autograd.detect_anomaly(), pytest.raises(RuntimeError):
            _nan_loss(ag)[1].backward()
    # detect_anomaly() warns at its line, the error at the backward() call
    assert [(w.filename, w.lineno) for w in caught if w.category is UserWarning] == [
        (__file__, line), (__file__, line + 1)]


def test_the_index_of_the_nan_output_and_autograd_grad() -> None:
    def scenario(T: Any) -> Any:
        with T.autograd.set_detect_anomaly(True):
            a = T.full((2,), float("inf"), dtype=T.float64, requires_grad=True)
            b = T.zeros(2, dtype=T.float64, requires_grad=True)
            return T.autograd.grad((a * b * 0).sum(), [a, b])  # d/db = 0 * inf

    error, _, _ = _same(scenario)
    assert error == (RuntimeError, "Function 'MulBackward0' returned nan values in its 1th "
                                   "output.")


def test_create_graph_walk_checks_too() -> None:
    def scenario(T: Any) -> Any:
        with T.autograd.detect_anomaly():
            x, loss = _nan_loss(T)
            return T.autograd.grad(loss, x, create_graph=True)

    error, caught, _ = _same(scenario)
    assert error is not None and error[1].startswith("Function 'LogBackward0'")
    assert len(caught) == 2


def test_a_node_made_before_the_mode_has_no_traceback() -> None:
    def scenario(T: Any) -> None:
        _, loss = _nan_loss(T)
        with T.autograd.set_detect_anomaly(True):
            loss.backward()

    _, caught, _ = _same(scenario)
    assert caught == [(UserWarning, "Error detected in LogBackward0. No forward pass "
                                    "information available. Enable detect anomaly during "
                                    "forward pass for more information.")]


def test_an_error_in_a_custom_backward_warns_and_propagates() -> None:
    def scenario(T: Any) -> None:
        class Boom(T.autograd.Function):
            @staticmethod
            def forward(ctx: Any, x: Any) -> Any:
                return x.clone()

            @staticmethod
            def backward(ctx: Any, g: Any) -> Any:
                raise ValueError("boom")

        with T.autograd.detect_anomaly():
            x = T.ones(2, requires_grad=True)
            Boom.apply(x).sum().backward()

    error, caught, _ = _run(ag, scenario)
    assert error == (ValueError, "boom") == _run(torch, scenario)[0]
    assert caught[1][1].startswith("Error detected in BoomBackward. Traceback of forward call")
    assert caught[1][1].endswith("    Boom.apply(x).sum().backward()\n")


def test_check_nan_false_lets_nan_through() -> None:
    def scenario(T: Any) -> list:
        with T.autograd.detect_anomaly(check_nan=False):
            x, loss = _nan_loss(T)
            loss.backward()
            return [T.is_anomaly_enabled(), T.is_anomaly_check_nan_enabled(), x.grad.tolist()]

    error, _, result = _same(scenario)
    assert error is None
    assert str(result) == str(_run(torch, scenario)[2]) == "[True, False, [nan, nan]]"


def test_switches_nest_and_restore_like_torchs() -> None:
    def scenario(T: Any) -> list:
        seen = [(T.is_anomaly_enabled(), T.is_anomaly_check_nan_enabled())]
        with T.autograd.detect_anomaly(check_nan=False):
            seen.append((T.is_anomaly_enabled(), T.is_anomaly_check_nan_enabled()))
            with T.autograd.set_detect_anomaly(False):
                seen.append((T.is_anomaly_enabled(), T.is_anomaly_check_nan_enabled()))
            seen.append((T.is_anomaly_enabled(), T.is_anomaly_check_nan_enabled()))
        seen.append((T.is_anomaly_enabled(), T.is_anomaly_check_nan_enabled()))
        T.autograd.set_detect_anomaly(True, check_nan=False)  # as a plain call
        seen.append((T.is_anomaly_enabled(), T.is_anomaly_check_nan_enabled()))
        T.set_anomaly_enabled(False)
        seen.append((T.is_anomaly_enabled(), T.is_anomaly_check_nan_enabled()))
        return seen

    assert _same(scenario)[2] == _run(torch, scenario)[2]
    assert _run(ag, scenario)[2][2] == (False, True)


def test_detect_anomaly_is_no_decorator_in_torch_either() -> None:
    def scenario(T: Any) -> None:
        @T.autograd.detect_anomaly()
        def f() -> None:
            pass

    assert _same(scenario)[0] == (TypeError, "'detect_anomaly' object is not callable")


def test_names_are_torchs() -> None:
    for name in ("detect_anomaly", "set_detect_anomaly", "anomaly_mode"):
        assert hasattr(ag.autograd, name) and hasattr(torch.autograd, name)
    assert ag.autograd.anomaly_mode.__all__ == torch.autograd.anomaly_mode.__all__
    for name in ("is_anomaly_enabled", "is_anomaly_check_nan_enabled", "set_anomaly_enabled"):
        assert hasattr(ag, name) and hasattr(torch, name)


def test_backward_without_nan_is_unchanged() -> None:
    def scenario(T: Any) -> list:
        w = T.tensor([[0.5, -1.0], [2.0, 0.25]], dtype=T.float64, requires_grad=True)
        x = T.tensor([1.0, 3.0], dtype=T.float64, requires_grad=True)
        out = []
        for mode in (False, True):
            with T.autograd.set_detect_anomaly(mode):
                y = T.tanh(w @ x).exp() * x
                y.pow(2).sum().backward()
            out += [w.grad.tolist(), x.grad.tolist()]
            w.grad = x.grad = None
        return out

    error, _, result = _same(scenario)
    assert error is None and result[:2] == result[2:]
    for o, t in zip(result, _run(torch, scenario)[2]):
        assert np.allclose(o, t, rtol=1e-12, atol=0)


class _Spy:
    """A stand-in for the trace recorder: counts what the engine tells it."""

    op_begin = None
    backward_begin = None

    def __init__(self) -> None:
        self.ops: list[str] = []
        self.nodes: list[str] = []

    def op_end(self, token: Any, fn: type, *rest: Any) -> None:
        self.ops.append(fn.__name__)

    def backward_end(self, token: Any, node: Any, *rest: Any) -> None:
        self.nodes.append(node.name())

    def module_enter(self, module: Any) -> None:
        return None

    def module_exit(self, token: Any, module: Any, output: Any) -> None:
        pass

    def phase(self, name: str) -> None:
        pass


def test_an_attached_observer_keeps_seeing_everything() -> None:
    spy = _Spy()
    previous = hooks.set_observer(spy)
    try:
        with ag.autograd.set_detect_anomaly(True):
            assert hooks.get_observer() is spy
            x = ag.ones(2, requires_grad=True)
            (x.exp() * 2).sum().backward()
            inner = _Spy()
            assert hooks.set_observer(inner) is spy and hooks.get_observer() is inner
            assert hooks.set_observer(spy) is inner
        assert hooks.state.observer is spy
    finally:
        hooks.set_observer(previous)
    assert spy.ops == ["Exp", "Mul", "Sum"]
    assert spy.nodes == ["SumBackward0", "MulBackward0", "ExpBackward0"]
