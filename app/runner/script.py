"""Load a user's model script, check it defines `model` and `step(i)`, and trim tracebacks.

Failures come back as `ScriptError` carrying a ready-to-show `protocol.Error`, so the worker
never lets a user's exception escape and the message always starts with the user's file:line.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import os
import sys
import traceback
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.runner.missing_api import missing_api, missing_api_message
from app.runner.protocol import Error
from app.runner.stepping import StopRequested

if TYPE_CHECKING:  # plain.py imports the engine: the driver's side must not
    from app.runner.plain import PlainScript


class ScriptError(Exception):
    """The script could not be loaded; `error` is the event to report."""

    def __init__(self, error: Error) -> None:
        super().__init__(error.message)
        self.error = error


@dataclass(slots=True)
class Script:
    """A loaded script: its namespace and the parts the runner calls."""

    path: str
    namespace: dict
    model: Any
    step: Any
    iterations: int | None
    device: str | None

    def close(self) -> None:
        """Nothing of a model script runs between calls of `step` (a plain one's does)."""


def load(path: str, args: Sequence[str] = ()) -> Script | PlainScript:
    """Compile the script at `path` with `sys.argv` = [path, *args]; a model script is
    executed in a fresh module and validated, a plain script (`is_plain`) is returned
    unstarted, as a `plain.PlainScript` that runs it by iterations.

    Raises:
        ScriptError: unreadable file, syntax error, exception at import, or missing parts.
    """
    source = _read(path)
    code = _compile(source, path)
    sys.argv = [path, *args]  # argparse reads the script's own arguments
    _add_folder(path)
    if is_plain(source):
        from app.runner.plain import PlainScript  # the engine loads in the worker only

        return PlainScript(path, code, preferred_device(path))
    namespace = _execute(code, path)
    return _validate(namespace, source, path)


def is_plain(source: str) -> bool:
    """Whether a script is a plain training script rather than a model script: it defines no
    top-level `step`, and no `model` either unless it imports `torch` (a PyTorch script's
    `model = Net()`; a model script that forgot `step` is told so). In a PyTorch script only
    a `def step` makes it a model script: `step = 0` there is a training loop's counter."""
    names = _definition_lines(source)
    torch = _imports_torch(source)
    if "step" in names and not (torch and not _defines_function(source, "step")):
        return False
    return "model" not in names or torch


def _defines_function(source: str, name: str) -> bool:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return any(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == name
               for n in tree.body)


def _imports_torch(source: str) -> bool:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(
                a.name.split(".")[0] == "torch" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "torch":
            return True
    return False


def _add_folder(path: str) -> None:
    folder = str(Path(path).resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)  # a script may import helper modules beside it


def _read(path: str) -> str:
    try:
        return read_source(path)
    except OSError as exc:
        raise ScriptError(Error("script", f"cannot read model script {path}: "
                                f"{exc.strerror or exc}", location=path)) from None
    except SyntaxError as exc:  # an unknown coding line, or bytes its coding cannot decode
        raise ScriptError(syntax_error(exc, path)) from None
    except UnicodeDecodeError as exc:
        where = f"{path}:{_line_of_offset(path, exc.start)}"
        raise ScriptError(Error("syntax", f"{where}: the file is not valid {exc.encoding} "
                                f"(declare its encoding with a '# -*- coding: ... -*-' line)",
                                location=where)) from None


def read_source(path: str) -> str:
    """The script's text decoded as Python decodes it: a BOM or a coding line, else UTF-8.

    Raises:
        OSError: unreadable; SyntaxError or UnicodeDecodeError: undecodable.
    """
    return importlib.util.decode_source(Path(path).read_bytes())


def _line_of_offset(path: str, offset: int) -> int:
    try:
        return Path(path).read_bytes()[:offset].count(b"\n") + 1
    except OSError:
        return 0


def _compile(source: str, path: str) -> types.CodeType:
    try:
        return compile(source, path, "exec")
    except SyntaxError as exc:
        raise ScriptError(syntax_error(exc, path)) from None


def syntax_error(exc: SyntaxError, path: str) -> Error:
    """An Error naming the file, line and column of a SyntaxError."""
    line, col = exc.lineno or 0, exc.offset or 0
    where = f"{exc.filename or path}:{line}:{col}"
    text = (exc.text or "").rstrip("\n")
    details = f"{where}: {type(exc).__name__}: {exc.msg}"
    if text:
        details += f"\n    {text}\n    {' ' * max(col - 1, 0)}^"
    return Error("syntax", f"{where}: {type(exc).__name__}: {exc.msg}", location=where,
                 details=details)


def _execute(code: types.CodeType, path: str) -> dict:
    module = types.ModuleType("__gradscope_script__")
    module.__file__ = path
    try:
        exec(code, module.__dict__)
    except SyntaxError as exc:  # raised by a module the script imports
        raise ScriptError(syntax_error(exc, exc.filename or path)) from None
    except StopRequested:  # ours: the worker was asked to stop while the script loaded
        raise
    except BaseException as exc:  # sys.exit, KeyboardInterrupt, any exception: the script's
        raise ScriptError(exception_error(exc, path)) from None
    return module.__dict__


# ------------------------------------------------------------------------ validation
def _validate(ns: dict, source: str, path: str) -> Script:
    problems = [p for p in (_check_model(ns), _check_step(ns)) if p]
    if problems:
        lines = _definition_lines(source)
        where = next((lines[n] for n in ("model", "step") if n in lines and
                      any(f"`{n}" in p for p in problems)), None)
        location = f"{path}:{where}" if where else path
        message = f"{location}: the model script " + " and ".join(problems) + ". " + _HINT
        raise ScriptError(Error("script", message, location=location))
    iterations = ns.get("ITERATIONS")
    device = ns.get("DEVICE")
    return Script(path, ns, ns["model"], ns["step"],
                  int(iterations) if isinstance(iterations, int) else None,
                  str(device) if isinstance(device, str) else None)


_HINT = ("A model script defines `model = <an nn.Module>` and `def step(i): ...` "
         "(one iteration, returning the loss) at its top level")


def _check_model(ns: dict) -> str | None:
    if "model" not in ns:
        return "defines no `model`"
    model = ns["model"]
    if not _is_module(model):
        return f"defines `model` as a {type(model).__name__}, not an nn.Module"
    return None


def _is_module(obj: Any) -> bool:
    try:
        from autograd_core.nn import Module
    except Exception:  # nn not importable: accept anything module-shaped
        return callable(obj) and hasattr(obj, "parameters")
    return isinstance(obj, Module)


def _check_step(ns: dict) -> str | None:
    if "step" not in ns:
        return "defines no `step(i)`"
    step = ns["step"]
    if not callable(step):
        return f"defines `step` as a {type(step).__name__}, not a function step(i)"
    try:
        inspect.signature(step).bind(0)
    except TypeError:
        return "defines `step` with a signature that cannot be called as step(i)"
    except ValueError:  # builtins without a signature: let the call decide
        pass
    return None


def _definition_lines(source: str) -> dict[str, int]:
    """Line of the last top-level definition of each name (where a wrong kind came from)."""
    lines: dict[str, int] = {}
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return lines
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            lines[node.name] = node.lineno
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    lines[t.id] = node.lineno
    return lines


# ------------------------------------------------------------------------ tracebacks
def exception_error(exc: BaseException, path: str, iteration: int | None = None) -> Error:
    """An Error for an exception raised by user code, its traceback trimmed to user frames.

    The location is the innermost frame in the user's folder (the script and its helpers).
    """
    frames = traceback.extract_tb(exc.__traceback__)
    user = [f for f in frames if _is_user_file(f.filename, path)]
    kept = _from_first_user_frame(frames, user)
    last = user[-1] if user else (kept[-1] if kept else None)
    location = f"{last.filename}:{last.lineno}" if last else path
    api = missing_api(exc, frames[_position(frames, user[-1]) + 1:]) if user else None
    summary = missing_api_message(api) if api else _summary(exc)
    message = f"{location}: {summary}"
    if iteration is not None:
        message += f" (in iteration {iteration})"
    body = "".join(traceback.format_list(kept))
    details = f"{location}: {summary}\nTraceback (most recent call last):\n{body}{summary}"
    return Error("exception", message, location=location, details=details, iteration=iteration)


def _position(frames: list, frame: Any) -> int:
    """Index of `frame` itself in `frames` (FrameSummary's == would match a recursion's)."""
    return next(i for i, f in enumerate(frames) if f is frame)


def _summary(exc: BaseException) -> str:
    """One line for the exception: `sys.exit` is named as the call the script made."""
    if isinstance(exc, SystemExit):
        code = exc.code
        return f"the script called sys.exit({'' if code is None else repr(code)})"
    if isinstance(exc, KeyboardInterrupt) and not str(exc):
        return "the script raised KeyboardInterrupt"
    return f"{type(exc).__name__}: {exc}".rstrip(": ") if str(exc) else type(exc).__name__


def _from_first_user_frame(frames: list, user: list) -> list:
    """Drop the runner's frames above the user's code; keep engine frames below it."""
    if not user:
        return list(frames)
    start = frames.index(user[0]) if user[0] in frames else 0
    return [f for f in frames[start:] if not _is_runner_file(f.filename)]


def _is_user_file(filename: str, script_path: str) -> bool:
    folder = os.path.dirname(os.path.abspath(script_path))
    name = os.path.abspath(filename)
    if not name.startswith(folder + os.sep) or "site-packages" in name:
        return False
    # A script saved inside our own checkout must not adopt the engine's frames.
    return not any(name.startswith(d + os.sep) for d in _OUR_DIRS)


_RUNNER_DIR = os.path.dirname(os.path.abspath(__file__))
_OUR_DIRS = (
    os.path.dirname(os.path.dirname(_RUNNER_DIR)) + os.sep + "autograd_core",
    os.path.dirname(_RUNNER_DIR),
)


def _is_runner_file(filename: str) -> bool:
    return os.path.abspath(filename).startswith(_RUNNER_DIR + os.sep)


def preferred_device(path: str) -> str | None:
    """The script's top-level `DEVICE = "..."` constant, read without running the script
    (the default device must be set before the script executes)."""
    try:
        tree = ast.parse(read_source(path))
    except (OSError, SyntaxError, ValueError):  # UnicodeDecodeError is a ValueError
        return None
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "DEVICE"
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            return node.value.value
    return None


def set_device(requested: str | None, path: str, warn: Callable[[Error], None]) -> str:
    """Set the default device before the script runs and return it: `requested`, else the
    script's DEVICE, else the CPU.

    Raises:
        ScriptError: the requested device is unusable (a DEVICE that is falls back to the
            CPU, and `warn` is told why).
    """
    import autograd_core as ag

    wanted = requested or preferred_device(path) or "cpu"
    try:
        ag.set_default_device(wanted)
    except Exception as exc:  # CUDA unusable: the message says why
        message = f"{exc}. The CPU is available: choose device 'cpu'"
        if requested is not None:
            raise ScriptError(Error("device", message, location=wanted)) from None
        warn(Error("warning", f"the script asks for DEVICE={wanted!r}: {message}; "
                   "running on the CPU", location=wanted))
        ag.set_default_device("cpu")
        wanted = "cpu"
    return wanted
