"""The Tensor's own API: metadata, conversions, clone, repr and pickling, as in PyTorch."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import autograd_core as ag


# ------------------------------------------------------------------ metadata
def test_metadata():
    x = ag.zeros(2, 3, 4)
    assert x.shape == (2, 3, 4) and repr(x.shape) == "torch.Size([2, 3, 4])"
    assert x.size() == (2, 3, 4) and x.size(1) == 3 and x.size(-1) == 4
    assert x.ndim == 3 and x.dim() == 3
    assert x.numel() == 24 and x.shape.numel() == 24
    assert x.dtype == ag.float32
    assert x.device == ag.device("cpu") and x.device.type == "cpu"
    assert len(x) == 2


def test_item_and_python_conversions():
    assert ag.tensor(2.5).item() == 2.5
    assert isinstance(ag.tensor([7]).item(), int)
    assert float(ag.tensor(1.5)) == 1.5 and int(ag.tensor(3)) == 3
    assert bool(ag.tensor([True]))
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted"):
        ag.tensor([1.0, 2.0]).item()
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value"):
        bool(ag.tensor([1.0, 2.0]))


def test_numpy_and_tolist():
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    arr = x.numpy()
    assert isinstance(arr, np.ndarray) and arr.dtype == np.float32
    arr[0, 0] = 9.0  # numpy() shares memory, as in PyTorch
    assert x[0, 0].item() == 9.0
    assert x.tolist() == [[9.0, 2.0], [3.0, 4.0]]
    assert ag.tensor(3).tolist() == 3
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        ag.ones(2, requires_grad=True).numpy()
    np.testing.assert_array_equal(ag.ones(2, requires_grad=True).detach().numpy(), [1, 1])


def test_dtype_conversions():
    x = ag.tensor([1.7, -2.2])
    assert x.float().dtype == ag.float32
    assert x.double().dtype == ag.float64
    assert x.long().dtype == ag.int64 and x.long().tolist() == [1, -2]
    assert x.int().dtype == ag.int32
    assert x.bool().tolist() == [True, True]
    assert x.type_as(ag.tensor([1])).dtype == ag.int64
    assert x.to(ag.float64).dtype == ag.float64
    assert x.to("cpu") is x  # nothing to do: the same tensor, as in PyTorch
    assert x.to("cpu", ag.float64).dtype == ag.float64
    assert x.to(ag.tensor([1], dtype=ag.int32)).dtype == ag.int32
    assert x.cpu() is x
    assert x.float() is x


def test_dtype_conversion_is_differentiable():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.dtype == ag.float64 and y.grad_fn is not None
    (y * y).sum().backward()
    assert x.grad.dtype == ag.float32
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


def test_transposes_and_contiguous():
    x = ag.arange(24.0).reshape(2, 3, 4)
    assert x.T.shape == (4, 3, 2)
    assert x.mT.shape == (2, 4, 3)
    np.testing.assert_array_equal(x.mT.numpy(), np.swapaxes(x.numpy(), -1, -2))
    t = x.mT
    np.testing.assert_array_equal(t.contiguous().numpy(), t.numpy())
    assert x.contiguous().is_contiguous()


def test_contiguous_makes_a_transposed_tensor_contiguous():
    t = ag.arange(6.0).reshape(2, 3).mT
    assert not t.is_contiguous()
    assert t.contiguous().is_contiguous()


def test_clone_copies_memory_and_passes_gradients():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x.clone()
    assert y.grad_fn.name() == "CloneBackward0"
    (y * 3).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])
    plain = ag.tensor([1.0, 2.0])
    copy = plain.clone()
    copy.add_(1)
    assert plain.tolist() == [1.0, 2.0]
    assert ag.clone(plain).tolist() == [1.0, 2.0]


# ------------------------------------------------------------------ repr
def _repr_cases(lib):
    return [
        lib.tensor([0.0, 0.5]),
        lib.tensor([1.0, 2.0]),
        lib.tensor([1, 2]),
        lib.tensor([-1.0, 2.0]),
        lib.tensor([0.1234567, 2.0]),
        lib.tensor([1e-5, 1.0]),
        lib.tensor([1e10, 1.0]),
        lib.tensor([float("nan"), float("inf"), 1.0]),
        lib.tensor([True, False]),
        lib.tensor(3.0),
        lib.tensor(2.5),
        lib.tensor(7),
        lib.tensor([[1.0, 2.0], [3.0, 4.0]]),
        lib.ones(2, 2, 2),
        lib.tensor([1.0, 2.0], dtype=lib.float64),
        lib.tensor([1, 2], dtype=lib.int32),
        lib.tensor([1.5, 2.25], requires_grad=True),
        lib.tensor([1.5, 2.25], requires_grad=True) * 2,
        lib.zeros(0),
        lib.zeros(2, 0),
        lib.zeros(0, dtype=lib.int64),
        lib.arange(30.0).reshape(1, 30) * 1.5,
        lib.arange(2000.0),
        lib.arange(3000).reshape(100, 30),
        lib.tensor([1 + 2j, 3.5 - 1j]),
        lib.tensor([[0j, -1 - 0.5j]]),
    ]


def test_repr_common_cases():
    assert repr(ag.tensor([0.0, 0.5])) == "tensor([0.0000, 0.5000])"
    assert repr(ag.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(ag.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(ag.tensor([1.5], requires_grad=True)) == "tensor([1.5000], requires_grad=True)"
    assert repr(ag.tensor([1.0], requires_grad=True) * 2) == \
        "tensor([2.], grad_fn=<MulBackward0>)"
    assert repr(ag.tensor([1.0], dtype=ag.float64)) == "tensor([1.], dtype=torch.float64)"


def test_repr_matches_pytorch():
    torch = pytest.importorskip("torch")
    for ours, theirs in zip(_repr_cases(ag), _repr_cases(torch)):
        assert repr(ours) == repr(theirs)


def test_repr_follows_the_default_dtype():
    ag.set_default_dtype(ag.float64)
    try:
        assert repr(ag.tensor([1.0, 2.0])) == "tensor([1., 2.])"
        assert repr(ag.tensor([1.0], dtype=ag.float32)) == "tensor([1.], dtype=torch.float32)"
    finally:
        ag.set_default_dtype(ag.float32)


# ------------------------------------------------------------------ pickling
@pytest.mark.parametrize("make", [
    lambda: ag.tensor([1.5, 2.0]),
    lambda: ag.arange(6).reshape(2, 3),
    lambda: ag.tensor([1.0, 2.0], requires_grad=True),
    lambda: ag.tensor(True),
])
def test_pickle_round_trip(make):
    t = make()
    back = pickle.loads(pickle.dumps(t))
    assert isinstance(back, ag.Tensor)
    assert back.dtype == t.dtype and back.shape == t.shape
    assert back.requires_grad == t.requires_grad and back.grad_fn is None
    np.testing.assert_array_equal(back.detach().numpy(), t.detach().numpy())


def test_pickle_of_a_result_gives_a_leaf():
    y = ag.tensor([1.0, 2.0], requires_grad=True) * 2
    back = pickle.loads(pickle.dumps(y))
    assert back.is_leaf and back.requires_grad
    assert back.tolist() == [2.0, 4.0]


def test_deepcopy_of_a_leaf_copies_memory_requires_grad_and_grad():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    y = copy.deepcopy(x)
    assert y is not x and y.requires_grad and y.is_leaf
    assert y.grad.tolist() == [2.0, 4.0] and y.grad is not x.grad
    with ag.no_grad():
        y.add_(1)
    assert x.tolist() == [1.0, 2.0]
    shared = copy.deepcopy({"a": x, "b": x})
    assert shared["a"] is shared["b"]
    with pytest.raises(RuntimeError, match="graph leaves"):
        copy.deepcopy(x * 2)
