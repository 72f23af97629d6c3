"""The engine and the backend meet only through `autograd_core._deferred`.

The engine must not import the backend's classes (it knows deferred gradients by protocol),
and the backend must not import the observer hooks (callers decide whether an observer
forbids deferral). Checked over the source, as tests/test_import_rules.py does for Qt.
"""

from __future__ import annotations

import ast
from pathlib import Path

import autograd_core
from autograd_core import _deferred as deferred
from autograd_core.backend import blas

PACKAGE = Path(autograd_core.__file__).parent


def _imports(path: Path) -> set[str]:
    """Every `module` and `module.name` a file imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_the_engine_imports_no_backend_class() -> None:
    for name in ("engine.py", "_input_buffer.py", "_grad_hooks.py", "_deferred.py"):
        imported = _imports(PACKAGE / name)
        assert "autograd_core.backend.blas.Product" not in imported, name
        assert not any(m.startswith("autograd_core.backend.blas.") and m[-1].isupper()
                       for m in imported), name


def test_the_backend_does_not_import_the_observer_hooks() -> None:
    for path in sorted((PACKAGE / "backend").glob("*.py")):
        imported = _imports(path)
        assert "autograd_core.hooks" not in imported, path.name


def test_the_gpu_product_is_a_deferred_grad_the_engine_knows() -> None:
    assert blas.Product in deferred.TYPES
    assert issubclass(blas.Product, deferred.DeferredGrad)
