"""`import torch` inside the worker: `torch` and every `torch.X` resolve to `autograd_core.X`.

Installed by the worker only, before it runs a script, so an unmodified PyTorch script trains
on our engine; the GUI process never installs it (a test checks). The finder sits first on
`sys.meta_path`, so an installed PyTorch is never imported in the worker. `torch.nn` is the
very module object `autograd_core.nn` (one set of classes, whichever name imported them). A
`torch.X` we lack fails with a ModuleNotFoundError that says so.

Example:
    install()
    import torch.nn.functional as F   # autograd_core.nn.functional
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from collections.abc import Sequence
from typing import Any

__all__ = ["ENGINE", "NAME", "TorchAlias", "engine_name", "install", "installed", "torch_name",
           "uninstall"]

NAME = "torch"
ENGINE = "autograd_core"


def engine_name(fullname: str) -> str:
    """`torch.nn.functional` -> `autograd_core.nn.functional`."""
    return ENGINE + fullname[len(NAME):]


def torch_name(module_name: str) -> str:
    """`autograd_core.nn.functional` -> `torch.nn.functional` (other names unchanged)."""
    if module_name == ENGINE or module_name.startswith(ENGINE + "."):
        return NAME + module_name[len(ENGINE):]
    return module_name


class TorchAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds `torch[.X]` as the already-imported `autograd_core[.X]` module object."""

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != NAME and not fullname.startswith(NAME + "."):
            return None
        target_name = engine_name(fullname)
        try:
            module = importlib.import_module(target_name)
        except ModuleNotFoundError as exc:
            if exc.name != target_name:  # our module exists but its own import failed
                raise
            raise ModuleNotFoundError(f"{fullname} is not supported by {ENGINE} (no module "
                                      f"{target_name})", name=fullname) from None
        spec = importlib.machinery.ModuleSpec(fullname, self, is_package=hasattr(module,
                                                                                 "__path__"))
        spec.loader_state = module
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module: types.ModuleType = spec.loader_state
        # importlib writes the alias's spec onto the module; keep the engine's own (restored
        # in exec_module), so `autograd_core.nn.__spec__.name` stays true.
        spec.loader_state = (module, module.__spec__)
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        spec = module.__spec__
        state: Any = spec.loader_state if spec is not None else None
        if isinstance(state, tuple) and state[0] is module:
            module.__spec__ = state[1]


_finder = TorchAlias()


def install() -> None:
    """Put the alias first on `sys.meta_path` (idempotent); drop a `torch` imported before."""
    if not installed():
        sys.meta_path.insert(0, _finder)
    for name in [n for n in sys.modules if n == NAME or n.startswith(NAME + ".")]:
        if not getattr(sys.modules[name], "__name__", "").startswith(ENGINE):
            del sys.modules[name]  # a real torch loaded earlier must not shadow the alias


def installed() -> bool:
    return _finder in sys.meta_path


def uninstall() -> None:
    """Remove the finder and the `torch` names it made."""
    while _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    for name in [n for n in sys.modules if n == NAME or n.startswith(NAME + ".")]:
        if getattr(sys.modules[name], "__name__", "").startswith(ENGINE):
            del sys.modules[name]
