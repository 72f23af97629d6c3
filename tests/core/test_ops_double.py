"""The op table's differentiable ops under create_graph=True: gradgradcheck (second
derivatives against central differences) and the gradient of a gradient against PyTorch.

Rows whose op has no graph formula yet are listed in NOT_YET: for them the test asserts the
promised error, so a silently wrong second derivative can never pass unnoticed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.autograd import gradgradcheck
from tests.core.test_ops_table import GRAD_ROWS, OPS, Op, _inputs, _outputs, _tensors

# Row -> the node that refuses double backward, for rows whose op has no graph formula yet
# (none today; a row added here must name the error it raises).
NOT_YET: dict[str, str] = {}
# Rows whose op PyTorch cannot differentiate twice (its own NotImplementedError): ours is
# checked by gradgradcheck alone.
TORCH_FIRST_ORDER_ONLY = {"cdist", "cdist:p1", "vander", "cond:fro"}


def _call(row: Op, m: Any, xs: list) -> list:
    return [o for o in _outputs(row.fn(m, *xs, **row.kwargs)) if o.requires_grad]


@pytest.mark.parametrize("row", GRAD_ROWS, ids=lambda r: r.name)
def test_gradgradcheck(row: Op) -> None:
    inputs = _tensors(ag, _inputs(row))
    if row.name in NOT_YET:
        with pytest.raises(RuntimeError,
                           match=f"double backward is not supported for {NOT_YET[row.name]}"):
            gradgradcheck(lambda *xs: row.fn(ag, *xs, **row.kwargs), inputs)
        return
    assert gradgradcheck(lambda *xs: row.fn(ag, *xs, **row.kwargs), inputs)


def _second_order(m: Any, row: Op, arrays: list[np.ndarray]) -> list:
    """d/dx of sum(grad(sum(out * w), x, create_graph) * v) for every input x."""
    xs = _tensors(m, arrays)
    outs = _call(row, m, xs)
    rng = np.random.default_rng(7)
    loss = sum((o * m.tensor(rng.standard_normal(tuple(o.shape)))).sum() for o in outs)
    grads = m.autograd.grad(loss, xs, create_graph=True, allow_unused=True)
    dot = sum((g * m.tensor(rng.standard_normal(tuple(g.shape)))).sum()
              for g in grads if g is not None and g.requires_grad)
    if not isinstance(dot, (m.Tensor,)):
        return [None] * len(xs)  # every gradient is constant: the second derivative is 0
    hs = m.autograd.grad(dot, xs, allow_unused=True)
    # torch may hand back a ZeroTensor (no storage): the same as no gradient here.
    return [None if h is None or getattr(h, "_is_zerotensor", lambda: False)() else
            h.detach().numpy() for h in hs]


@pytest.mark.oracle
@pytest.mark.parametrize("row", [r for r in GRAD_ROWS if r.name not in NOT_YET
                                 and r.name not in TORCH_FIRST_ORDER_ONLY],
                         ids=lambda r: r.name)
def test_second_derivative_matches_torch(row: Op) -> None:
    torch = pytest.importorskip("torch")
    arrays = _inputs(row)
    want = _second_order(torch, row, arrays)
    got = _second_order(ag, row, arrays)
    for i, (a, t) in enumerate(zip(got, want)):
        a = np.zeros_like(arrays[i]) if a is None else a
        t = np.zeros_like(arrays[i]) if t is None else t
        np.testing.assert_allclose(a, t, rtol=1e-9, atol=1e-11,
                                   err_msg=f"{row.name}: second derivative, input {i}")


def test_not_yet_lists_only_rows_of_the_table() -> None:
    assert set(NOT_YET) <= {row.name for row in OPS}
