"""Name the PyTorch API a script reached for that `autograd_core` lacks.

A PyTorch script run on our engine fails on the first `torch.X.Y` we do not have with an
AttributeError or ImportError whose text names our modules (`module 'autograd_core.nn' has no
attribute 'Foo'`). `missing_api` turns it into the name the user wrote (`torch.nn.Foo`), so the
worker reports "train.py:12: torch.nn.Foo is not supported by autograd_core". It answers only
when the failing lookup was the user's own line (the frames below it are our `__getattr__`s or
the import machinery), so an AttributeError inside the engine stays a bug report.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from typing import Any

from app.runner.torch_alias import ENGINE, torch_name

__all__ = ["missing_api", "missing_api_message"]

_ALIAS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_alias.py")


def missing_api_message(api: str) -> str:
    return f"{api} is not supported by {ENGINE}"


def missing_api(exc: BaseException, below_user: list[traceback.FrameSummary]) -> str | None:
    """`torch.foo.bar` when `exc` says our engine lacks it, else None.

    Args:
        exc: the exception the script raised.
        below_user: the traceback frames after the script's innermost frame.
    """
    if not all(_lookup_frame(f) for f in below_user):
        return None
    if isinstance(exc, ModuleNotFoundError):
        name = exc.name or ""
        return name if name.split(".")[0] == "torch" else None
    if isinstance(exc, ImportError):
        return _missing_import(exc)
    if isinstance(exc, AttributeError):
        return _missing_attribute(exc)
    return None


def _lookup_frame(frame: traceback.FrameSummary) -> bool:
    """A frame a failed lookup passes through: a `__getattr__`, importlib, our alias."""
    return (frame.name == "__getattr__" or frame.filename.startswith("<frozen importlib")
            or os.path.abspath(frame.filename) == _ALIAS_FILE)


def _missing_import(exc: ImportError) -> str | None:
    """`from torch.nn import Foo` -> torch.nn.Foo."""
    module = exc.name or ""
    message = str(exc)
    if not _ours(module) or not message.startswith("cannot import name '"):
        return None
    name = message[len("cannot import name '"):].split("'", 1)[0]
    return f"{torch_name(module)}.{name}"


def _missing_attribute(exc: AttributeError) -> str | None:
    """`torch.foo` / `torch.nn.Linear.foo` / `tensor.foo` -> its torch name."""
    name, obj = getattr(exc, "name", None), getattr(exc, "obj", None)
    if not name or obj is None:
        return None
    module_name = getattr(obj, "__name__", None) if _is_module(obj) else None
    if module_name is not None:
        return f"{torch_name(module_name)}.{name}" if _ours(module_name) else None
    cls = obj if isinstance(obj, type) else type(obj)
    if not _ours(getattr(cls, "__module__", "")):
        return None  # the user's own class: their attribute, not our API
    return f"{_public_path(cls)}.{name}"


def _is_module(obj: Any) -> bool:
    return type(obj).__name__ == "module" or isinstance(obj, type(sys))


def _ours(module_name: str) -> bool:
    return module_name == ENGINE or module_name.startswith(ENGINE + ".")


def _public_path(cls: type) -> str:
    """The shortest torch path of a class: Linear -> torch.nn.Linear, Tensor -> torch.Tensor."""
    parts = cls.__module__.split(".")
    for end in range(1, len(parts) + 1):
        module = sys.modules.get(".".join(parts[:end]))
        if module is None:
            try:
                module = importlib.import_module(".".join(parts[:end]))
            except Exception:  # naming a class must never raise while reporting an error
                continue
        if getattr(module, cls.__name__, None) is cls:
            return f"{torch_name(module.__name__)}.{cls.__name__}"
    return f"{torch_name(cls.__module__)}.{cls.__name__}"
