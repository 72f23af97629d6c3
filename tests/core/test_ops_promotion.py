"""Type promotion against PyTorch: result dtypes of mixed int/float/bool tensors and scalars."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd_core as ag

torch = pytest.importorskip("torch")

# (left, right, op): each side is a (dtype name, shape) tensor spec or a Python scalar.
CASES = [
    (("int64", (3,)), 2.5, "add"),  # int tensor + float scalar -> default float
    (("int64", (3,)), 2, "mul"),  # int scalar keeps the tensor's int64
    (("int32", (3,)), 2, "add"),  # ... and its int32
    (("int64", (3,)), ("float32", (3,)), "add"),
    (("int32", (3,)), ("int64", (3,)), "sub"),
    (("bool", (3,)), ("int64", (3,)), "add"),
    (("bool", (3,)), 1.5, "mul"),
    (("bool", (3,)), True, "add"),
    (("int64", (3,)), ("int64", (3,)), "div"),  # true division of ints -> float32
    (("int32", (3,)), 2, "div"),
    (("float32", (3,)), ("float64", (3,)), "mul"),
    (("float16", (3,)), ("float32", (3,)), "add"),
    (("float32", (3,)), ("float64", ()), "add"),  # a 0-dim tensor of the same kind: no change
    (("int64", (3,)), ("float64", ()), "add"),  # a 0-dim float beats dimensioned ints
    (("int32", (3,)), ("int64", ()), "add"),  # a 0-dim int does not widen int32
    (("float32", ()), ("float64", ()), "add"),  # two 0-dim tensors promote normally
    (("uint8", (3,)), ("int8", (3,)), "add"),
    (2.0, ("int64", (3,)), "sub"),
    (("int64", (3,)), 2.0, "pow"),
    (("float32", (3,)), ("int64", (3,)), "maximum"),
    (("float64", (2, 2)), ("float64", (2,)), "matmul"),
]


def _make(m: Any, spec: Any) -> Any:
    if not isinstance(spec, tuple):
        return spec
    name, shape = spec
    values = np.arange(1, 1 + int(np.prod(shape))).reshape(shape) % 3 + 1
    return m.tensor(values.tolist() if shape else int(values), dtype=getattr(m, name))


def _call(m: Any, op: str, a: Any, b: Any) -> Any:
    if op == "div":
        return a / b
    if op == "sub":
        return a - b
    if op == "pow":
        return a ** b
    if op in ("maximum", "matmul"):
        return getattr(m, op)(a, b)
    return a + b if op == "add" else a * b


def _id(case: tuple) -> str:
    return "-".join(str(s[0] + str(list(s[1])) if isinstance(s, tuple) else s) for s in case)


@pytest.mark.oracle
@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_result_dtype_matches_torch(case: tuple) -> None:
    left, right, op = case
    ours = _call(ag, op, _make(ag, left), _make(ag, right))
    theirs = _call(torch, op, _make(torch, left), _make(torch, right))
    assert str(ours.dtype) == str(theirs.dtype)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


@pytest.mark.oracle
@pytest.mark.parametrize("fn", ["sum", "prod", "cumsum", "mean", "softmax", "exp", "norm"])
@pytest.mark.parametrize("dtype", ["int64", "int32", "bool", "float32"])
def test_reduction_dtype_matches_torch(fn: str, dtype: str) -> None:
    def run(m: Any) -> Any:
        x = m.tensor([[1, 0, 2], [3, 1, 0]], dtype=getattr(m, dtype))
        call = {
            "sum": lambda: x.sum(), "prod": lambda: x.prod(1), "cumsum": lambda: x.cumsum(0),
            "mean": lambda: x.mean(), "softmax": lambda: x.softmax(1), "exp": lambda: x.exp(),
            "norm": lambda: x.norm(),
        }[fn]
        try:
            out = call()
        except RuntimeError:
            return "error"
        return str(out.dtype).removeprefix("torch.")

    assert run(ag) == run(torch)
