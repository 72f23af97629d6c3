"""Stable node keys and user source locations.

A key is `<module path>/<Op>#<n>`: the op's module path (from the Module call stack, '' at
top level), its Function class name and its call index among same-named ops in that module
during the iteration. The same op keeps its key across iterations of a dynamic graph, so
layouts, histories and diffs line up. Params are keyed `param:<name>`, other leaves
`input:<n>`, the loss `loss:<path>` / outputs `output:<n>`.
"""

from __future__ import annotations

import os
import sys
from types import CodeType
from typing import Any

import autograd_core

# Frames from these directories are the engine's; the first frame outside is the user's.
_ENGINE_DIR = os.path.dirname(os.path.abspath(autograd_core.__file__)) + os.sep
_is_engine: dict[str, bool] = {}
_locations: dict[tuple[CodeType, int], tuple[str, str]] = {}
_UNKNOWN = ("<unknown>:0", "<unknown>")


def _engine_file(filename: str) -> bool:
    known = _is_engine.get(filename)
    if known is None:
        path = os.path.abspath(filename) if not filename.startswith("<") else filename
        known = _is_engine[filename] = path.startswith(_ENGINE_DIR)
    return known


def register_engine_file(filename: str) -> None:
    """Count frames from `filename` as the engine's, so source locations skip them.

    For code that sits between the engine and the user, such as a hook observer that
    forwards to a Recorder (the app's runner registers its step-mode controller).

    Args:
        filename: a code object's `co_filename` (also matched as an absolute path).

    Example:
        register_engine_file(MyObserver.op_end.__code__.co_filename)
    """
    _is_engine[filename] = True
    if not filename.startswith("<"):
        _is_engine[os.path.abspath(filename)] = True


def user_frame(depth: int) -> tuple[tuple[str, str], int, CodeType | None]:
    """The first frame outside autograd_core, from `depth` frames above the caller up:
    ((`file:line`, function), its depth as seen by the caller, its code object).

    Cost: a frame walk (on Python 3.11 each `f_back` makes a frame object, about half a
    microsecond a frame); a caller that keeps the depth and code from an earlier
    walk reads that one frame instead (the Recorder's sites).
    """
    frame: Any = sys._getframe(depth + 1)
    is_engine = _is_engine
    while frame is not None:
        code = frame.f_code
        flag = is_engine.get(code.co_filename)
        if flag is None:
            flag = _engine_file(code.co_filename)
        if not flag:
            return location(code, frame.f_lineno), depth, code
        frame = frame.f_back
        depth += 1
    return _UNKNOWN, -1, None


def location(code: CodeType, lineno: int) -> tuple[str, str]:
    """(`file:line`, function), built once per code object and line."""
    loc = _locations.get((code, lineno))
    if loc is None:
        if len(_locations) > 100_000:  # generated code (exec in a loop) must not grow it
            _locations.clear()
        loc = _locations[(code, lineno)] = (f"{code.co_filename}:{lineno}", code.co_qualname)
    return loc


def op_key(module_path: str, op: str, index: int) -> str:
    """The stable key of the `index`-th `op` run inside `module_path` this iteration."""
    return f"{module_path}/{op}#{index}"


class ModulePaths:
    """Dotted paths of Modules as they are entered (`encoder.layers.2.attn`).

    Paths come from `model.named_modules()` when a model is given; a module the model does
    not know takes its attribute name in the enclosing module, or its class name at top level.
    """

    def __init__(self, model: Any = None) -> None:
        self._model = model
        self._names: dict[int, tuple[Any, str]] = {}
        self._extra: dict[int, tuple[Any, str]] = {}
        if model is not None:
            self.refresh()

    def refresh(self) -> None:
        self._names = {id(m): (m, name) for name, m in self._model.named_modules()}

    def path(self, module: Any, parent: Any, parent_path: str) -> str:
        for table in (self._names, self._extra):
            entry = table.get(id(module))
            if entry is not None and entry[0] is module:
                return entry[1]
        if self._model is not None:
            self.refresh()  # a module added to the model since the last look
            entry = self._names.get(id(module))
            if entry is not None and entry[0] is module:
                return entry[1]
        name = _child_name(parent, module) if parent is not None else None
        if name is None:
            name = type(module).__name__
        path = f"{parent_path}.{name}" if parent_path else name
        self._extra[id(module)] = (module, path)
        return path


def _child_name(parent: Any, module: Any) -> str | None:
    for name, child in getattr(parent, "_modules", {}).items():
        if child is module:
            return name
    return None
