"""The declared schema of a `.gscope` capture, its limits, and the encoder it drives.

One table (`SCHEMA`) says, for every record dataclass, each field's type and range; the
encoder (records -> JSON-ready dicts) walks it, and the decoder in codec.py checks every
value against it on the way in. `ADDED` lists the fields later schema versions added, with
the value an older file means. See codec.py for the limits a file must keep.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from autograd_core.trace.records import (
    CLOCKS,
    LEVELS,
    NODE_KINDS,
    PHASES,
    BackwardRecord,
    Edge,
    Health,
    IterationCapture,
    ModuleSpan,
    NodeRecord,
    NonFiniteOrigin,
    TensorMeta,
    TensorStats,
)

__all__ = [
    "ADDED",
    "GPU",
    "I0",
    "IM1",
    "MAX_FAN",
    "MAX_INT",
    "MAX_LIST",
    "MAX_NODES",
    "MAX_PATH_DEPTH",
    "MAX_STR",
    "MAX_THREADS",
    "MAX_WALL",
    "MAX_WINDOW",
    "SCHEMA",
    "WALL",
    "F",
    "I",
    "P",
    "S",
    "SessionFormatError",
    "clean_text",
    "encode",
    "enum",
    "json_float",
    "lst",
    "opt",
]


class SessionFormatError(ValueError):
    """A session file is not one we wrote: the message names the member and the field."""


MAX_INT = 2**62
MAX_LIST = 10_000_000
MAX_NODES = 100_000  # per capture (a large model has ~1,000); tensors twice that, edges 5x
MAX_FAN = 65_536  # inputs/outputs of a node, gradients of a backward node, names in health
MAX_STR = 4096
MAX_PATH_DEPTH = 128  # levels of a dotted module path (a.b.c has 3)
MAX_WINDOW = 2**40
MAX_THREADS = 65_536  # IterationCapture.threads
MAX_WALL = 1e11  # seconds since the epoch (the year 5138): finite, so exports can use it
_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}

F = ("float",)
I0 = ("int", 0, MAX_INT)
IM1 = ("int", -1, MAX_INT)
I = ("int", -MAX_INT, MAX_INT)
S = ("str", MAX_STR)
P = ("path", MAX_STR, MAX_PATH_DEPTH)  # a module path or a key that contains one
WALL = ("float", 0.0, MAX_WALL)  # finite, in range
GPU = ("float", 0.0, float(MAX_INT))


def opt(spec: tuple) -> tuple:
    return ("opt", spec)


def lst(spec: tuple, n: int = MAX_LIST, container: type = tuple) -> tuple:
    return ("list", spec, n, container)


def enum(values: tuple) -> tuple:
    return ("enum", values)


SCHEMA: dict[type, dict[str, tuple]] = {
    TensorStats: {"min": F, "max": F, "mean": F, "std": F, "norm": F, "nan": I0, "inf": I0,
                  "hist": opt(lst(I0, 32)), "hist_lo": F, "hist_hi": F,
                  "thumb": opt(("thumb",))},
    TensorMeta: {"id": IM1, "shape": lst(I0, 64), "dtype": ("str", 32),
                 "device": ("str", 32), "stats": opt((TensorStats,))},
    NodeRecord: {"id": I0, "key": P, "kind": enum(NODE_KINDS), "op": S, "module": P,
                 "source": S, "function": S, "phase": enum(PHASES), "inputs": lst(I0, MAX_FAN),
                 "outputs": lst(I0, MAX_FAN), "start_ns": I, "time_ns": I0,
                 "gpu_ns": opt(GPU), "saved_bytes": I0, "call_index": I0,
                 "backward": opt(I0)},
    BackwardRecord: {"id": I0, "forward": IM1, "name": S, "start_ns": I, "time_ns": I0,
                     "grads": lst(opt((TensorMeta,)), MAX_FAN), "gpu_ns": opt(GPU)},
    Edge: {"src": I0, "dst": I0, "tensor": I0},
    ModuleSpan: {"path": P, "start_ns": I, "time_ns": I0, "phase": enum(PHASES)},
    NonFiniteOrigin: {"node": IM1, "key": P, "phase": enum(PHASES), "source": S,
                      "where": enum(("output", "grad")), "nan": I0, "inf": I0},
    Health: {"first_nonfinite": opt((NonFiniteOrigin,)), "param_grad_norms": ("map", F),
             "update_ratios": ("map", F), "vanishing": lst(P, MAX_FAN),
             "exploding": lst(P, MAX_FAN), "vanish_threshold": F, "explode_threshold": F},
    IterationCapture: {"index": I0, "level": enum(LEVELS), "wall_time": WALL,
                       "nodes": lst((NodeRecord,), MAX_NODES, list),
                       "edges": lst((Edge,), 5 * MAX_NODES, list),
                       "tensors": lst((TensorMeta,), 2 * MAX_NODES, list),
                       "backward": lst((BackwardRecord,), MAX_NODES, list),
                       "modules": lst((ModuleSpan,), MAX_NODES, list), "phases": ("phases",),
                       "duration_ns": I0, "loss": opt(F), "health": (Health,),
                       "clock": enum(CLOCKS), "threads": ("int", 0, MAX_THREADS)},
}
# Fields added after schema version 1, with the value a file written before them means:
# an older file lacks them and still loads (schema version 2 added clock and threads).
ADDED: dict[type, dict[str, Any]] = {
    IterationCapture: {"clock": "wall", "threads": 0},
}


_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(s: str) -> str:
    """`s` with lone surrogates replaced by U+FFFD (they cannot be written as UTF-8)."""
    if s.isascii():
        return s
    return _SURROGATE.sub("\ufffd", s)


# ---------------------------------------------------------------------------- encoding
def encode(obj: Any, arrays: dict[str, np.ndarray] | None) -> Any:
    """A JSON-ready value; thumbnails go into `arrays` (None: thumbnails are dropped)."""
    spec = SCHEMA.get(type(obj))
    if spec is not None:
        return {name: _encode_field(obj, name, arrays) for name in spec}
    if isinstance(obj, float):
        return json_float(obj)
    if isinstance(obj, str):
        return clean_text(obj)
    if isinstance(obj, (list, tuple)):
        return [encode(v, arrays) for v in obj]
    if isinstance(obj, dict):
        return {clean_text(str(k)): encode(v, arrays) for k, v in obj.items()}
    return obj


def json_float(x: float) -> float | str:
    """`x`, or "nan" / "inf" / "-inf": standard JSON has no non-finite numbers."""
    return x if math.isfinite(x) else ("nan" if math.isnan(x) else ("inf" if x > 0 else "-inf"))


def _encode_field(obj: Any, name: str, arrays: dict | None) -> Any:
    value = getattr(obj, name)
    if name == "thumb" and isinstance(obj, TensorStats):
        if value is None or arrays is None:
            return None
        key = f"a{len(arrays)}"
        arrays[key] = value
        return key
    if name == "tensors" and isinstance(obj, IterationCapture):
        return [encode(t, arrays) for t in value.values()]
    if name == "phases":
        return {k: list(v) for k, v in value.items()}
    return encode(value, arrays)
