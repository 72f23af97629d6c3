"""`dir(autograd_core)` is the API: PyTorch's names plus a short documented list of our own.

A name that leaks in by a star import (`np`, `Any`, an op class) shows up in autocompletion for
a user who wrote `import autograd_core as torch`; these tests catch it.
"""

import importlib
import pkgutil

import pytest

import autograd_core as ag
from autograd_core import ops

# Kept in step with the list in autograd_core/__init__.py's docstring.
OWN_NAMES = {
    "Device", "Function",
    "backend", "creation", "dtypes", "engine", "function", "grad_mode", "hooks",
    "random_creation",
}

# Names that leaked before op modules had `__all__`: helpers, imports and op classes.
LEAKED_BEFORE = {"np", "Any", "annotations", "Add", "MatMul", "sum_to", "get_array_module",
                 "arithmetic", "shape", "TENSOR_METHODS", "bind_methods", "cast", "expand"}


def _public_names() -> set[str]:
    # Load every submodule first: an import sets it as an attribute, and other tests import them.
    for info in pkgutil.iter_modules(ag.__path__):
        importlib.import_module(f"autograd_core.{info.name}")
    return {n for n in dir(ag) if not n.startswith("_")}


def test_no_accidental_names() -> None:
    public = _public_names()
    assert public & LEAKED_BEFORE == set()
    assert public >= OWN_NAMES


def test_public_names_are_torch_names_plus_our_own() -> None:
    torch = pytest.importorskip("torch")
    importlib.import_module("torch.onnx")  # torch loads it on first use, as we do
    assert _public_names() - set(dir(torch)) == OWN_NAMES


def test_every_family_export_is_reachable_at_top_level() -> None:
    for family in ops.FAMILIES:
        module = importlib.import_module(f"autograd_core.ops.{family}")
        for name in module.__all__:
            assert getattr(ag, name) is getattr(module, name), (family, name)


def test_method_only_ops_stay_methods() -> None:
    # view/expand are Tensor methods in torch, not torch.view: bound, but not top-level names.
    x = ag.ones(2, 3)
    assert x.view(3, 2).expand(2, 3, 2).shape == (2, 3, 2)
    assert not hasattr(ag, "view") and not hasattr(ag, "expand")
    assert all(hasattr(ag.Tensor, name) for name in ops.TENSOR_METHODS)
