"""torch.finfo / torch.iinfo: the numeric limits of a floating / integer dtype.

Values are PyTorch's (numpy's for the types both have; bfloat16's own, since it is stored as
float32 here but keeps its limits: scripts read `finfo(dtype).min` for attention masks).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import dtypes

__all__ = ["finfo", "iinfo"]

# bfloat16: 8 exponent bits and 7 mantissa bits.
_BFLOAT16 = {"bits": 16, "eps": 0.0078125, "max": 3.3895313892515355e38,
             "min": -3.3895313892515355e38, "tiny": 1.1754943508222875e-38,
             "smallest_normal": 1.1754943508222875e-38, "resolution": 0.01}


def _dtype(d: Any) -> Any:
    if d is None:
        return dtypes.get_default_dtype()
    if isinstance(d, dtypes.dtype):
        return d
    raise TypeError(f"finfo(): argument 'type' (position 1) must be torch.dtype, not "
                    f"{type(d).__name__}")


class finfo:  # noqa: N801 - PyTorch's name
    """Limits of a floating-point dtype: bits, eps, max, min, tiny, smallest_normal,
    resolution, dtype."""

    def __init__(self, type: Any = None) -> None:
        d = _dtype(type)
        if not d.is_floating_point:
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        self.dtype = str(d).replace("torch.", "")
        if self.dtype == "bfloat16":
            values = _BFLOAT16
        else:
            info = np.finfo(d._np)
            values = {"bits": int(info.bits), "eps": float(info.eps), "max": float(info.max),
                      "min": float(info.min), "tiny": float(info.tiny),
                      "smallest_normal": float(info.smallest_normal),
                      "resolution": 10.0 ** -int(info.precision)}
        for k, v in values.items():
            setattr(self, k, v)

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, finfo) and other.dtype == self.dtype

    def __hash__(self) -> int:
        return hash(("finfo", self.dtype))


class iinfo:  # noqa: N801 - PyTorch's name
    """Limits of an integer dtype: bits, max, min, dtype."""

    def __init__(self, type: Any) -> None:
        d = _dtype(type) if type is not None else None
        if d is None or d.is_floating_point or d.is_complex:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to "
                            "handle 'torch.iinfo'")
        np_dt = d._np
        if np_dt.kind == "b":
            raise TypeError("torch.bool is not supported by torch.iinfo")
        info = np.iinfo(np_dt)
        self.bits, self.min, self.max = int(info.bits), int(info.min), int(info.max)
        self.dtype = str(d).replace("torch.", "")

    def __repr__(self) -> str:
        return f"iinfo(min={float(self.min):g}, max={float(self.max):g}, dtype={self.dtype})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, iinfo) and other.dtype == self.dtype

    def __hash__(self) -> int:
        return hash(("iinfo", self.dtype))
