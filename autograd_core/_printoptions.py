"""torch.set_printoptions / get_printoptions (precision, threshold, edgeitems, linewidth and
the named profiles), read by `_tensor_str` at each repr; and torch.set_num_threads and
friends, kept for scripts that call them (numpy's BLAS keeps its own thread count: the
setting has no effect on speed, none on results)."""

from __future__ import annotations

from typing import Any

from autograd_core import _tensor_str

__all__ = ["get_num_interop_threads", "get_num_threads", "get_printoptions",
           "set_num_interop_threads", "set_num_threads", "set_printoptions"]

_PROFILES = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80),
             "full": (4, float("inf"), 3, 80)}
_threads = {"intra": 1, "inter": 1}


def set_printoptions(precision: int | None = None, threshold: float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """PyTorch's print options; `sci_mode` (forcing a notation) is not supported."""
    if sci_mode is not None:
        raise TypeError("set_printoptions(): 'sci_mode' is not supported by autograd_core")
    if profile is not None:
        if profile not in _PROFILES:
            raise KeyError(profile)
        (_tensor_str.PRECISION, _tensor_str.THRESHOLD, _tensor_str.EDGEITEMS,
         _tensor_str.LINEWIDTH) = _PROFILES[profile]
    if precision is not None:
        _tensor_str.PRECISION = int(precision)
    if threshold is not None:
        _tensor_str.THRESHOLD = threshold
    if edgeitems is not None:
        _tensor_str.EDGEITEMS = int(edgeitems)
    if linewidth is not None:
        _tensor_str.LINEWIDTH = int(linewidth)


def get_printoptions() -> dict[str, Any]:
    return {"precision": _tensor_str.PRECISION, "threshold": _tensor_str.THRESHOLD,
            "edgeitems": _tensor_str.EDGEITEMS, "linewidth": _tensor_str.LINEWIDTH,
            "sci_mode": None}


def set_num_threads(int: int) -> None:
    if int <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    _threads["intra"] = int


def get_num_threads() -> int:
    return _threads["intra"]


def set_num_interop_threads(int: int) -> None:
    if int <= 0:
        raise RuntimeError("Number of inter-op threads must be positive")
    _threads["inter"] = int


def get_num_interop_threads() -> int:
    return _threads["inter"]
