"""Keep the engine's own warnings out of the user's Output, and the script's in it.

A diverging run makes numpy warn from inside `autograd_core` (statistics of an overflowing
tensor, `pow`, the optimizer's update): a RuntimeWarning per new source line, naming our
files, which the user can do nothing about (the capture's health already names the op where a
NaN or Inf was born). Warnings attributed to the user's code, `warnings.warn` in the script
included, still show with their file:line.

Two layers, because a script may reset the warning filters (`warnings.simplefilter("always")`):
an "ignore" filter for our modules, and a `showwarning` that drops what is attributed to a
file of the engine package whatever the filters say.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
import warnings
from pathlib import Path
from types import FrameType
from typing import Any

ENGINE_MODULES = r"autograd_core(\..*)?$"
_MAX_FRAMES = 64  # how far up the stack a warning's real origin is looked for


@functools.cache
def engine_dir() -> str:
    """The engine package's folder, with a trailing separator. Found without importing it:
    the worker sets its BLAS threads before numpy (which the engine imports) loads."""
    spec = importlib.util.find_spec("autograd_core")
    origin = spec.origin if spec is not None and spec.origin else ""
    return str(Path(origin).resolve().parent) + os.sep if origin else "\0"


@functools.lru_cache(maxsize=256)
def from_engine(filename: str) -> bool:
    """Whether a warning attributed to `filename` was raised inside `autograd_core`."""
    try:
        return str(Path(filename).resolve()).startswith(engine_dir())
    except (OSError, ValueError, RuntimeError):
        return False


def raised_in_engine(filename: str) -> bool:
    """Whether the warning being shown, attributed to `filename`, comes from the engine: its
    file is the engine's, or it is numpy's (`x.sum()` warns from numpy's own Python helpers)
    and the nearest caller outside numpy and the warnings machinery is the engine's."""
    if from_engine(filename):
        return True
    frame: FrameType | None = sys._getframe(1)
    for _ in range(_MAX_FRAMES):
        if frame is None:
            return False
        name = frame.f_code.co_filename
        if not _machinery(name):
            return from_engine(name)
        frame = frame.f_back
    return False


def _machinery(filename: str) -> bool:
    """A file of the warnings module, of this module or of numpy: not where a warning is
    "from" for the user."""
    if filename in (warnings.__file__, __file__) or filename.startswith("<frozen"):
        return True
    numpy = sys.modules.get("numpy")
    root = getattr(numpy, "__file__", None)
    if not root:
        return False
    return filename.startswith(os.path.dirname(root) + os.sep)


def install() -> None:
    """Drop warnings raised inside `autograd_core` from now on, in this process."""
    warnings.filterwarnings("ignore", module=ENGINE_MODULES)
    show = warnings.showwarning
    if getattr(show, "gradscope_filter", False):
        return  # installed already (a second load of the worker)

    def showwarning(message: Any, category: type[Warning], filename: str, lineno: int,
                    file: Any = None, line: str | None = None) -> None:
        if not raised_in_engine(filename):
            show(message, category, filename, lineno, file, line)

    showwarning.gradscope_filter = True  # type: ignore[attr-defined]
    warnings.showwarning = showwarning
