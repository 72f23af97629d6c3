"""Bad input fails with PyTorch's exception type and a message naming the op and the shapes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import autograd_core as ag


def _x(*shape: int) -> ag.Tensor:
    return ag.randn(*shape)


SHAPE_ERRORS = [
    ("add", lambda: _x(2, 3) + _x(4), ["add", "[2, 3]", "[4]"]),
    ("mul", lambda: ag.mul(_x(2, 3), _x(3, 2)), ["mul", "[2, 3]", "[3, 2]"]),
    ("matmul", lambda: _x(2, 3) @ _x(4, 5), ["matmul", "2x3", "4x5"]),
    ("matmul:batched", lambda: ag.matmul(_x(2, 2, 3), _x(2, 4, 5)),
     ["matmul", "[2, 2, 3]", "[2, 4, 5]"]),
    ("cat", lambda: ag.cat([_x(2, 3), _x(2, 4)]), ["cat", "[2, 3]", "[2, 4]"]),
    ("cat:ndim", lambda: ag.cat([_x(2, 3), _x(3)]), ["cat", "[2, 3]", "[3]"]),
    ("stack", lambda: ag.stack([_x(2, 3), _x(3, 2)]), ["stack", "[2, 3]", "[3, 2]"]),
    ("einsum", lambda: ag.einsum("ij,jk", _x(2, 3), _x(4, 5)), ["einsum", "[2, 3]", "[4, 5]"]),
    ("reshape", lambda: _x(2, 3).reshape(4, 2), ["[4, 2]", "6"]),
    ("split", lambda: _x(4).split([1, 2]), ["split", "4"]),
]


@pytest.mark.parametrize("case", SHAPE_ERRORS, ids=[c[0] for c in SHAPE_ERRORS])
def test_shape_mismatch_names_op_and_shapes(case: tuple) -> None:
    _, call, words = case
    with pytest.raises(RuntimeError) as info:
        call()
    for word in words:
        assert word in str(info.value), f"{word!r} missing from: {info.value}"


DIM_CALLS: list[tuple[str, Callable[[ag.Tensor], Any]]] = [
    ("sum", lambda x: x.sum(2)),
    ("mean", lambda x: x.mean(-3)),
    ("var", lambda x: x.var(5)),
    ("std", lambda x: x.std((0, 2))),
    ("prod", lambda x: x.prod(2)),
    ("cumsum", lambda x: x.cumsum(2)),
    ("logsumexp", lambda x: x.logsumexp(2)),
    ("amax", lambda x: x.amax(2)),
    ("max", lambda x: x.max(2)),
    ("argmax", lambda x: x.argmax(-3)),
    ("softmax", lambda x: x.softmax(2)),
    ("log_softmax", lambda x: x.log_softmax(-3)),
    ("norm", lambda x: x.norm(dim=2)),
    ("cat", lambda x: ag.cat([x, x], 2)),
    ("stack", lambda x: ag.stack([x, x], 3)),
    ("split", lambda x: x.split(1, 2)),
    ("chunk", lambda x: x.chunk(2, 2)),
    ("unbind", lambda x: x.unbind(2)),
    ("flip", lambda x: x.flip(2)),
    ("roll", lambda x: x.roll(1, 2)),
    ("narrow", lambda x: x.narrow(2, 0, 1)),
    ("movedim", lambda x: x.movedim(0, 2)),
    ("transpose", lambda x: x.transpose(0, 2)),
    ("unsqueeze", lambda x: x.unsqueeze(3)),
    ("gather", lambda x: x.gather(2, ag.zeros(2, 3, dtype=ag.int64))),
    ("index_select", lambda x: x.index_select(2, ag.tensor([0]))),
]


@pytest.mark.parametrize("case", DIM_CALLS, ids=[c[0] for c in DIM_CALLS])
def test_out_of_range_dim_raises_index_error(case: tuple) -> None:
    _, call = case
    with pytest.raises(IndexError, match="Dimension out of range"):
        call(_x(2, 3))


INDEX_CALLS: list[tuple[str, Callable[[ag.Tensor], Any]]] = [
    ("int", lambda x: x[3]),
    ("negative-int", lambda x: x[-4]),
    ("second-dim", lambda x: x[0, 4]),
    ("list", lambda x: x[[0, 3]]),
    ("tensor", lambda x: x[ag.tensor([1, -5])]),
    ("mask-shape", lambda x: x[ag.tensor([True, False])]),
    ("too-many", lambda x: x[0, 0, 0]),
    ("float-index", lambda x: x[ag.tensor([0.0, 1.0])]),
    ("index_select", lambda x: x.index_select(0, ag.tensor([3]))),
    ("index_select:negative", lambda x: x.index_select(0, ag.tensor([-1]))),
    ("embedding:negative", lambda x: ag.nn.functional.embedding(ag.tensor([-1]), x)),
]


@pytest.mark.parametrize("case", INDEX_CALLS, ids=[c[0] for c in INDEX_CALLS])
def test_index_out_of_bounds_raises_index_error(case: tuple) -> None:
    _, call = case
    with pytest.raises(IndexError):
        call(_x(3, 4))


# gather and scatter raise RuntimeError in PyTorch 2.13, negative indices included (numpy
# would count them from the end).
ALONG_CALLS: list[tuple[str, Callable[[ag.Tensor], Any], str]] = [
    ("gather", lambda x: x.gather(1, ag.tensor([[0, 4]])), "index 4 "),
    ("gather:negative", lambda x: x.gather(1, ag.tensor([[0, -1]])), "index -1 "),
    ("scatter", lambda x: x.scatter(1, ag.tensor([[5]]), 1.0), "index 5 "),
    ("scatter:negative", lambda x: x.scatter(1, ag.tensor([[-1]]), 1.0), "index -1 "),
    ("scatter_add:negative", lambda x: x.scatter_add(1, ag.tensor([[-2]]), ag.ones(1, 1)),
     "index -2 "),
]


@pytest.mark.parametrize("case", ALONG_CALLS, ids=[c[0] for c in ALONG_CALLS])
def test_gather_scatter_index_out_of_bounds(case: tuple) -> None:
    _, call, words = case
    with pytest.raises(RuntimeError, match=words + "is out of bounds for dimension 1 with size 4"):
        call(_x(3, 4))


def test_take_along_dim_counts_negative_indices_from_the_end() -> None:
    x = ag.tensor([[1.0, 2.0, 3.0]])
    assert x.take_along_dim(ag.tensor([[-1]]), 1).tolist() == [[3.0]]


def test_out_of_bounds_message_speaks_of_dimensions() -> None:
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 1 with size 4"):
        _x(3, 4)[:, 5]


def test_setitem_out_of_bounds_raises_index_error() -> None:
    x = _x(3, 4)
    with pytest.raises(IndexError, match="dimension 0"):
        x[3] = 1.0


@pytest.mark.parametrize("index", [slice(None, None, -1), (0, slice(3, 0, -2)),
                                   (slice(None, None, -1), [0, 1])])
def test_negative_slice_step_raises_like_torch(index: Any) -> None:
    x = _x(3, 4)
    with pytest.raises(ValueError, match="step must be greater than zero"):
        x[index]
    with pytest.raises(ValueError, match="step must be greater than zero"):
        x[index] = 0.0


def test_masked_fill_needs_a_bool_mask() -> None:
    with pytest.raises(RuntimeError, match="boolean"):
        _x(2, 3).masked_fill(ag.ones(2, 3), 0.0)


def test_integer_softmax_needs_a_dtype() -> None:
    x = ag.tensor([1, 2, 3])
    with pytest.raises(RuntimeError, match="softmax"):
        x.softmax(0)
    assert x.softmax(0, dtype=ag.float64).dtype == ag.float64


def test_max_of_an_empty_tensor_raises() -> None:
    # PyTorch 2.13 raises RuntimeError for the whole-tensor form, IndexError along a dim.
    with pytest.raises(RuntimeError, match="numel"):
        ag.zeros(0).max()
    with pytest.raises(IndexError, match="reduction dim 0 to have non-zero size"):
        ag.zeros(0, 3).max(0)


def test_tril_needs_a_matrix() -> None:
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        _x(3).tril()


@pytest.mark.parametrize("needs_grad", [False, True])
def test_setitem_value_that_does_not_fit_gives_pytorchs_error(needs_grad: bool) -> None:
    x = ag.ones(2, 3, requires_grad=needs_grad) * 1
    with pytest.raises(RuntimeError, match=r"expanded size of the tensor \(3\) must match the "
                                           r"existing size \(4\)"):
        x[0] = ag.ones(4, requires_grad=needs_grad)


@pytest.mark.parametrize("other", [[1, 2], (1, 2), None, "a"], ids=["list", "tuple", "None", "str"])
def test_arithmetic_refuses_operands_pytorch_refuses(other: Any) -> None:
    """numpy would broadcast a list silently; PyTorch (and we) raise, naming the op."""
    for op, call in (("add", lambda: ag.tensor([2, 3]) + other),
                     ("mul", lambda: ag.tensor([2, 3]) * other),
                     ("pow", lambda: ag.tensor([2, 3]) ** other)):
        with pytest.raises(TypeError) as info:
            call()
        assert op in str(info.value) and type(other).__name__ in str(info.value)


def test_comparing_with_a_list_is_python_equality_as_in_pytorch() -> None:
    t = ag.tensor([2, 3])
    assert (t == [2, 3]) is False and (t != [2, 3]) is True and (t == None) is False  # noqa: E711
    with pytest.raises(TypeError, match="'<' not supported"):
        _ = t < [2, 3]


def test_bmm_batch_mismatch_names_both_shapes() -> None:
    with pytest.raises(RuntimeError) as info:
        ag.bmm(_x(2, 2, 3), _x(1, 3, 2))  # matmul would broadcast the batch; bmm does not
    assert "[2, 2, 3]" in str(info.value) and "[1, 3, 2]" in str(info.value)


def test_mv_needs_a_matrix_and_a_vector() -> None:
    with pytest.raises(RuntimeError, match="mv: expected a 2D matrix and a 1D vector, got 1D"):
        ag.mv(_x(3), _x(3))
