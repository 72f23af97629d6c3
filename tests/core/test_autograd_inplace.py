"""In-place ops, the version counter that guards saved tensors, views, setitem and `.data`."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag

LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation"
MODIFIED = "modified by an inplace operation"


def in_place_program(lib):
    x = lib.tensor([1.0, -2.0, 3.0, 4.0], dtype=lib.float64)
    steps = []
    x.add_(1)
    x.add_(lib.tensor([1.0, 2.0, 3.0, 4.0], dtype=lib.float64), alpha=2)
    steps.append(x.clone())
    x.sub_(0.5)
    x.sub_(lib.ones(4, dtype=lib.float64), alpha=3)
    steps.append(x.clone())
    x.mul_(2)
    x.mul_(lib.tensor([1.0, 0.5, 2.0, -1.0], dtype=lib.float64))
    steps.append(x.clone())
    x.div_(4)
    x.div_(lib.tensor([2.0, 1.0, 0.5, 1.0], dtype=lib.float64))
    steps.append(x.clone())
    x.clamp_(-1.0, 2.5)
    steps.append(x.clone())
    x.clamp_(min=0.0)
    steps.append(x.clone())
    x.copy_(lib.tensor([9.0, 8.0, 7.0, 6.0], dtype=lib.float64))
    steps.append(x.clone())
    x.copy_(lib.tensor([1, 2, 3, 4]))  # copy_ casts
    steps.append(x.clone())
    x.fill_(3)
    steps.append(x.clone())
    x.zero_()
    steps.append(x.clone())
    return [s.numpy() for s in steps]


def test_in_place_op_values():
    steps = in_place_program(ag)
    np.testing.assert_allclose(steps[0], [4.0, 3.0, 10.0, 13.0])
    np.testing.assert_allclose(steps[-3], [1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(steps[-2], [3.0] * 4)
    np.testing.assert_allclose(steps[-1], [0.0] * 4)


def test_in_place_op_values_match_pytorch():
    torch = pytest.importorskip("torch")
    for ours, theirs in zip(in_place_program(ag), in_place_program(torch)):
        np.testing.assert_allclose(ours, theirs)


def test_in_place_returns_self_and_keeps_dtype_and_memory():
    x = ag.zeros(3)
    memory = x.numpy()
    assert x.add_(1) is x
    assert x.dtype == ag.float32
    np.testing.assert_allclose(memory, [1.0, 1.0, 1.0])  # written into the same array


def test_normal_and_uniform_in_place():
    ag.manual_seed(0)
    x = ag.empty(20_000, dtype=ag.float64)
    assert x.normal_(2.0, 0.5) is x
    assert abs(x.mean().item() - 2.0) < 0.02
    assert abs(float(np.std(x.numpy())) - 0.5) < 0.02
    u = ag.empty(20_000).uniform_(-3.0, -1.0)
    assert u.dtype == ag.float32
    assert u.min().item() >= -3.0 and u.max().item() < -1.0
    assert abs(u.mean().item() + 2.0) < 0.03
    ag.manual_seed(5)
    a = ag.empty(4).normal_()
    ag.manual_seed(5)
    np.testing.assert_array_equal(a.numpy(), ag.empty(4).normal_().numpy())


def test_in_place_dtype_and_shape_errors_match_pytorch():
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired "
                                           "output type Long"):
        ag.tensor([1, 2]).add_(1.5)
    with pytest.raises(RuntimeError, match=r"output with shape \[2\] doesn't match the "
                                           r"broadcast shape \[2, 2\]"):
        ag.ones(2).add_(ag.ones(2, 2))
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        ag.ones(2).expand(3, 2).add_(1)


# ------------------------------------------------------------------ leaves
@pytest.mark.parametrize("op", [
    lambda x: x.add_(1), lambda x: x.mul_(2), lambda x: x.zero_(), lambda x: x.fill_(1.0),
    lambda x: x.normal_(), lambda x: x.uniform_(), lambda x: x.copy_(ag.zeros(2)),
    lambda x: x.clamp_(0, 1), lambda x: x.__setitem__(0, 5.0),
])
def test_in_place_on_leaf_requiring_grad_raises(op):
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=LEAF_INPLACE):
        op(x)


def test_in_place_on_leaf_works_under_no_grad():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with ag.no_grad():
        x.add_(1)
        x.mul_(2)
        x[0] = 10.0
    assert x.requires_grad and x.is_leaf and x.grad_fn is None
    np.testing.assert_allclose(x.detach().numpy(), [10.0, 6.0])
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [20.0, 12.0])


def test_setitem_under_no_grad_and_on_plain_tensors():
    x = ag.zeros(2, 3)
    x[0] = 1.0
    x[1, 1:] = ag.tensor([5.0, 6.0])
    x[:, 0] += 2
    np.testing.assert_allclose(x.numpy(), [[3.0, 1.0, 1.0], [2.0, 5.0, 6.0]])


# ------------------------------------------------------------------ the version counter
def test_in_place_change_to_a_saved_output_raises_at_backward():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # exp saves its output
    y.add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.sum().backward()


def test_in_place_change_to_a_saved_input_raises_at_backward():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    z = h * x  # saves h
    h.mul_(3)
    with pytest.raises(RuntimeError, match=MODIFIED):
        z.sum().backward()


def test_setitem_on_a_saved_tensor_raises_at_backward():
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.sigmoid()
    y[0] = 10.0
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.sum().backward()


def test_in_place_on_an_output_nobody_saved_is_fine():
    torch = pytest.importorskip("torch")
    grads = []
    for lib in (ag, torch):
        x = lib.tensor([[1.0, 2.0]], dtype=lib.float64, requires_grad=True)
        w = lib.tensor([[3.0], [4.0]], dtype=lib.float64, requires_grad=True)
        b = lib.tensor([0.5], dtype=lib.float64, requires_grad=True)
        y = x @ w
        y += b  # matmul saved x and w, not y
        y.mul_(2)
        (y * y).sum().backward()
        grads.append([t.grad.numpy() for t in (x, w, b)])
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs)


def test_in_place_on_non_leaf_gradients_match_pytorch():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (ag, torch):
        x = lib.tensor([1.0, -2.0, 3.0], dtype=lib.float64, requires_grad=True)
        w = lib.tensor([0.5, 2.0, -1.0], dtype=lib.float64, requires_grad=True)
        y = x * 2
        y.mul_(w)  # needs y's old value for w's gradient
        y.add_(x)
        y.clamp_(-3.0, 3.0)
        assert y.grad_fn.name() == "ClampBackward1" or lib is ag
        y.sum().backward()
        results.append([y.detach().numpy(), x.grad.numpy(), w.grad.numpy()])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs)


def test_setitem_with_graph_matches_pytorch():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (ag, torch):
        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        v = lib.tensor([7.0], dtype=lib.float64, requires_grad=True)
        y = x * 1
        y[0] = 10.0
        y[1:2] = v * 2
        (y * y).sum().backward()
        results.append([y.detach().numpy(), x.grad.numpy(), v.grad.numpy()])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs)


def test_version_counter_is_shared_with_views():
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    h = x * 1
    z = h * x  # saves h
    for make_view in (lambda t: t.view(4), lambda t: t.t(), lambda t: t.reshape(2, 2),
                      lambda t: t.transpose(0, 1), lambda t: t[0], lambda t: t[:, 1:]):
        v = make_view(h)
        v.mul_(1)  # an in-place write through the view...
        with pytest.raises(RuntimeError, match=MODIFIED):  # ...is seen through h
            z.sum().backward(retain_graph=True)


def test_in_place_write_through_a_view_changes_the_base():
    torch = pytest.importorskip("torch")
    values = []
    for lib in (ag, torch):
        base = lib.arange(6.0).reshape(2, 3)
        base.view(6).add_(1)
        base.t().mul_(2)
        base[0].sub_(1)
        values.append(base.numpy())
    np.testing.assert_allclose(*values)


def test_detach_shares_the_version_counter():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.detach().add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.sum().backward()


# ------------------------------------------------------------------ .data
def test_data_writes_are_invisible_to_the_version_check_like_pytorch():
    torch = pytest.importorskip("torch")
    grads = []
    for lib in (ag, torch):
        x = lib.tensor([0.0, 1.0], dtype=lib.float64, requires_grad=True)
        y = x.exp()
        y.data.add_(1)  # .data has its own version counter: no error at backward
        y.sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(*grads)


def test_data_shares_memory_and_is_outside_the_graph():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    d = x.data
    assert not d.requires_grad and d.grad_fn is None
    d.mul_(3)  # no leaf error: .data is not the leaf
    np.testing.assert_allclose(x.detach().numpy(), [3.0, 6.0])
    x.data = ag.tensor([5.0, 6.0, 7.0])
    assert x.shape == (3,) and x.requires_grad
    np.testing.assert_allclose(x.detach().numpy(), [5.0, 6.0, 7.0])


# ------------------------------------------------------------------ copy_
def test_copy_from_a_tensor_requiring_grad_matches_pytorch():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (ag, torch):
        src = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        dst = lib.zeros(3, 2, dtype=lib.float64)
        dst.copy_(src)  # broadcast
        assert dst.requires_grad and not dst.is_leaf
        (dst * dst).sum().backward()
        results.append([dst.detach().numpy(), src.grad.numpy()])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs)


def test_copy_over_a_result_cuts_its_history_like_pytorch():
    torch = pytest.importorskip("torch")
    grads = []
    for lib in (ag, torch):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        y = x * 2
        y.copy_(lib.tensor([5.0, 6.0], dtype=lib.float64))
        y.sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(*grads)  # zeros: the overwritten value does not matter


def _view_program(lib):
    a = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=lib.float64, requires_grad=True)
    w = lib.tensor([1.0, -1.0], dtype=lib.float64, requires_grad=True)
    h = a * 1
    h[0, 1:].mul_(3)  # through a basic-index view
    h.t()[1].mul_(w)  # through a chain of views: transpose, then index
    h.view(6)[4:].add_(2)  # through view()
    h[:, 0] = w * 5  # setitem on a view's parent
    (h * h).sum().backward()
    return h.grad_fn.name(), h.detach().numpy(), a.grad.numpy(), w.grad.numpy()


def test_in_place_through_views_of_a_non_leaf_matches_pytorch():
    torch = pytest.importorskip("torch")
    ours, theirs = _view_program(ag), _view_program(torch)
    for a, b in zip(ours[1:], theirs[1:]):
        np.testing.assert_allclose(a, b)


def test_in_place_through_a_view_rebases_the_base():
    a = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = a * 2
    h[1:].mul_(3)
    assert h.grad_fn.name() == "CopySlices"
    h.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), [2.0, 6.0, 6.0])


def test_copy_into_a_slice_of_a_plain_tensor_makes_it_require_grad():
    y = ag.tensor([5.0, 6.0], requires_grad=True)
    x = ag.zeros(3)
    x[1:].copy_(y)
    assert x.requires_grad and x.tolist() == [0.0, 5.0, 6.0]
    (x * x).sum().backward()
    np.testing.assert_allclose(y.grad.numpy(), [10.0, 12.0])


def test_in_place_on_a_view_of_a_leaf_requiring_grad_raises():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    for op in (lambda: a[0].mul_(2), lambda: a.view(2).add_(1), lambda: a[:1].zero_()):
        with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
            op()
    with ag.no_grad():
        a[:1].mul_(2)
    assert a.tolist() == [2.0, 2.0]


def test_fill_and_random_fill_on_a_result_cut_the_overwritten_gradient():
    torch = pytest.importorskip("torch")
    grads = []
    for lib in (ag, torch):
        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        y = x * 2
        y[:1].fill_(5.0)
        y[1:2].zero_()
        z = x * 3
        z.normal_()
        (y.sum() + z.sum()).backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(*grads)  # only y[2] still depends on x


def test_in_place_through_an_integer_index_writes_the_element():
    x = ag.zeros(3)
    x[1].fill_(5.0)
    x[2].add_(1)
    assert x.tolist() == [0.0, 5.0, 1.0]


# Random programs of in-place ops through views of a non-leaf, checked against PyTorch.
_VIEWS = [lambda t: t[0], lambda t: t[:, 1:], lambda t: t.t(), lambda t: t.view(-1)[2:5],
          lambda t: t[1:, :2].t()]
_OPS = [lambda v, w: v.mul_(2), lambda v, w: v.add_(w.sum()), lambda v, w: v.mul_(w.mean()),
        lambda v, w: v.clamp_(-1, 1), lambda v, w: v.copy_(w.sum() * 0.5),
        lambda v, w: v.fill_(0.25), lambda v, w: v.sub_(v.detach() * 0.1)]


def _random_view_program(lib, seed: int):
    rng = np.random.default_rng(seed)
    a = lib.tensor(np.linspace(-2, 2, 12).reshape(3, 4), requires_grad=True)
    w = lib.tensor(np.linspace(0.5, 1.5, 3), requires_grad=True)
    h = a * 1.5
    for _ in range(rng.integers(1, 5)):
        view = _VIEWS[rng.integers(len(_VIEWS))](h)
        _OPS[rng.integers(len(_OPS))](view, w)
    ((h * h).sum() + h.sum()).backward()
    return h.detach().numpy(), a.grad.numpy(), w.grad


@pytest.mark.parametrize("seed", range(40))
def test_random_in_place_programs_through_views_match_pytorch(seed):
    torch = pytest.importorskip("torch")
    ours, theirs = _random_view_program(ag, seed), _random_view_program(torch, seed)
    np.testing.assert_allclose(ours[0], theirs[0])
    np.testing.assert_allclose(ours[1], theirs[1])
    assert (ours[2] is None) == (theirs[2] is None)
    if ours[2] is not None:
        np.testing.assert_allclose(ours[2].numpy(), theirs[2].numpy())
