"""Op behaviour a user notices beyond values: named results, ties, zeros, overflow, graph shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd_core as ag


def _grads(m: Any, fn: Callable, *values: Any) -> tuple[np.ndarray, list[np.ndarray]]:
    xs = [m.tensor(v, dtype=m.float64, requires_grad=True) for v in values]
    out = fn(m, *xs)
    out.sum().backward() if out.numel() > 1 else out.backward()
    return out.detach().numpy(), [x.grad.numpy() for x in xs]


# Inputs where the naive formula or finite differences break: ties, zeros, huge values.
EDGE_CASES = [
    ("amax-ties", lambda m, x: x.amax(1), [[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]),
    ("max-all-ties", lambda m, x: x.max(), [[1.0, 3.0], [3.0, 0.0]]),
    ("min-all-ties", lambda m, x: m.min(x), [[1.0, 0.0], [0.0, 0.0]]),
    ("max-dim-ties", lambda m, x: x.max(1).values, [[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]]),
    ("min-dim-ties", lambda m, x: x.min(0)[0], [[1.0, 3.0], [1.0, 2.0]]),
    ("norm-inf-ties", lambda m, x: x.norm(p=float("inf")), [[1.0, -3.0], [3.0, 0.0]]),
    ("maximum-ties", lambda m, x: m.maximum(x, x.flip(0)), [1.0, 2.0, 1.0]),
    ("prod-one-zero", lambda m, x: x.prod(1), [[2.0, 0.0, 3.0], [1.0, 2.0, 3.0]]),
    ("prod-two-zeros", lambda m, x: x.prod(), [[2.0, 0.0], [0.0, 3.0]]),
    ("norm-at-zero", lambda m, x: x.norm(dim=1), [[0.0, 0.0], [3.0, 4.0]]),
    ("std-constant", lambda m, x: x.std(1), [[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]]),
    ("softmax-huge", lambda m, x: (x.softmax(0) * m.arange(3)).sum(), [1000.0, 1001.0, -1000.0]),
    ("log_softmax-huge", lambda m, x: x.log_softmax(0)[0], [1000.0, 1001.0, -1000.0]),
    ("logsumexp-huge", lambda m, x: x.logsumexp(0), [1000.0, 1001.0, -1000.0]),
    ("logsumexp-neg-inf", lambda m, x: x.logsumexp(1)[1],
     [[0.0, 1.0], [-float("inf"), 0.0]]),
    ("repeated-index", lambda m, x: x[[0, 0, 2, 0]] * m.arange(4.0), [1.0, 2.0, 3.0]),
    ("index_select-repeats", lambda m, x: x.index_select(0, m.tensor([1, 1])), [1.0, 2.0]),
    ("gather-repeats", lambda m, x: x.gather(0, m.tensor([2, 2, 0])), [1.0, 2.0, 3.0]),
]


@pytest.mark.oracle
@pytest.mark.parametrize("case", EDGE_CASES, ids=[c[0] for c in EDGE_CASES])
def test_edge_cases_match_torch(case: tuple) -> None:
    torch = pytest.importorskip("torch")
    _, fn, value = case
    out, grads = _grads(ag, fn, value)
    t_out, t_grads = _grads(torch, fn, value)
    np.testing.assert_allclose(out, t_out, rtol=1e-12)
    for g, tg in zip(grads, t_grads):
        np.testing.assert_allclose(g, tg, rtol=1e-12, atol=1e-300)


def test_max_along_a_dim_is_a_named_pair() -> None:
    x = ag.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]], requires_grad=True)
    values, indices = x.max(1)
    result = ag.max(x, dim=1)
    assert result.values.tolist() == values.tolist() == [5.0, 7.0]
    assert result.indices.tolist() == indices.tolist() == [1, 0]
    assert indices.dtype == ag.int64 and not indices.requires_grad
    assert x.min(0, keepdim=True).values.shape == (1, 3)


def test_max_of_two_tensors_is_maximum() -> None:
    a, b = ag.tensor([1.0, 4.0]), ag.tensor([3.0, 2.0])
    assert ag.max(a, b).tolist() == [3.0, 4.0]
    assert a.min(b).tolist() == [1.0, 2.0]


def test_split_is_one_node_with_many_outputs() -> None:
    x = ag.randn(5, 2, requires_grad=True)
    parts = x.split(2)
    assert [tuple(p.shape) for p in parts] == [(2, 2), (2, 2), (1, 2)]
    assert len({id(p.grad_fn) for p in parts}) == 1
    assert parts[0].grad_fn.name() == "SplitBackward0"
    parts[1].sum().backward()  # the unused outputs get zero gradient
    assert x.grad.tolist() == [[0, 0], [0, 0], [1, 1], [1, 1], [0, 0]]


def test_iterating_a_tensor_unbinds_it() -> None:
    x = ag.randn(3, 2, requires_grad=True)
    rows = list(x)
    assert len(rows) == 3 and all(tuple(r.shape) == (2,) for r in rows)
    assert rows[0].grad_fn is rows[2].grad_fn
    assert rows[0].grad_fn.name() == "UnbindBackward0"
    (rows[0] * 2 + rows[2]).sum().backward()
    assert x.grad.tolist() == [[2, 2], [0, 0], [1, 1]]


def test_chunk_gives_at_most_the_requested_number() -> None:
    assert [tuple(c.shape) for c in ag.ones(6).chunk(4)] == [(2,), (2,), (2,)]
    assert [tuple(c.shape) for c in ag.ones(5, 3).chunk(2, dim=1)] == [(5, 2), (5, 1)]


def test_nonzero_as_tuple_indexes_back() -> None:
    x = ag.tensor([[0.0, 1.5], [2.0, 0.0]])
    rows, cols = x.nonzero(as_tuple=True)
    assert x[rows, cols].tolist() == [1.5, 2.0]
    assert x.nonzero().tolist() == [[0, 1], [1, 0]]
    assert ag.where(x > 0)[1].tolist() == [1, 0]


def test_einsum_matches_matmul_and_its_graph_is_one_node() -> None:
    a = ag.randn(3, 4, requires_grad=True)
    b = ag.randn(4, 2, requires_grad=True)
    out = ag.einsum("ij,jk->ik", a, b)
    np.testing.assert_allclose(out.detach().numpy(), (a @ b).detach().numpy(), rtol=1e-6)
    assert out.grad_fn.name() == "EinsumBackward0"
    assert [n[0].name() for n in out.grad_fn.next_functions] == ["AccumulateGrad"] * 2


def test_setitem_records_the_write_for_both_sides() -> None:
    x = ag.zeros(2, 3, requires_grad=True)
    v = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y[1] = v * 3
    y.sum().backward()
    assert x.grad.tolist() == [[2, 2, 2], [0, 0, 0]]
    assert v.grad.tolist() == [3, 3, 3]


def test_reductions_keep_float32() -> None:
    x = ag.randn(3, 4)
    for out in (x.var(0), x.std(), x.prod(1), x.cumsum(0), x.logsumexp(1), x.norm(), x.amax(),
                x.softmax(0), x.log_softmax(1), ag.einsum("ij->j", x)):
        assert out.dtype == ag.float32


def test_basic_indexing_is_a_view_and_advanced_indexing_a_copy() -> None:
    x = ag.zeros(2, 3)
    x[0].add_(1.0)  # a view: the write shows in x
    x[[1]].add_(5.0)  # a copy: x is untouched
    assert x.tolist() == [[1, 1, 1], [0, 0, 0]]
    assert x[0].grad_fn is None and ag.randn(2, requires_grad=True)[0].grad_fn.name() == \
        "GetItemBackward0"


def test_writing_through_an_index_view_invalidates_saved_values() -> None:
    x = ag.randn(3, requires_grad=True)
    h = x * 1
    y = h.exp()  # saves its output, which does not change; h.exp's input h does
    z = h * h  # saves h
    h[1:].mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        (y.sum() + z.sum()).backward()
