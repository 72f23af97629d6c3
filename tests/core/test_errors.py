"""Common mistakes give PyTorch's error, naming the op and the shapes: never a numpy traceback."""

from __future__ import annotations

import re

import pytest

import autograd_core as ag


def _backward_twice() -> None:
    x = ag.ones(2, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


X = ag.ones(2, 3)

# (id, mistake, exception type, regexes that must all appear in the message)
CASES = [
    ("add-shapes", lambda: X + ag.ones(3, 2), RuntimeError, ["add", r"\[2, 3\]", r"\[3, 2\]"]),
    ("mul-shapes", lambda: X * ag.ones(4), RuntimeError, ["mul", r"\[2, 3\]", r"\[4\]"]),
    ("sub-shapes", lambda: X - ag.ones(2, 2), RuntimeError, ["sub", r"\[2, 2\]"]),
    ("div-shapes", lambda: X / ag.ones(5, 3), RuntimeError, ["div", r"\[5, 3\]"]),
    ("pow-shapes", lambda: X ** ag.ones(4), RuntimeError, ["pow", r"\[4\]"]),
    ("compare-shapes", lambda: ag.lt(X, ag.ones(4)), RuntimeError, [r"\[2, 3\]", r"\[4\]"]),
    ("inplace-shapes", lambda: X.clone().add_(ag.ones(3, 2)), RuntimeError, [r"\[3, 2\]"]),
    ("matmul-inner", lambda: X @ ag.ones(2, 3), RuntimeError,
     ["matmul", "cannot be multiplied", r"2x3 and 2x3"]),
    ("matmul-1d", lambda: ag.ones(3) @ ag.ones(4), RuntimeError, ["matmul", "3", "4"]),
    ("matmul-batch", lambda: ag.bmm(ag.ones(2, 2, 3), ag.ones(3, 3, 2)), RuntimeError,
     [r"\[2, 2, 3\]", r"\[3, 3, 2\]"]),
    ("mm-1d", lambda: ag.mm(ag.ones(3), ag.ones(3)), RuntimeError, ["mm", "2D"]),
    ("view-numel", lambda: X.view(4), RuntimeError,
     [re.escape("shape '[4]' is invalid for input of size 6")]),
    ("view-infer", lambda: X.view(-1, 4), RuntimeError, [r"\[-1, 4\]", "size 6"]),
    ("reshape-numel", lambda: X.reshape(5), RuntimeError, [r"\[5\]", "size 6"]),
    ("expand-non-singleton", lambda: X.expand(4, 3), RuntimeError,
     ["expanded size", "non-singleton dimension 0", r"\[4, 3\]", r"\[2, 3\]"]),
    ("expand-fewer-dims", lambda: X.expand(3), RuntimeError, ["expand", "number of sizes"]),
    ("cat-shapes", lambda: ag.cat([X, ag.ones(2, 4)]), RuntimeError,
     ["cat", "Sizes of tensors must match except in dimension 0", "3", "4"]),
    ("cat-dim", lambda: ag.cat([X, X], dim=2), IndexError, ["cat", "Dimension out of range"]),
    ("stack-shapes", lambda: ag.stack([X, ag.ones(2, 4)]), RuntimeError,
     ["stack", r"\[2, 3\]", r"\[2, 4\]"]),
    ("index-range", lambda: X[5], IndexError,
     ["index 5 is out of bounds for dimension 0 with size 2"]),
    ("index-range-dim1", lambda: X[0, 7], IndexError, ["index 7", "dimension 1", "size 3"]),
    ("index-negative", lambda: X[-3], IndexError, ["index -3", "size 2"]),
    ("index-tensor", lambda: X[ag.tensor([0, 5])], IndexError, ["5", "size 2"]),
    ("sum-dim", lambda: X.sum(5), IndexError,
     ["sum", re.escape("Dimension out of range (expected to be in range of [-2, 1], but got 5)")]),
    ("mean-dim", lambda: X.mean(-3), IndexError, ["mean", "Dimension out of range"]),
    ("squeeze-dim", lambda: X.squeeze(4), IndexError, ["squeeze", "Dimension out of range"]),
    ("unsqueeze-dim", lambda: X.unsqueeze(4), IndexError,
     ["unsqueeze", re.escape("[-3, 2]")]),
    ("transpose-dim", lambda: X.transpose(0, 3), IndexError, ["transpose", "out of range"]),
    ("permute-dup", lambda: X.permute(0, 0), RuntimeError, ["permute", "duplicate"]),
    ("backward-twice", _backward_twice, RuntimeError,
     ["Trying to backward through the graph a second time", "retain_graph=True"]),
    ("int-requires-grad", lambda: ag.tensor([1, 2]).requires_grad_(), RuntimeError,
     ["floating point", "require gradients"]),
    ("int-requires-grad-factory", lambda: ag.ones(2, dtype=ag.int64, requires_grad=True),
     RuntimeError, ["floating point"]),
    ("numpy-requires-grad", lambda: ag.ones(2, requires_grad=True).numpy(), RuntimeError,
     [re.escape("Can't call numpy() on Tensor that requires grad"), re.escape("detach()")]),
    ("item-many", lambda: X.item(), RuntimeError, ["6 elements", "Scalar"]),
    ("bool-many", lambda: bool(X), RuntimeError, ["more than one value is ambiguous"]),
    ("binary-str", lambda: X + "a", TypeError, ["add", "str"]),
    ("masked-fill-shapes", lambda: X.masked_fill(ag.ones(4, dtype=ag.bool), 0), RuntimeError,
     ["masked_fill", r"\[4\]", r"\[2, 3\]"]),
    ("bad-size", lambda: ag.zeros((2, "a")), TypeError, ["size", "str"]),
    ("ragged-list", lambda: ag.tensor([[1, 2], [3]]), ValueError, ["dim 1"]),
    ("grad-assign-shape", lambda: setattr(ag.ones(2, requires_grad=True), "grad", ag.ones(3)),
     RuntimeError, ["assign a gradient of size", r"\[3\]", r"\[2\]"]),
    ("leaf-in-place", lambda: ag.ones(2, requires_grad=True).add_(1), RuntimeError,
     ["leaf Variable that requires grad", "in-place"]),
]


# How numpy words its own errors: a user of a PyTorch-style API should never see these.
NUMPY_PHRASES = ["operands could not be broadcast", "could not broadcast input array",
                 "for axis", "ndarray", "numpy.", "shapes ("]


def _numpy_phrase(message: str) -> str | None:
    return next((p for p in NUMPY_PHRASES if p in message), None)


@pytest.mark.parametrize(("mistake", "exc_type", "patterns"),
                         [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_common_mistakes_give_a_clear_error(mistake, exc_type, patterns):
    with pytest.raises(exc_type) as info:
        mistake()
    message = str(info.value)
    for pattern in patterns:
        assert re.search(pattern, message), f"{pattern!r} not in {message!r}"
    assert _numpy_phrase(message) is None, f"numpy's wording leaks: {message}"


def test_errors_do_not_leave_grad_mode_or_graph_broken():
    x = ag.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError):
        x @ ag.ones(3)
    assert ag.is_grad_enabled()
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_where_shape_mismatch_names_the_op():
    with pytest.raises(RuntimeError, match="where") as info:
        ag.where(ag.ones(2, dtype=ag.bool), ag.ones(3), ag.ones(2))
    assert _numpy_phrase(str(info.value)) is None


def test_setitem_shape_mismatch_gives_pytorchs_error():
    with pytest.raises(RuntimeError, match="expanded size") as info:
        ag.ones(2, 3)[0] = ag.ones(4)
    assert _numpy_phrase(str(info.value)) is None
