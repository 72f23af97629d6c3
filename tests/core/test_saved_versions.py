"""An in-place write after an op fails backward only where the op saved what was written,
as in PyTorch: ops that keep their output (`exp`, `sigmoid`, `tanh`, `relu`, `softmax`) let
their input change; ops that keep an input, or a view of one, do not."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag

torch = pytest.importorskip("torch")

OPS = {
    "exp": lambda m, x: x.exp(),
    "sigmoid": lambda m, x: x.sigmoid(),
    "tanh": lambda m, x: x.tanh(),
    "relu": lambda m, x: m.relu(x),
    "softmax": lambda m, x: x.softmax(-1),
    "log_softmax": lambda m, x: x.log_softmax(-1),
    "sqrt": lambda m, x: (x * x + 1).sqrt(),
    "log": lambda m, x: (x * x + 1).log(),
    "mul": lambda m, x: x * x,
    "matmul": lambda m, x: x @ x.T,
    "sin": lambda m, x: x.sin(),
    "pow": lambda m, x: x ** 3,
    "linear": lambda m, x: m.nn.functional.linear(x, x),
    "reshape_then_sum": lambda m, x: (x.reshape(-1) * 2).sum(),
    "mul_by_number": lambda m, x: x * 2.0,
    "mul_by_tensor": lambda m, x: x * m.tensor([1.0, 2.0, 3.0], dtype=m.float64),
    "div_by_number": lambda m, x: x / 3.0,
    "number_by": lambda m, x: 1.0 / (x * x + 1),
    "pow_tensor": lambda m, x: (x * x + 1) ** m.tensor(1.5, dtype=m.float64, requires_grad=True),
}


def _run(lib, op, write):
    """Grad of sum(op(h)) where h = x * 1 is written in place (or not) after the op ran."""
    x = lib.tensor(np.linspace(-1.0, 1.0, 6).reshape(2, 3), requires_grad=True)
    h = x * 1.0
    y = OPS[op](lib, h)
    if write == "input":
        h.add_(0.5)
    elif write == "output":
        y.mul_(2.0)
    try:
        y.sum().backward()
    except RuntimeError as e:
        assert "modified by an inplace operation" in str(e)
        return "error"
    return np.asarray(x.grad.detach().numpy())


@pytest.mark.parametrize("write", ["input", "output"])
@pytest.mark.parametrize("op", sorted(OPS))
def test_inplace_after_op_fails_exactly_where_torch_fails(op: str, write: str) -> None:
    theirs, ours = _run(torch, op, write), _run(ag, op, write)
    if isinstance(theirs, str):
        assert ours == theirs
    else:
        assert not isinstance(ours, str), f"{op}: we refuse a write PyTorch allows"
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_a_write_through_a_view_of_a_saved_input_is_caught() -> None:
    w = ag.ones(2, 3, requires_grad=True) * 1.0
    y = (ag.ones(4, 3) @ w.view(3, 2)).sum()  # matmul keeps the view of w
    w.view(-1)[0] = 5.0
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_custom_function_checks_only_what_it_saved() -> None:
    class Double(ag.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(b)
            return a * 2 + b * 0

        @staticmethod
        def backward(ctx, g):
            (b,) = ctx.saved_tensors
            return g * 2, g * 0 + b * 0

    a = ag.ones(3, requires_grad=True) * 1.0
    b = ag.ones(3, requires_grad=True) * 1.0
    out = Double.apply(a, b)
    a.add_(1)  # not saved: fine, as in PyTorch
    out.sum().backward(retain_graph=True)
    b.add_(1)  # saved: refused
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()
