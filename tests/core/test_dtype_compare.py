"""Dtype objects against PyTorch's: what they equal, how they hash and print, and promotion."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import autograd_core as ag

torch = pytest.importorskip("torch")

NAMES = ["float16", "float32", "float64", "int8", "uint8", "int16", "int32", "int64", "bool",
         "complex64", "complex128", "half", "float", "double", "short", "int", "long",
         "cfloat", "cdouble"]

OTHERS = ["float32", "torch.float32", "float64", None, 0, 1.0, float, int, bool, np.float32,
          "int64", "bool", object()]


@pytest.mark.parametrize("name", NAMES)
def test_str_repr_and_hash_match_torch(name):
    ours, theirs = getattr(ag, name), getattr(torch, name)
    assert str(ours) == str(theirs) and repr(ours) == repr(theirs)
    assert hash(ours) == hash(getattr(ag, str(theirs).removeprefix("torch.")))
    assert isinstance(ours, ag.dtype)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("other", OTHERS, ids=repr)
def test_dtypes_equal_only_dtypes_like_torch(name, other):
    ours, theirs = getattr(ag, name), getattr(torch, name)
    assert (ours == other) == (theirs == other)
    assert (other == ours) == (other == theirs)
    assert (ours != other) == (theirs != other)


@pytest.mark.parametrize("a", ["float32", "float64", "int64", "bool", "int32"])
@pytest.mark.parametrize("b", ["float32", "float64", "int64", "bool", "int32"])
def test_equality_between_dtypes_matches_torch(a, b):
    assert (getattr(ag, a) == getattr(ag, b)) == (getattr(torch, a) == getattr(torch, b))


def test_none_is_not_float64_and_strings_are_not_dtypes():
    assert (None == ag.float64) is False  # noqa: E711, SIM300  (the comparison under test)
    assert (ag.float32 == "float32") is False
    assert ag.float32 in {ag.float32: 1} and "float32" not in {ag.float32: 1}


def test_tensor_dtype_is_a_dtype_object_and_usable_with_numpy():
    t = ag.ones(2, dtype=ag.float64)
    assert t.dtype is ag.float64 and repr(t.dtype) == "torch.float64"
    assert np.zeros(2, dtype=t.dtype).dtype == np.float64
    assert t.numpy().astype(ag.int32).dtype == np.int32
    assert t.dtype.is_floating_point and not ag.int64.is_floating_point
    assert ag.int8.is_signed and not ag.uint8.is_signed and ag.complex64.is_complex
    assert ag.float16.itemsize == torch.float16.itemsize == 2


def test_dtypes_survive_pickling_as_the_same_object():
    for d in (ag.float32, ag.int64, ag.bool):
        assert pickle.loads(pickle.dumps(d)) is d
    assert pickle.loads(pickle.dumps(ag.strided)) is ag.strided


@pytest.mark.parametrize(("a", "b"), [("int32", "float16"), ("bool", "int8"), ("uint8", "int8"),
                                      ("int64", "float32"), ("float32", "float64"),
                                      ("bool", "bool"), ("float16", "complex64")])
def test_promote_types_returns_torchs_dtype(a, b):
    ours = ag.promote_types(getattr(ag, a), getattr(ag, b))
    assert isinstance(ours, ag.dtype)
    assert str(ours) == str(torch.promote_types(getattr(torch, a), getattr(torch, b)))


@pytest.mark.parametrize("args", [("float32", "int64"), ("int64", None)])
def test_promote_types_refuses_non_dtypes_like_torch(args):
    def conv(lib, a):
        return getattr(lib, a) if a == "int64" else a

    with pytest.raises(TypeError) as theirs:
        torch.promote_types(*(conv(torch, a) for a in args))
    with pytest.raises(TypeError) as ours:
        ag.promote_types(*(conv(ag, a) for a in args))
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize(("py", "name"), [(float, "float64"), (int, "int64"), (bool, "bool")])
def test_python_types_as_dtype_arguments_mean_what_torch_means(py, name):
    assert str(ag.zeros(2, dtype=py).dtype) == str(torch.zeros(2, dtype=py).dtype)
    assert str(ag.tensor([1], dtype=py).dtype) == f"torch.{name}"


def test_default_dtype_roundtrip():
    assert ag.get_default_dtype() is ag.float32
    ag.set_default_dtype(ag.float64)
    try:
        assert ag.get_default_dtype() is ag.float64 and ag.tensor([1.5]).dtype is ag.float64
    finally:
        ag.set_default_dtype(ag.float32)


def test_module_repr_names_dtypes_once():
    box = ag.nn.ParameterList([ag.nn.Parameter(ag.zeros(2, 3))])
    assert "[torch.float32 of size 2x3]" in repr(box)
    assert "torch.torch" not in repr(box)
