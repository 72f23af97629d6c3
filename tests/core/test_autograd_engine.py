"""Autograd engine semantics, checked against what PyTorch does for the same program."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import autograd

FREED = "Trying to backward through the graph a second time"


def leaf(values, dtype=ag.float64):
    return ag.tensor(values, dtype=dtype, requires_grad=True)


# ------------------------------------------------------------------ accumulation, retain_graph
def test_grad_accumulates_across_two_backward_calls():
    x = leaf([1.0, 2.0])
    (x * x).sum().backward()
    (3 * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2 + 3, 4 + 3])


def test_retain_graph_allows_a_second_backward():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 8.0])


def test_second_backward_without_retain_graph_raises_pytorchs_message():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=FREED):
        y.backward()


def test_second_backward_through_a_graph_that_saved_nothing_works():
    # PyTorch only refuses when a freed saved tensor is needed: add and sum keep none.
    x = leaf([1.0, 2.0])
    y = (x + x).sum()
    y.backward()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 4.0])


def test_saved_tensors_cannot_be_read_after_backward():
    x = leaf([1.0, 2.0])
    y = x * x
    y.sum().backward()
    with pytest.raises(RuntimeError, match=FREED):
        y.grad_fn.saved_tensors  # noqa: B018 - the property read is the test


# ------------------------------------------------------------------ detach, grad modes
def test_detach_shares_memory_and_leaves_the_graph():
    x = leaf([1.0, 2.0])
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    d.add_(1)  # detach shares storage: y sees the write
    np.testing.assert_allclose(y.detach().numpy(), [3.0, 5.0])


def test_detach_in_place_turns_a_result_into_a_leaf():
    x = leaf([1.0, 2.0])
    y = x * 2
    assert y.detach_() is y
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf


def test_no_grad_as_context_manager_and_decorators():
    x = leaf([1.0])
    with ag.no_grad():
        assert not (x * 2).requires_grad
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()

    @ag.no_grad()
    def called() -> ag.Tensor:
        return x * 2

    @ag.no_grad
    def bare() -> ag.Tensor:
        return x * 2

    assert not called().requires_grad
    assert not bare().requires_grad
    assert ag.is_grad_enabled()


def test_enable_grad_inside_no_grad_and_set_grad_enabled():
    x = leaf([1.0])
    with ag.no_grad():
        with ag.enable_grad():
            assert (x * 2).requires_grad
        assert not (x * 2).requires_grad
    with ag.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert ag.is_grad_enabled()
    ag.set_grad_enabled(False)  # a plain call switches the mode, as in PyTorch
    try:
        assert not (x * 2).requires_grad
    finally:
        ag.set_grad_enabled(True)
    assert (x * 2).requires_grad


def test_set_grad_enabled_as_decorator_and_mode_restored_after_exception():
    x = leaf([1.0])

    @ag.set_grad_enabled(False)
    def f() -> ag.Tensor:
        return x * 2

    assert not f().requires_grad
    assert ag.is_grad_enabled()
    with pytest.raises(ValueError), ag.no_grad():
        raise ValueError
    assert ag.is_grad_enabled()


def test_inference_mode_forms_and_reused_context_objects():
    x = leaf([1.0])
    with ag.inference_mode():
        assert not (x * 2).requires_grad
    with ag.inference_mode(False):
        assert (x * 2).requires_grad

    @ag.inference_mode
    def bare() -> ag.Tensor:
        return x * 2

    @ag.inference_mode()
    def called() -> ag.Tensor:
        return x * 2

    assert not bare().requires_grad and not called().requires_grad
    guard = ag.no_grad()
    with guard:
        with guard:  # one object entered twice restores each level
            assert not ag.is_grad_enabled()
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()


def test_requires_grad_and_is_leaf():
    x = ag.tensor([1.0, 2.0])
    assert not x.requires_grad and x.is_leaf
    assert x.requires_grad_() is x and x.requires_grad
    y = x * 2
    assert not y.is_leaf and y.requires_grad
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf variables"):
        y.requires_grad_(False)
    x.requires_grad_(False)
    assert not x.requires_grad


# ------------------------------------------------------------------ .grad assignment
def test_grad_is_assignable_and_checked_like_pytorch():
    x = leaf([1.0, 2.0])
    x.grad = ag.tensor([5.0, 6.0], dtype=ag.float64)
    (x * 1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 7.0])
    x.grad = None
    assert x.grad is None
    with pytest.raises(RuntimeError, match="attempting to assign a gradient of size '\\[3\\]'"):
        x.grad = ag.zeros(3, dtype=ag.float64)
    with pytest.raises(RuntimeError, match="attempting to assign a gradient with dtype"):
        x.grad = ag.zeros(2, dtype=ag.float32)
    with pytest.raises(TypeError, match="assigned grad expected to be a Tensor or None"):
        x.grad = 3


def test_non_leaf_grad_is_none_unless_retained():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.sum().backward()
    with pytest.warns(UserWarning, match="not a leaf Tensor is being accessed"):
        assert y.grad is None  # and says why, with PyTorch's hint (retain_grad)


# ------------------------------------------------------------------ graph structure
def test_grad_fn_names_and_next_functions():
    x = leaf([1.0, 2.0])
    w = ag.tensor([3.0, 4.0], dtype=ag.float64)
    y = x * w
    z = y.sum()
    assert y.grad_fn.name() == "MulBackward0"
    assert z.grad_fn.name() == "SumBackward0"
    (acc, nr), (other, _) = y.grad_fn.next_functions
    assert acc.name() == "AccumulateGrad" and acc.variable is x and nr == 0
    assert other is None  # w requires no grad
    assert z.grad_fn.next_functions[0][0] is y.grad_fn
    # The same leaf always has the same AccumulateGrad node.
    assert (x + 1).grad_fn.next_functions[0][0] is acc


def test_graph_structure_matches_pytorch():
    torch = pytest.importorskip("torch")

    def names(node):
        # PyTorch spells its leaf node "torch::autograd::AccumulateGrad" in name().
        return [None if n is None else n.name().removeprefix("torch::autograd::")
                for n, _ in node.next_functions]

    def structure(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0])
        out = ((x * w).exp() + x).sum()
        add = out.grad_fn.next_functions[0][0]
        exp = add.next_functions[0][0]
        return out.grad_fn.name(), names(out.grad_fn), names(add), names(exp), \
            names(exp.next_functions[0][0])

    assert structure(ag) == structure(torch)


# ------------------------------------------------------------------ hooks, retain_grad
def test_hook_on_non_leaf_modifies_the_gradient_and_can_be_removed():
    x = leaf([1.0, 2.0])
    y = x * x
    seen = []
    handle = y.register_hook(lambda g: seen.append(g.numpy().copy()) or g * 100)
    y.sum().backward(retain_graph=True)
    np.testing.assert_allclose(x.grad.numpy(), [200.0, 400.0])
    np.testing.assert_allclose(seen[0], [1.0, 1.0])
    handle.remove()
    x.grad = None
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


def test_hook_on_leaf_changes_what_is_accumulated():
    x = leaf([1.0, 2.0])
    handle = x.register_hook(lambda g: g * 3)
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 12.0])
    handle.remove()
    x.grad = None
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


def test_hook_returning_none_keeps_the_gradient():
    x = leaf([1.0, 2.0])
    x.register_hook(lambda g: None)
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


def test_register_hook_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        ag.ones(2).register_hook(lambda g: g)


def test_grad_fn_hook_sees_tensors_and_can_replace_grad_inputs():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (ag, torch):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        y = x * 3
        seen = []

        def hook(grad_inputs, grad_outputs, seen=seen):
            seen.append((len(grad_inputs), len(grad_outputs),
                         type(grad_outputs[0]).__name__ == "Tensor"))
            return (grad_inputs[0] * 10, None)

        handle = y.grad_fn.register_hook(hook)
        y.sum().backward(retain_graph=True)
        first = x.grad.numpy().copy()
        handle.remove()
        y.sum().backward()
        results.append((seen, first, x.grad.numpy()))
    assert results[0][0] == results[1][0] == [(2, 1, True)]
    np.testing.assert_allclose(results[0][1], results[1][1])  # 30s: the hook's replacement
    np.testing.assert_allclose(results[0][2], results[1][2])  # + 3s once removed


def test_retain_grad_keeps_non_leaf_grad_after_hooks():
    x = leaf([1.0, 2.0])
    y = x * x
    y.retain_grad()
    assert y.retains_grad
    y.register_hook(lambda g: g * 10)
    (y * 3).sum().backward()
    # PyTorch stores the retained grad after the tensor's hooks ran.
    np.testing.assert_allclose(y.grad.numpy(), [30.0, 30.0])
    np.testing.assert_allclose(x.grad.numpy(), [60.0, 120.0])


# ------------------------------------------------------------------ autograd.grad
def test_autograd_grad_multiple_inputs_and_outputs_without_touching_grad():
    x = leaf([1.0, 2.0])
    w = leaf([3.0])
    a = (x * w).sum()
    b = (x * x).sum()
    gx, gw = autograd.grad([a, b], [x, w])
    np.testing.assert_allclose(gx.numpy(), [3 + 2, 3 + 4])
    np.testing.assert_allclose(gw.numpy(), [3.0])
    assert x.grad is None and w.grad is None


def test_autograd_grad_with_grad_outputs_and_single_tensor_input():
    x = leaf([1.0, 2.0])
    y = x * x
    (g,) = autograd.grad(y, x, grad_outputs=ag.tensor([1.0, 10.0], dtype=ag.float64))
    np.testing.assert_allclose(g.numpy(), [2.0, 40.0])


def test_autograd_grad_allow_unused():
    x = leaf([1.0, 2.0])
    unused = leaf([1.0])
    with pytest.raises(RuntimeError, match="index 1 appears to not have been used in the graph"):
        autograd.grad((x * x).sum(), [x, unused])
    gx, gu = autograd.grad((x * x).sum(), [x, unused], allow_unused=True)
    assert gu is None
    np.testing.assert_allclose(gx.numpy(), [2.0, 4.0])


def test_autograd_grad_takes_pytorchs_parameters_in_its_order():
    torch = pytest.importorskip("torch")
    x = leaf([1.0, 2.0])
    unused = leaf([1.0])
    # positional: grad_outputs, retain_graph, create_graph, only_inputs, allow_unused
    gx, gu = autograd.grad((x * x).sum(), [x, unused], None, True, False, True, True)
    assert gu is None
    np.testing.assert_allclose(gx.numpy(), [2.0, 4.0])
    t = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    with pytest.warns(FutureWarning) as theirs:
        torch.autograd.grad((t * t).sum(), t, only_inputs=False)
    with pytest.warns(FutureWarning) as ours:
        (g,) = autograd.grad((x * x).sum(), x, only_inputs=False)  # ignored, as in PyTorch
    assert str(ours[0].message) == str(theirs[0].message)
    np.testing.assert_allclose(g.numpy(), [2.0, 4.0])
    with pytest.raises(TypeError, match="is_grads_batched"):
        autograd.grad((x * x).sum(), x, is_grads_batched=True)


def test_autograd_grad_retain_graph():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    autograd.grad(y, x, retain_graph=True)
    (g,) = autograd.grad(y, x)
    np.testing.assert_allclose(g.numpy(), [2.0, 4.0])
    with pytest.raises(RuntimeError, match=FREED):
        autograd.grad(y, x)


def test_autograd_grad_of_an_intermediate_tensor():
    x = leaf([1.0, 2.0])
    h = x * 3
    y = (h * h).sum()
    (gh,) = autograd.grad(y, h)
    np.testing.assert_allclose(gh.numpy(), [6.0, 12.0])


def test_autograd_grad_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    results = []
    for lib in (ag, torch):
        x = lib.tensor(a, requires_grad=True)
        w = lib.tensor(b, requires_grad=True)
        out = (x @ w).tanh()
        seed = lib.tensor(np.arange(6.0).reshape(3, 2))
        results.append([g.detach().numpy() for g in lib.autograd.grad(out, [x, w], seed)])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


# ------------------------------------------------------------------ backward(gradient=...)
def test_backward_with_gradient_for_non_scalar_output():
    x = leaf([1.0, 2.0])
    (x * x).backward(ag.tensor([1.0, 10.0], dtype=ag.float64))
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 40.0])


def test_backward_seed_of_another_dtype_is_cast_to_the_output_dtype():
    x = ag.ones(2, requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.backward(ag.ones(2, dtype=ag.float64))
    assert y.grad.dtype == ag.float32 and x.grad.dtype == ag.float32
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


def test_backward_on_non_scalar_without_gradient_raises():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
        (x * 2).backward()


def test_backward_with_gradient_of_the_wrong_shape_raises():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="Mismatch in shape"):
        (x * 2).backward(ag.ones(3, dtype=ag.float64))


def test_backward_on_tensor_not_requiring_grad_raises_pytorchs_message():
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad and "
                                           "does not have a grad_fn"):
        ag.tensor([1.0, 2.0]).sum().backward()


def test_backward_inputs_restricts_accumulation():
    x = leaf([1.0, 2.0])
    w = leaf([3.0, 4.0])
    (x * w).sum().backward(inputs=[x])
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 4.0])
    assert w.grad is None


# ------------------------------------------------------------------ graph shapes
def test_diamond_graph_accumulates_both_paths():
    x = leaf([0.5, -1.0])
    y = x.exp()
    z = y * y + y  # y feeds two ops, and one op twice
    z.sum().backward()
    e = np.exp([0.5, -1.0])
    np.testing.assert_allclose(x.grad.numpy(), 2 * e * e + e)


def test_same_tensor_as_both_inputs():
    x = leaf([3.0])
    (x * x).backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0])
    x.grad = None
    (x + x).backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0])


def test_deep_chain_of_ten_thousand_ops_has_no_recursion_limit():
    x = leaf([1.0])
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0001 ** 10_000], rtol=1e-9)


def test_gradients_match_pytorch_on_a_small_model():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    data = {k: rng.standard_normal(s) for k, s in
            {"x": (5, 3), "w1": (3, 4), "b1": (4,), "w2": (4, 1)}.items()}
    grads = []
    for lib in (ag, torch):
        t = {k: lib.tensor(v, requires_grad=True) for k, v in data.items()}
        h = (t["x"] @ t["w1"] + t["b1"]).relu()
        loss = ((h @ t["w2"]).sigmoid() * h.sum(1, keepdim=True)).mean()
        loss.backward()
        grads.append({k: v.grad.numpy() for k, v in t.items()})
    for k in data:
        np.testing.assert_allclose(grads[0][k], grads[1][k], rtol=1e-10, atol=1e-12)
