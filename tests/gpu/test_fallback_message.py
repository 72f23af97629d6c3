"""A fast path that fails with any exception, even one with an empty message, falls back.

The fast paths run on CuPy arrays only; here numpy subclasses stand in for them and the
kernel builder raises, so the failure report and the fallback run on the CPU.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from autograd_core import backend
from autograd_core.backend import fastpath, kernels


class DevArray(np.ndarray):
    """Not `numpy.ndarray` by type, so the fast paths take it for a GPU array."""


class SilentError(RuntimeError):
    """An exception whose message is empty (as some CUDA driver errors are)."""


def _raise(*_: Any) -> Any:
    raise SilentError()


@pytest.fixture
def failing_kernels(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every fast path is usable and every kernel fails to build; `fastpath.off` restored."""
    monkeypatch.setattr(kernels, "usable", lambda *_: True)
    monkeypatch.setattr(kernels, "_kernel", _raise)
    monkeypatch.setattr(kernels, "_ewise", _raise)
    monkeypatch.setattr(kernels, "_cross_entropy", _raise)
    saved = set(fastpath.off)
    yield
    fastpath.off.clear()
    fastpath.off.update(saved)


def _dev(a: np.ndarray) -> DevArray:
    return np.ascontiguousarray(a).view(DevArray)


@pytest.mark.parametrize("exc,want", [
    (SilentError(), "SilentError"),
    (RuntimeError("\n"), "RuntimeError"),
    (RuntimeError("nvrtc: error\nmore detail"), "RuntimeError: nvrtc: error"),
])
def test_error_summary_never_raises(exc: BaseException, want: str) -> None:
    assert backend.error_summary(exc) == want


def test_empty_message_kernel_failure_falls_back_to_the_formula(failing_kernels: None) -> None:
    z = _dev(np.array([[-1.0, 2.0], [3.0, -4.0]]))
    bias = _dev(np.array([0.5, 0.5]))
    with pytest.warns(RuntimeWarning, match=r"'bias_act' switched off \(SilentError\)"):
        out = kernels.bias_act_(z, None, bias, None, relu=True)
    np.testing.assert_array_equal(np.asarray(out), [[0.0, 2.5], [3.5, 0.0]])
    assert "bias_act" in fastpath.off


def test_empty_message_elementwise_failure_returns_none(failing_kernels: None) -> None:
    x = _dev(np.ones(3))
    with pytest.warns(RuntimeWarning, match=r"'relu' switched off \(SilentError\)"):
        assert kernels.ewise("relu", x) is None
    assert "relu" in fastpath.off


def test_empty_message_cross_entropy_failure_returns_none(failing_kernels: None) -> None:
    x2 = _dev(np.zeros((2, 3)))
    target = np.array([0, 2], dtype=np.int64)
    with pytest.warns(RuntimeWarning, match=r"'cross_entropy' switched off \(SilentError\)"):
        assert kernels.cross_entropy(x2, target, None, -100, "mean") is None


def test_empty_message_self_check_failure_switches_the_path_off(failing_kernels: None) -> None:
    with pytest.warns(RuntimeWarning, match=r"'probe' switched off \(SilentError\)"):
        assert fastpath.ready("probe", _raise) is False
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the second call is silent: the path stays off
        assert fastpath.ready("probe", _raise) is False


def test_the_warning_points_at_the_op_that_called_the_fast_path(failing_kernels: None) -> None:
    with pytest.warns(RuntimeWarning) as caught:
        kernels.ewise("relu", _dev(np.ones(2)))  # the caller here stands for the op
    assert caught[0].filename == __file__
