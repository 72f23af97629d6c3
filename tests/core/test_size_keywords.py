"""Ops whose sizes are varargs (`x.permute(1, 0)`) take them by keyword too, as in PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag

CALLS = [
    "m.flip(x, dims=[0])", "x.flip(dims=(0, 1))", "m.permute(x, dims=(1, 0))",
    "x.permute(dims=[1, 0])", "m.reshape(x, shape=(3, 2))", "x.reshape(shape=(-1,))",
    "x.view(size=(3, 2))", "x.expand(size=(2, 2, 3))", "x.repeat(repeats=(1, 2))",
]
# (call, the keyword our message names; PyTorch's message for `flip(dim=)` names neither)
ERRORS = [("x.permute(1, 0, dims=(1, 0))", "dims"), ("x.flip(dim=[0])", "dim"),
          ("x.reshape(shape=(3, 2), foo=1)", "foo")]


@pytest.mark.parametrize("call", CALLS)
def test_sizes_by_keyword_match_pytorch(call):
    torch = pytest.importorskip("torch")
    values = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]]
    theirs = eval(call, {"m": torch, "x": torch.tensor(values, dtype=torch.float64)})
    x = ag.tensor(values, dtype=ag.float64, requires_grad=True)
    ours = eval(call, {"m": ag, "x": x})
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.numpy())
    ours.sum().backward()  # the keyword form records the same op
    np.testing.assert_array_equal(x.grad.numpy(), np.full((2, 3), ours.numel() / 6))


@pytest.mark.parametrize("call, name", ERRORS)
def test_wrong_keywords_raise_a_type_error_naming_them(call, name):
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError) as theirs:
        eval(call, {"x": torch.ones(2, 3)})
    with pytest.raises(TypeError) as ours:
        eval(call, {"x": ag.ones(2, 3)})
    assert f"'{name}'" in str(ours.value)
    if f"'{name}'" in str(theirs.value):
        assert str(ours.value) == str(theirs.value).split("\n")[0]
