"""Tensor creation: tensor() and its dtype inference, the factories, random numbers, devices."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag


@pytest.fixture
def float64_default():
    ag.set_default_dtype(ag.float64)
    yield
    ag.set_default_dtype(ag.float32)


# ------------------------------------------------------------------ tensor()
@pytest.mark.parametrize(("data", "dtype"), [
    (1.5, ag.float32), (1, ag.int64), (True, ag.bool),
    ([1.0, 2.0], ag.float32), ([1, 2], ag.int64), ([True, False], ag.bool),
    ([1, 2.5], ag.float32), ([[1, 2], [3, 4]], ag.int64), ([], ag.float32),
    (np.ones(2, np.float64), ag.float64), (np.ones(2, np.int32), ag.int32),
    (np.ones(2, np.float32), ag.float32), (np.float64(2.0), ag.float64),
])
def test_dtype_inference(data, dtype):
    assert ag.tensor(data).dtype == dtype


def test_dtype_inference_matches_pytorch():
    torch = pytest.importorskip("torch")
    cases = [1.5, 1, True, [1.0, 2.0], [1, 2], [True, False], [1, 2.5], [True, 2],
             [[1.0], [2.0]], np.ones(2, np.int32), np.ones(2), np.float32(2.0)]
    for data in cases:
        assert str(torch.tensor(data).dtype) == str(ag.tensor(data).dtype), data


def test_tensor_values_and_shapes():
    t = ag.tensor([[1, 2, 3], [4, 5, 6]])
    assert t.shape == (2, 3) and t.tolist() == [[1, 2, 3], [4, 5, 6]]
    assert ag.tensor(3.0).shape == () and ag.tensor(3.0).item() == 3.0
    assert ag.tensor([]).shape == (0,)


def test_tensor_with_dtype_and_requires_grad():
    t = ag.tensor([1, 2], dtype=ag.float64, requires_grad=True)
    assert t.dtype == ag.float64 and t.requires_grad and t.is_leaf
    assert ag.tensor([1.7], dtype=ag.int64).tolist() == [1]
    assert ag.tensor([1.0], dtype="float64").dtype == ag.float64
    assert ag.tensor([1.0], dtype=float).dtype == ag.float64  # Python float is float64, as in torch


def test_tensor_copies_numpy_and_tensors():
    a = np.ones(2, np.float32)
    t = ag.tensor(a)
    t.add_(1)
    np.testing.assert_array_equal(a, [1.0, 1.0])
    u = ag.tensor(t)
    u.add_(1)
    assert t.tolist() == [2.0, 2.0]


def test_as_tensor_and_from_numpy_share_memory():
    a = np.ones(2)
    ag.as_tensor(a).add_(1)
    ag.from_numpy(a).add_(1)
    np.testing.assert_array_equal(a, [3.0, 3.0])
    assert ag.from_numpy(np.ones(2, np.int32)).dtype == ag.int32


def test_tensor_from_lists_of_tensors():
    assert ag.tensor([ag.tensor(1.0), ag.tensor(2.0)]).tolist() == [1.0, 2.0]
    assert ag.tensor([ag.tensor(1), ag.tensor(2)]).dtype == ag.int64
    nested = ag.tensor([[ag.tensor(1.0)], [ag.tensor(2.0)]])
    assert nested.shape == (2, 1) and nested.tolist() == [[1.0], [2.0]]
    mixed = ag.tensor([ag.tensor(1.5), 2.5])
    assert mixed.dtype == ag.float32 and mixed.tolist() == [1.5, 2.5]


def test_legacy_tensor_constructor_gives_the_default_float_dtype():
    assert ag.Tensor([1, 2]).dtype == ag.float32 and ag.Tensor([1, 2]).tolist() == [1.0, 2.0]
    assert ag.Tensor().shape == (0,)
    assert ag.Tensor(np.array([1, 2], np.int32)).dtype == ag.float32  # as torch.Tensor(array)


def test_tensor_from_a_tensor_requiring_grad_is_a_new_leaf():
    x = ag.tensor([1.0], requires_grad=True) * 2
    t = ag.tensor(x.detach())
    assert t.is_leaf and not t.requires_grad


def test_bad_data_errors():
    with pytest.raises(ValueError, match="expected sequence of length 2 at dim 1 \\(got 1\\)"):
        ag.tensor([[1, 2], [3]])
    with pytest.raises(TypeError, match="str"):
        ag.tensor("a")
    with pytest.raises(RuntimeError, match="floating point"):
        ag.tensor([1, 2], requires_grad=True)


# ------------------------------------------------------------------ default dtype
def test_set_default_dtype_float64(float64_default):
    assert ag.get_default_dtype() == ag.float64
    for t in (ag.tensor([1.5]), ag.tensor(1.5), ag.zeros(2), ag.ones(1), ag.empty(1),
              ag.rand(2), ag.randn(2), ag.arange(3.0), ag.linspace(0, 1, 3), ag.eye(2),
              ag.full((2,), 1.5), ag.tensor([1, 2]) * 1.5):
        assert t.dtype == ag.float64
    assert ag.arange(3).dtype == ag.int64
    assert ag.tensor([1, 2]).dtype == ag.int64
    assert ag.tensor(np.ones(1, np.float32)).dtype == ag.float32


def test_default_dtype_is_restored_and_must_be_floating():
    assert ag.get_default_dtype() == ag.float32
    assert ag.zeros(1).dtype == ag.float32
    with pytest.raises(TypeError, match="only floating-point types"):
        ag.set_default_dtype(ag.int64)


# ------------------------------------------------------------------ factories
@pytest.mark.parametrize("factory", [ag.zeros, ag.ones, ag.empty, ag.rand, ag.randn])
def test_size_forms(factory):
    for args in ((2, 3), ((2, 3),), ([2, 3],)):
        t = factory(*args)
        assert t.shape == (2, 3) and t.dtype == ag.float32
    assert factory(()).shape == ()
    assert factory(2, dtype=ag.float64).dtype == ag.float64
    assert factory(2, requires_grad=True).requires_grad


def test_zeros_ones_full_values_and_dtypes():
    assert ag.zeros(2, 2).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert ag.ones(3, dtype=ag.int64).tolist() == [1, 1, 1]
    assert ag.ones(2, dtype=ag.bool).tolist() == [True, True]
    assert ag.full((2,), 1.5).tolist() == [1.5, 1.5]
    assert ag.full((2,), 1.5).dtype == ag.float32
    assert ag.full((2,), 7).dtype == ag.int64
    assert ag.full([2, 2], False).dtype == ag.bool
    assert ag.full((2,), 3, dtype=ag.float64).dtype == ag.float64


@pytest.mark.parametrize(("args", "kwargs"), [
    ((5,), {}), ((1, 4), {}), ((0, 1, 0.25), {}), ((5.0,), {}), ((10, 0, -3), {}),
    ((1.0, -1.0, -0.5), {}), ((0, 5), {"dtype": "float32"}), ((0, 10, 2.5), {}),
    ((), {"start": 2, "end": 6, "step": 2}), ((0, 0.3, 0.1), {}), ((3, 3), {}),
])
def test_arange_matches_pytorch(args, kwargs):
    torch = pytest.importorskip("torch")
    ours = ag.arange(*args, **kwargs)
    theirs = torch.arange(*args, **{k: getattr(torch, v) if k == "dtype" else v
                                    for k, v in kwargs.items()})
    assert str(theirs.dtype) == str(ours.dtype)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_arange_forms():
    assert ag.arange(5).tolist() == [0, 1, 2, 3, 4] and ag.arange(5).dtype == ag.int64
    assert ag.arange(5, 0, -2).tolist() == [5, 3, 1]
    assert ag.arange(0, 1, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75]
    assert ag.arange(1.0, -1.0, -0.5).tolist() == [1.0, 0.5, 0.0, -0.5]
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        ag.arange(0, 5, 0)
    with pytest.raises(RuntimeError, match="inconsistent with step sign"):
        ag.arange(0, 5, -1)


def test_linspace_and_eye():
    np.testing.assert_allclose(ag.linspace(0, 1, 5).numpy(), [0, 0.25, 0.5, 0.75, 1.0])
    assert ag.linspace(0, 10, 3).dtype == ag.float32
    assert ag.linspace(2, 3, 1).tolist() == [2.0]
    assert ag.linspace(0, 1, 3, dtype=ag.float64).dtype == ag.float64
    assert ag.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert ag.eye(2, 3).shape == (2, 3) and ag.eye(2, 3).dtype == ag.float32
    assert ag.eye(2, dtype=ag.int64).dtype == ag.int64


def test_like_factories():
    x = ag.ones(2, 3, dtype=ag.float64)
    for fn in (ag.zeros_like, ag.ones_like, ag.empty_like, ag.rand_like, ag.randn_like):
        t = fn(x)
        assert t.shape == (2, 3) and t.dtype == ag.float64 and not t.requires_grad
    assert ag.zeros_like(x).tolist() == [[0.0] * 3] * 2
    assert ag.ones_like(ag.tensor([1, 2])).dtype == ag.int64
    assert ag.zeros_like(x, dtype=ag.int64).dtype == ag.int64
    assert ag.full_like(x, 7).tolist() == [[7.0] * 3] * 2
    assert ag.full_like(ag.tensor([1, 2]), 2.7).tolist() == [2, 2]
    assert ag.zeros_like(x, requires_grad=True).requires_grad


def test_factories_reject_bad_sizes():
    with pytest.raises(RuntimeError, match="negative dimension"):
        ag.zeros(-1)
    with pytest.raises(TypeError, match="size"):
        ag.zeros(2.5)


# ------------------------------------------------------------------ random
def test_rand_randn_ranges_and_statistics():
    ag.manual_seed(0)
    u = ag.rand(10_000)
    assert u.min().item() >= 0.0 and u.max().item() < 1.0
    assert abs(u.mean().item() - 0.5) < 0.02
    n = ag.randn(10_000, dtype=ag.float64)
    assert abs(n.mean().item()) < 0.05
    assert abs(float(np.std(n.numpy())) - 1.0) < 0.05


def test_manual_seed_makes_random_numbers_reproducible():
    def draw():
        return [ag.rand(3).tolist(), ag.randn(2, 2).tolist(), ag.randint(0, 100, (5,)).tolist(),
                ag.randn_like(ag.zeros(2)).tolist(), ag.empty(3).normal_().tolist()]

    ag.manual_seed(1234)
    first = draw()
    ag.manual_seed(1234)
    assert draw() == first
    ag.manual_seed(4321)
    assert draw() != first


@pytest.mark.parametrize(("args", "kwargs", "shape", "low", "high"), [
    ((5, (3,)), {}, (3,), 0, 5),
    ((2, 5, (3, 2)), {}, (3, 2), 2, 5),
    ((2, 5), {"size": (3,)}, (3,), 2, 5),
    ((), {"low": 2, "high": 5, "size": (3,)}, (3,), 2, 5),
    ((), {"high": 5, "size": (3,)}, (3,), 0, 5),
    ((5,), {"size": [4]}, (4,), 0, 5),
])
def test_randint_signature_forms(args, kwargs, shape, low, high):
    t = ag.randint(*args, **kwargs)
    assert t.shape == shape and t.dtype == ag.int64
    assert low <= t.min().item() and t.max().item() < high
    assert ag.randint(3, 10, (2,), dtype=ag.int32).dtype == ag.int32


def test_randint_covers_its_range_and_checks_bounds():
    ag.manual_seed(0)
    values = set(ag.randint(2, 5, (1000,)).tolist())
    assert values == {2, 3, 4}
    with pytest.raises(RuntimeError, match="expects 'from' to be less than 'to'"):
        ag.randint(5, 2, (3,))


# ------------------------------------------------------------------ devices
def test_device_objects():
    d = ag.device("cpu")
    assert repr(d) == "device(type='cpu')" and str(d) == "cpu"
    assert d.type == "cpu" and d.index is None
    assert ag.zeros(1).device == d
    assert ag.zeros(1, device="cpu").device == d
    assert ag.tensor([1.0], device=d).device == d


def test_device_repr_matches_pytorch():
    torch = pytest.importorskip("torch")
    assert repr(ag.device("cpu")) == repr(torch.device("cpu"))
    assert repr(ag.device("cuda", 1)) == repr(torch.device("cuda", 1))
    assert repr(ag.device("cuda:0")) == repr(torch.device("cuda:0"))


def test_default_device():
    assert ag.get_default_device() == ag.device("cpu")
    ag.set_default_device("cpu")
    try:
        assert ag.zeros(1).device.type == "cpu"
    finally:
        ag.set_default_device(None)
    assert ag.get_default_device().type == "cpu"
    with pytest.raises(RuntimeError, match="device"):
        ag.device("tpu")
