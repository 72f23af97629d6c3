"""A backward started inside a hook is a walk of its own: the outer walk's state survives it.

Each test runs unchanged with T = torch and T = autograd_core and checks PyTorch's answer.
"""

from __future__ import annotations

from typing import Any

import pytest

import autograd_core as ag

torch = pytest.importorskip("torch")


@pytest.fixture(params=["torch", "autograd_core"])
def T(request: pytest.FixtureRequest) -> Any:
    return torch if request.param == "torch" else ag


def _inner_backward(T: Any) -> Any:
    """A tensor hook that runs a whole backward of an unrelated graph, then keeps g."""
    def hook(g: Any) -> None:
        w = T.ones(2, requires_grad=True)
        with T.enable_grad():  # hooks run with grad mode off, in both
            (w * 2).sum().backward()
    return hook


def test_leaves_fed_one_array_keep_separate_grads_across_a_nested_backward(T: Any) -> None:
    a = T.ones(3, requires_grad=True)
    b = T.ones(3, requires_grad=True)
    a.register_hook(_inner_backward(T))  # whichever leaf runs second sees a nested walk first
    b.register_hook(_inner_backward(T))
    seed = T.ones(3)
    (a + b).backward(seed)  # Add's backward hands the seed itself to a and b
    a.grad.add_(10)
    assert b.grad.tolist() == [1.0, 1.0, 1.0]
    assert seed.tolist() == [1.0, 1.0, 1.0]
    assert a.grad.tolist() == [11.0, 11.0, 11.0]


def test_nested_backward_in_a_non_leaf_hook_keeps_the_outer_sums(T: Any) -> None:
    x = T.ones(3, requires_grad=True)
    y = x * 3
    y.register_hook(_inner_backward(T))
    (y + y + x).sum().backward()  # x's buffer is a sum across the nested walk
    assert x.grad.tolist() == [7.0, 7.0, 7.0]


def test_nested_backward_leaves_its_own_leaf_grads(T: Any) -> None:
    seen = []
    a = T.ones(2, requires_grad=True)

    def hook(g: Any) -> None:
        w = T.ones(2, requires_grad=True)
        with T.enable_grad():
            (w * 5).sum().backward()
        seen.append(w.grad.tolist())
    a.register_hook(hook)
    (a * 2).sum().backward()
    assert seen == [[5.0, 5.0]]
    assert a.grad.tolist() == [2.0, 2.0]
