"""Creation functions against PyTorch: every positional/keyword form, option and error.

Each row is one call written once and run on both libraries; results are compared by shape,
dtype, requires_grad and (for deterministic functions) values, errors by class and message.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import autograd_core as ag

torch = pytest.importorskip("torch")


def _same_tensor(ours, theirs, values=True):
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype)
    assert ours.requires_grad == theirs.requires_grad
    if values:
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6)


DETERMINISTIC = {
    "zeros(2, 3)": lambda t: t.zeros(2, 3),
    "zeros((2, 3))": lambda t: t.zeros((2, 3)),
    "zeros([2, 3])": lambda t: t.zeros([2, 3]),
    "zeros(Size)": lambda t: t.zeros(t.zeros(4, 1).shape),
    "zeros(size=(2, 3))": lambda t: t.zeros(size=(2, 3)),
    "zeros(size=[2])": lambda t: t.zeros(size=[2]),
    "zeros(())": lambda t: t.zeros(()),
    "zeros(0)": lambda t: t.zeros(0),
    "zeros(0-d int tensor)": lambda t: t.zeros(t.tensor(3)),
    "zeros(np.int64)": lambda t: t.zeros(np.int64(2)),
    "zeros(dtype, requires_grad)": lambda t: t.zeros(2, dtype=t.float64, requires_grad=True),
    "zeros(layout, pin_memory)": lambda t: t.zeros(2, layout=t.strided, pin_memory=False),
    "ones(2, 3, dtype=int32)": lambda t: t.ones(2, 3, dtype=t.int32),
    "ones(size=(1, 2), dtype=bool)": lambda t: t.ones(size=(1, 2), dtype=t.bool),
    "ones(dtype=float)": lambda t: t.ones(2, dtype=float),
    "empty(size=(2, 3)).shape": lambda t: t.empty(size=(2, 3)).zero_(),
    "empty(2, 3, memory_format)": lambda t: t.empty(2, 3, memory_format=t.contiguous_format)
    .zero_(),
    "empty((), dtype=int64)": lambda t: t.empty((), dtype=t.int64).zero_(),
    "full((2,), 3)": lambda t: t.full((2,), 3),
    "full((2,), 1.5)": lambda t: t.full((2,), 1.5),
    "full((2,), True)": lambda t: t.full((2,), True),
    "full(size=, fill_value=)": lambda t: t.full(size=(2, 2), fill_value=7),
    "full((2,), 1.5, dtype=int64)": lambda t: t.full((2,), 1.5, dtype=t.int64),
    "full([2], tensor)": lambda t: t.full([2], t.tensor(2.5)),
    "arange(5)": lambda t: t.arange(5),
    "arange(end=5)": lambda t: t.arange(end=5),
    "arange(start=1, end=4, step=2)": lambda t: t.arange(start=1, end=4, step=2),
    "arange(0, 1, 0.25)": lambda t: t.arange(0, 1, 0.25),
    "arange(1, 4, dtype=float32)": lambda t: t.arange(1, 4, dtype=t.float32),
    "arange(5, requires_grad)": lambda t: t.arange(5.0, requires_grad=True),
    "linspace(0, 1, 5)": lambda t: t.linspace(0, 1, 5),
    "linspace(0, 1, steps=3)": lambda t: t.linspace(0, 1, steps=3),
    "linspace(start=, end=, steps=)": lambda t: t.linspace(start=-1, end=1, steps=4),
    "linspace(dtype=float64)": lambda t: t.linspace(0, 1, 3, dtype=t.float64),
    "logspace(0, 2, 3)": lambda t: t.logspace(0, 2, 3),
    "logspace(base=2)": lambda t: t.logspace(0, 3, 4, base=2),
    "eye(3)": lambda t: t.eye(3),
    "eye(2, 3)": lambda t: t.eye(2, 3),
    "eye(n=2, m=3)": lambda t: t.eye(n=2, m=3),
    "eye(3, dtype=int64)": lambda t: t.eye(3, dtype=t.int64),
    "zeros_like": lambda t: t.zeros_like(t.ones(2, 3, dtype=t.float64)),
    "zeros_like(input=)": lambda t: t.zeros_like(input=t.ones(2)),
    "ones_like(dtype=int64)": lambda t: t.ones_like(t.ones(2), dtype=t.int64),
    "full_like(fill_value=)": lambda t: t.full_like(t.ones(2), fill_value=3),
    "empty_like(memory_format)": lambda t: t.empty_like(
        t.ones(2), memory_format=t.preserve_format).zero_(),
    "ones_like(requires_grad)": lambda t: t.ones_like(t.ones(2), requires_grad=True),
    "tensor(data=)": lambda t: t.tensor(data=[1, 2]),
    "tensor(dtype=float)": lambda t: t.tensor([1], dtype=float),
    "tensor(dtype=int)": lambda t: t.tensor([1.7], dtype=int),
    "tensor(requires_grad)": lambda t: t.tensor([1.0, 2.0], requires_grad=True),
    "tensor([1.0, 2**70])": lambda t: t.tensor([1.0, 2**70]),
    "tensor([2**64], dtype=float32)": lambda t: t.tensor([2**64], dtype=t.float32),
    "tensor([-2**63])": lambda t: t.tensor([-2**63]),
    "Tensor()": lambda t: t.Tensor(),
    "Tensor(2, 3)": lambda t: t.Tensor(2, 3).zero_(),
    "Tensor(3)": lambda t: t.Tensor(3).zero_(),
    "Tensor(Size)": lambda t: t.Tensor(t.zeros(2, 3).shape).zero_(),
    "Tensor(list)": lambda t: t.Tensor([1, 2]),
    "Tensor(tuple)": lambda t: t.Tensor((2, 3)),
    "Tensor(nested)": lambda t: t.Tensor([[1, 2], [3, 4]]),
    "Tensor(bools)": lambda t: t.Tensor([True, False]),
    "Tensor(int64 array)": lambda t: t.Tensor(np.array([1, 2])),
    "Tensor(0-d array)": lambda t: t.Tensor(np.array(2.5)),
    "Tensor(int tensor)": lambda t: t.Tensor(t.tensor([1, 2])),
    "Tensor(size=)": lambda t: t.Tensor(size=(2,)).zero_(),
    "Tensor(data=)": lambda t: t.Tensor(data=[1]),
    "Tensor(device=)": lambda t: t.Tensor([1, 2], device="cpu"),
    "new_zeros(2, 3)": lambda t: t.ones(1, dtype=t.float64).new_zeros(2, 3),
    "new_zeros((2, 3))": lambda t: t.ones(1, dtype=t.float64).new_zeros((2, 3)),
    "new_zeros(size=)": lambda t: t.ones(1, dtype=t.float64).new_zeros(size=(2,)),
    "new_zeros(requires_grad)": lambda t: t.ones(1).new_zeros(2, requires_grad=True),
    "new_ones(dtype=)": lambda t: t.ones(1, dtype=t.float64).new_ones(2, dtype=t.int64),
    "new_full((2,), 3)": lambda t: t.ones(1, dtype=t.float64).new_full((2,), 3),
    "new_empty(2)": lambda t: t.ones(1, dtype=t.int32).new_empty(2).zero_(),
    "new_tensor(requires_grad)": lambda t: t.ones(1, dtype=t.float64).new_tensor(
        [1.0], requires_grad=True),
}


@pytest.mark.parametrize("name", list(DETERMINISTIC))
def test_deterministic_forms_match_torch(name):
    call = DETERMINISTIC[name]
    _same_tensor(call(ag), call(torch))


RANDOM = {
    "rand(2, 3)": lambda t: t.rand(2, 3),
    "rand((2, 3))": lambda t: t.rand((2, 3)),
    "rand(size=(2, 3))": lambda t: t.rand(size=(2, 3)),
    "rand(dtype=float64, requires_grad)": lambda t: t.rand(2, dtype=t.float64,
                                                           requires_grad=True),
    "rand(generator=)": lambda t: t.rand(4, generator=t.Generator().manual_seed(1)),
    "randn(2, 3)": lambda t: t.randn(2, 3),
    "randn(size=[3])": lambda t: t.randn(size=[3]),
    "randn(generator=, dtype=)": lambda t: t.randn(2, generator=t.Generator(),
                                                   dtype=t.float64),
    "randint(10, (2,))": lambda t: t.randint(10, (2,)),
    "randint(3, 10, (2, 2))": lambda t: t.randint(3, 10, (2, 2)),
    "randint(5, size=(2,))": lambda t: t.randint(5, size=(2,)),
    "randint(high=, size=)": lambda t: t.randint(high=5, size=(2,)),
    "randint(1, size=, high=)": lambda t: t.randint(1, size=(2,), high=3),
    "randint(low=, high=, size=)": lambda t: t.randint(low=2, high=10, size=(3,)),
    "randint(dtype=float32)": lambda t: t.randint(5, (2,), dtype=t.float32),
    "randint_like(input, 5)": lambda t: t.randint_like(t.ones(2), 5),
    "randint_like(input, 2, 5)": lambda t: t.randint_like(t.ones(2, dtype=t.int32), 2, 5),
    "rand_like": lambda t: t.rand_like(t.ones(2, 3, dtype=t.float64)),
    "randn_like(dtype=)": lambda t: t.randn_like(t.ones(2), dtype=t.float64),
    "randperm(4)": lambda t: t.randperm(4),
    "randperm(4, dtype=float32)": lambda t: t.randperm(4, dtype=t.float32),
    "normal(0, 1, size=)": lambda t: t.normal(0.0, 1.0, size=(2,)),
}


@pytest.mark.parametrize("name", list(RANDOM))
def test_random_forms_match_torchs_shape_and_dtype(name):
    call = RANDOM[name]
    _same_tensor(call(ag), call(torch), values=False)


def test_random_values_lie_in_their_range_and_repeat_with_a_seed():
    ag.manual_seed(5)
    a = ag.randint(3, 10, (200,))
    u = ag.rand(200)
    ag.manual_seed(5)
    assert ag.randint(3, 10, (200,)).tolist() == a.tolist()
    assert a.min().item() >= 3 and a.max().item() < 10
    assert u.min().item() >= 0.0 and u.max().item() < 1.0
    g1, g2 = ag.Generator().manual_seed(9), ag.Generator().manual_seed(9)
    assert ag.randn(5, generator=g1).tolist() == ag.randn(5, generator=g2).tolist()
    assert sorted(ag.randperm(6, generator=g1).tolist()) == list(range(6))


ERRORS = {
    "zeros(2, foo=1)": lambda t: t.zeros(2, foo=1),
    "zeros_like(foo=)": lambda t: t.zeros_like(t.ones(2), foo=2),
    "tensor(foo=)": lambda t: t.tensor([1.0], foo=1),
    "zeros(2, size=)": lambda t: t.zeros(2, size=(2,)),
    "zeros()": lambda t: t.zeros(),
    "zeros(-1)": lambda t: t.empty(-1),
    "ones(2, -1)": lambda t: t.ones(2, -1),
    "rand(-1)": lambda t: t.rand(-1),
    "full((-1,), 1)": lambda t: t.full((-1,), 1),
    "randint(3, (-1,))": lambda t: t.randint(3, (-1,)),
    "randperm(-1)": lambda t: t.randperm(-1),
    "zeros(True)": lambda t: t.zeros(True),
    "zeros(2.0)": lambda t: t.zeros(2.0),
    "zeros('a')": lambda t: t.zeros("a"),
    "zeros([2.0])": lambda t: t.zeros([2.0]),
    "zeros(2, (3,))": lambda t: t.zeros(2, (3,)),
    "zeros(size=2)": lambda t: t.zeros(size=2),
    "zeros(10**20)": lambda t: t.zeros(10**20),
    "rand(2.5)": lambda t: t.rand(2.5),
    "full(3, 1.0)": lambda t: t.full(3, 1.0),
    "full((2,), 2**70)": lambda t: t.full((2,), 2**70),
    "randint(5, 3)": lambda t: t.randint(5, 3),
    "randint(0, 2**70, (2,))": lambda t: t.randint(0, 2**70, (2,)),
    "randint(5, 5, (2,))": lambda t: t.randint(5, 5, (2,)),
    "rand(dtype=int64)": lambda t: t.rand(2, dtype=t.int64),
    "randn(dtype=int64)": lambda t: t.randn(2, dtype=t.int64),
    "rand_like(int64)": lambda t: t.rand_like(t.ones(2, dtype=t.int64)),
    "zeros(int64, requires_grad)": lambda t: t.zeros(2, requires_grad=True, dtype=t.int64),
    "randint(requires_grad)": lambda t: t.randint(5, (2,), requires_grad=True),
    "eye(-1)": lambda t: t.eye(-1),
    "eye(2, -1)": lambda t: t.eye(2, -1),
    "linspace(0, 1, -1)": lambda t: t.linspace(0, 1, -1),
    "zeros_like(input, dtype) positional": lambda t: t.zeros_like(t.ones(2), t.float64),
    "tensor(data, dtype) positional": lambda t: t.tensor([1], t.float64),
    "ones((2,), (3,))": lambda t: t.ones((2,), (3,)),
    "zeros(out=, dtype= mismatch)": lambda t: t.zeros(3, out=t.empty(2), dtype=t.int64),
    "zeros(out= requires grad)": lambda t: t.zeros(3, out=t.empty(2, requires_grad=True)),
    "tensor([2**70])": lambda t: t.tensor([2**70]),
    "tensor(2**63)": lambda t: t.tensor(2**63),
    "tensor([-2**63 - 1])": lambda t: t.tensor([-2**63 - 1]),
    "tensor([2**64 - 1])": lambda t: t.tensor([2**64 - 1]),
    "tensor([2**64], dtype=int64)": lambda t: t.tensor([2**64], dtype=t.int64),
    "empty(2**62)": lambda t: t.empty(2**62),
    "empty(2**31, 2**31)": lambda t: t.empty(2**31, 2**31),
    "zeros(10**12)": lambda t: t.zeros(10**12),
    "ones(2**40)": lambda t: t.ones(2**40),
    "arange(0, 10**13)": lambda t: t.arange(0, 10**13),
    "Tensor(10**12)": lambda t: t.Tensor(10**12),
    "Tensor(2**62)": lambda t: t.Tensor(2**62),
    "rand(10**12)": lambda t: t.rand(10**12),
    "full((10**12,), 1.0)": lambda t: t.full((10**12,), 1.0),
    "randperm(10**12)": lambda t: t.randperm(10**12),
    "new_zeros(10**12)": lambda t: t.ones(1).new_zeros(10**12),
    "Tensor(3.5)": lambda t: t.Tensor(3.5),
    "Tensor(True)": lambda t: t.Tensor(True),
    "Tensor('ab')": lambda t: t.Tensor("ab"),
    "Tensor(-1)": lambda t: t.Tensor(-1),
    "Tensor(2, -1)": lambda t: t.Tensor(2, -1),
    "Tensor(2, 3.0)": lambda t: t.Tensor(2, 3.0),
    "manual_seed(2**64)": lambda t: t.manual_seed(2**64),
    "manual_seed(-2**63 - 1)": lambda t: t.manual_seed(-2**63 - 1),
}

# Where PyTorch's own text is a generated overload listing, only the class is compared.
CLASS_ONLY = {"zeros_like(input, dtype) positional", "tensor(data, dtype) positional"}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torchs_class_and_message(name):
    call = ERRORS[name]
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(ag)
    if name not in CLASS_ONLY:
        # torch appends its C++ backtrace inside some messages; the text before it must match
        expected = re.sub(r"\nException raised from .*(?=\"$)", "", str(theirs.value), flags=re.S)
        assert str(ours.value) == expected


@pytest.mark.parametrize("kwargs", [{"dtype": "x"}, {"requires_grad": True}, {"foo": 1}])
def test_legacy_constructor_refuses_keywords_it_does_not_take(kwargs):
    with pytest.raises(TypeError):
        torch.Tensor(2, **kwargs)
    with pytest.raises(TypeError, match=next(iter(kwargs))):
        ag.Tensor(2, **kwargs)


@pytest.mark.parametrize("call", [
    lambda t: t.ones(2, layout=t.sparse_coo),
    lambda t: t.empty(2, 2, 2, 2, memory_format=t.channels_last),
    lambda t: t.zeros_like(t.ones(2), layout=t.sparse_coo),
])
def test_unsupported_layouts_and_formats_are_refused_by_name(call):
    with pytest.raises(TypeError, match=r"layout|memory_format"):
        call(ag)


def test_out_writes_into_and_resizes_the_given_tensor():
    for fn in ("zeros", "ones"):
        out = ag.empty(2, dtype=ag.int64)
        res = getattr(ag, fn)(3, out=out)
        ref = getattr(torch, fn)(3, out=torch.empty(2, dtype=torch.int64))
        assert res is out
        _same_tensor(out, ref)
    out = ag.empty(5)
    assert ag.arange(5, out=out) is out and out.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    out = ag.zeros(2, 2)
    ag.eye(2, out=out)
    assert out.tolist() == [[1.0, 0.0], [0.0, 1.0]]


def test_legacy_tensor_of_a_tensor_is_an_alias():
    a = ag.tensor([1.0, 2.0])
    b = ag.Tensor(a)
    b.add_(1)
    assert a.tolist() == [2.0, 3.0] and a._version == b._version


def test_legacy_tensor_copies_numpy_data():
    arr = np.ones(2, np.float32)
    t = ag.Tensor(arr)
    t.add_(1)
    assert arr.tolist() == [1.0, 1.0]


def test_manual_seed_accepts_torchs_range_and_returns_the_generator():
    for seed in (-1, -2**63, 0, 2**64 - 1, 12345):
        ours, theirs = ag.manual_seed(seed), torch.manual_seed(seed)
        assert ours.initial_seed() == theirs.initial_seed() == ag.initial_seed()
    ag.manual_seed(-1)
    first = ag.rand(3).tolist()
    ag.manual_seed(2**64 - 1)  # the same seed as -1, as in torch
    assert ag.rand(3).tolist() == first
    assert ag.Generator().initial_seed() == torch.Generator().initial_seed()


def test_seed_reseeds_nondeterministically_and_returns_the_seed():
    s = ag.seed()
    assert ag.initial_seed() == s and 0 <= s < 2**64


@pytest.mark.parametrize("method", ["normal_", "uniform_", "bernoulli_"])
def test_in_place_random_fills_draw_from_the_given_generator(method):
    def fill(seed):
        return getattr(ag.empty(8), method)(generator=ag.Generator().manual_seed(seed)).tolist()

    assert fill(3) == fill(3) and fill(3) != fill(4)
