"""Tensor, creation and engine import one way: creation and the engine import Tensor, Tensor
imports neither.

Tensor's methods that need them (`backward`, `new_zeros()`, ...) get their functions from
autograd_core/__init__ (`tensor.bind_methods`). Checked over the source (every import
statement, module level or inside a function) and by importing each module first in a fresh
interpreter.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import autograd_core

PACKAGE = Path(autograd_core.__file__).parent
ROOT = PACKAGE.parent
TENSOR, CREATION, ENGINE = "autograd_core.tensor", "autograd_core.creation", "autograd_core.engine"
# Tensor's own modules: the class and the base classes and helpers it is built from.
TENSOR_ROOM = [TENSOR, *sorted(f"autograd_core.{p.stem}" for p in PACKAGE.glob("_tensor*.py"))]
# The creation functions' and the engine's own modules.
ABOVE_TENSOR = {CREATION, "autograd_core._factory", "autograd_core.random_creation",
                ENGINE, "autograd_core._grad_hooks"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(name: str, module_level_only: bool) -> set[str]:
    """The autograd_core modules `name` imports (with the packages they sit in, whose
    __init__ runs first). autograd_core/__init__ itself is left out: it is the one place that
    imports everything and binds Tensor's late names."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    nodes = tree.body if module_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    with_packages = set()
    for module in found:
        parts = module.split(".")
        with_packages |= {".".join(parts[:i]) for i in range(2, len(parts) + 1)}
    return {m for m in with_packages if m in MODULES and m != name}


def _reachable(start: str, module_level_only: bool) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for module in _imports(todo.pop(), module_level_only):
            if module not in seen:
                seen.add(module)
                todo.append(module)
    return seen


def test_the_graph_sees_the_imports_that_are_there() -> None:
    """Creation and the engine do import Tensor: the walk below is not vacuous."""
    assert TENSOR in _imports(CREATION, module_level_only=True)
    assert TENSOR in _imports(ENGINE, module_level_only=True)
    assert "autograd_core._tensor_inplace" in TENSOR_ROOM


@pytest.mark.parametrize("module_level_only", [True, False], ids=["module level", "anywhere"])
def test_tensor_reaches_neither_creation_nor_the_engine(module_level_only: bool) -> None:
    for name in TENSOR_ROOM:
        reached = _reachable(name, module_level_only)
        assert not reached & ABOVE_TENSOR, (name, sorted(reached & ABOVE_TENSOR))


def test_no_cycle_among_tensor_creation_and_engine() -> None:
    for name in (TENSOR, CREATION, ENGINE):
        assert name not in _reachable(name, module_level_only=True), name
    assert CREATION not in _reachable(ENGINE, module_level_only=False)
    assert ENGINE not in _reachable(CREATION, module_level_only=False)


@pytest.mark.parametrize("first", [TENSOR, CREATION, ENGINE])
def test_each_imports_first_in_a_fresh_interpreter(first: str) -> None:
    """Whichever module a program imports first, Tensor's late-bound methods work."""
    script = (
        f"import {first}\n"
        "import autograd_core as ag\n"
        "x = ag.tensor([1.0, 2.0], requires_grad=True)\n"
        "(x * x).sum().backward()\n"
        "assert x.grad.tolist() == [2.0, 4.0], x.grad\n"
        "z = x.new_zeros(3)\n"
        "assert z.tolist() == [0.0, 0.0, 0.0] and z.dtype == x.dtype, z\n"
        "assert x.new_tensor([5]).tolist() == [5.0]\n"
        "assert repr(ag.Tensor(ag.Size([1]))) == 'tensor([0.])'\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
