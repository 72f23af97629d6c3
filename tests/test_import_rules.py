"""The import rules of DESIGN.md: the engine, the runner, the layout and the presentation
never reach Qt.

`autograd_core` never imports `app` or PySide6; `app.runner`, `app.layout` and `app.present`
(what is drawn, computed without Qt) never import PySide6 (or shiboken6). Checked twice:
statically over the source, and by importing the packages in a fresh interpreter and looking
at `sys.modules`.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QT_MODULES = ("PySide6", "shiboken6")
QT_FREE_PACKAGES = ["autograd_core", "app/runner", "app/layout", "app/present"]


def _imported_modules(path: Path, package: tuple[str, ...]) -> list[tuple[int, str]]:
    """Every module a file imports; relative imports resolve against `package`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
            # `from x import y` may import submodule x.y: count those names too.
            found += [(node.lineno, f"{name}.{alias.name}" if name else alias.name)
                      for alias in node.names]
        elif isinstance(node, ast.Call) and _is_dynamic_import(node):
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.append((node.lineno, arg.value))
    return found


def _is_dynamic_import(node: ast.Call) -> bool:
    """importlib.import_module("...") or __import__("...") with a literal name."""
    fn = node.func
    name = fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
    return name in ("import_module", "__import__") and bool(node.args)


def _top(module: str) -> str:
    return module.split(".")[0]


def _sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _violations(package: str, forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for path in _sources(package):
        package = path.relative_to(ROOT).parent.parts
        for line, module in _imported_modules(path, package):
            if _top(module) in forbidden:
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return bad


@pytest.mark.parametrize("package", QT_FREE_PACKAGES)
def test_package_source_never_imports_qt(package):
    if not (ROOT / package).is_dir():
        pytest.skip(f"{package} does not exist yet")
    assert _sources(package), f"no Python files found under {package}"
    assert _violations(package, QT_MODULES) == []


def test_engine_source_never_imports_the_app():
    assert _violations("autograd_core", ("app",)) == []


def test_the_checker_sees_every_import_form(tmp_path):
    # A rule checker that misses an import form would pass forever: feed it each form.
    probe = tmp_path / "probe.py"
    probe.write_text("\n".join([
        "import PySide6",
        "import shiboken6.Shiboken as s",
        "from PySide6.QtWidgets import QWidget",
        "from ..nn import Module",
        "import importlib",
        "importlib.import_module('PySide6.QtCore')",
        "__import__('app.ui')",
        "if True:",
        "    from PySide6 import QtGui",
    ]), encoding="utf-8")
    found = _imported_modules(probe, ("autograd_core", "ops"))
    tops = [_top(m) for _, m in found]
    assert tops.count("PySide6") >= 4 and "shiboken6" in tops
    assert (7, "app.ui") in found  # __import__ with a literal name
    assert (4, "autograd_core.nn") in found  # relative import, resolved


def test_importing_engine_and_layout_loads_no_qt():
    modules = ["autograd_core", "autograd_core.nn", "autograd_core.optim", "app.layout",
               "app.present.graph", "app.present.overlays", "app.present.formats",
               "app.present.data_export", "app.cli"]
    if (ROOT / "app" / "runner" / "__init__.py").exists():
        modules.append("app.runner")
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"loaded = sorted(m for m in sys.modules if m.split('.')[0] in {QT_MODULES!r})\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"Qt modules were imported: {result.stdout.strip()}"
