"""testing.assert_close: PyTorch's tensor comparison for tests (default tolerances by dtype,
NaN handling, dtype/device/shape checks, a message naming the worst mismatch)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core.tensor import Tensor

__all__ = ["assert_close"]

# PyTorch's default (rtol, atol) by dtype; others compare exactly.
_TOLERANCES = {np.dtype(np.float16): (1e-3, 1e-5), np.dtype(np.float32): (1.3e-6, 1e-5),
               np.dtype(np.float64): (1e-7, 1e-7), np.dtype(np.complex64): (1.3e-6, 1e-5),
               np.dtype(np.complex128): (1e-7, 1e-7)}


def _array(x: Any) -> np.ndarray:
    if isinstance(x, Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def assert_close(actual: Any, expected: Any, *, allow_subclasses: bool = True,
                 rtol: float | None = None, atol: float | None = None, equal_nan: bool = False,
                 check_device: bool = True, check_dtype: bool = True, check_layout: bool = True,
                 check_stride: bool = False, msg: Any = None) -> None:
    """Raise AssertionError unless actual and expected (tensors, numbers, or sequences and
    mappings of them) are close: |a - e| <= atol + rtol * |e| elementwise."""
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got "
                         f"no {'rtol' if rtol is None else 'atol'}.")
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and actual.keys() == expected.keys(), msg or \
            "The mappings have different keys."
        for k in expected:
            assert_close(actual[k], expected[k], rtol=rtol, atol=atol, equal_nan=equal_nan,
                         check_dtype=check_dtype, msg=msg)
        return
    if isinstance(expected, (list, tuple)):
        assert isinstance(actual, (list, tuple)) and len(actual) == len(expected), msg or \
            f"The length of the sequences mismatch: {len(actual)} != {len(expected)}"
        for a, e in zip(actual, expected):
            assert_close(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan,
                         check_dtype=check_dtype, msg=msg)
        return
    a, e = _array(actual), _array(expected)
    if isinstance(actual, Tensor) != isinstance(expected, Tensor) and not (
            np.isscalar(actual) and np.isscalar(expected)):
        raise AssertionError(msg or f"Expected both inputs to be tensors, got "
                             f"{type(actual).__name__} and {type(expected).__name__}")
    if a.shape != e.shape:
        raise AssertionError(msg or f"The values for attribute 'shape' do not match: "
                             f"torch.Size({list(a.shape)}) != torch.Size({list(e.shape)}).")
    if check_dtype and isinstance(actual, Tensor) and actual.dtype != expected.dtype:
        raise AssertionError(msg or f"The values for attribute 'dtype' do not match: "
                             f"{actual.dtype} != {expected.dtype}.")
    if check_device and isinstance(actual, Tensor) and actual.device != expected.device:
        raise AssertionError(msg or f"The values for attribute 'device' do not match: "
                             f"{actual.device} != {expected.device}.")
    if rtol is None or atol is None:
        rtol, atol = _TOLERANCES.get(np.result_type(a.dtype, e.dtype), (0.0, 0.0))
    af, ef = a.astype(np.float64) if a.dtype.kind != "c" else a, \
        e.astype(np.float64) if e.dtype.kind != "c" else e
    with np.errstate(invalid="ignore"):
        ok = np.isclose(af, ef, rtol=rtol, atol=atol, equal_nan=equal_nan) | (af == ef)
    if ok.all():
        return
    bad = ~ok
    diff = np.abs(af - ef)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = diff / np.abs(ef)

    def where_worst(v: np.ndarray) -> tuple:
        flat = int(np.nanargmax(np.where(bad, v, -1)))
        return tuple(int(i) for i in np.unravel_index(flat, a.shape)) if a.ndim else ()

    text = (f"Tensor-likes are not close!\n\nMismatched elements: {int(bad.sum())} / {a.size} "
            f"({100.0 * bad.sum() / a.size:.1f}%)\nGreatest absolute difference: "
            f"{float(np.nanmax(diff[bad]))} at index {where_worst(diff)} (up to {atol} "
            f"allowed)\nGreatest relative difference: {float(np.nanmax(rel[bad]))} at index "
            f"{where_worst(rel)} (up to {rtol} allowed)")
    raise AssertionError(msg if isinstance(msg, str) else text)
