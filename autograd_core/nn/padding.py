"""Padding layers (ZeroPad, ConstantPad, ReflectionPad, ReplicationPad, CircularPad; 1d, 2d,
3d) over `F.pad`, with PyTorch's argument forms and reprs."""

from __future__ import annotations

from typing import Any

from autograd_core.nn.module import Module
from autograd_core.ops.padding import pad
from autograd_core.tensor import Tensor

__all__ = [f"{kind}Pad{n}d" for kind in ("Zero", "Constant", "Reflection", "Replication",
                                         "Circular") for n in (1, 2, 3)]


def _expand(padding: Any, n_dims: int) -> tuple[int, ...]:
    """An int pads every side of the last n_dims dims; a sequence is taken as given."""
    if isinstance(padding, int):
        return (padding,) * (2 * n_dims)
    return tuple(padding)


class _PadNd(Module):
    _mode = "constant"
    _n_dims = 1

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _expand(padding, self._n_dims)

    def forward(self, input: Tensor) -> Tensor:
        return pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


def _make(base: type, kind: str, n: int, mode: str) -> type:
    doc = f"Pad the last {n} dim{'s' if n > 1 else ''} of the input ({mode} padding)."
    return type(f"{kind}Pad{n}d", (base,), {"_n_dims": n, "_mode": mode, "__doc__": doc,
                                            "__module__": __name__})


ConstantPad1d = _make(_ConstantPadNd, "Constant", 1, "constant")
ConstantPad2d = _make(_ConstantPadNd, "Constant", 2, "constant")
ConstantPad3d = _make(_ConstantPadNd, "Constant", 3, "constant")
ZeroPad1d = _make(_ZeroPadNd, "Zero", 1, "constant")
ZeroPad2d = _make(_ZeroPadNd, "Zero", 2, "constant")
ZeroPad3d = _make(_ZeroPadNd, "Zero", 3, "constant")
ReflectionPad1d = _make(_PadNd, "Reflection", 1, "reflect")
ReflectionPad2d = _make(_PadNd, "Reflection", 2, "reflect")
ReflectionPad3d = _make(_PadNd, "Reflection", 3, "reflect")
ReplicationPad1d = _make(_PadNd, "Replication", 1, "replicate")
ReplicationPad2d = _make(_PadNd, "Replication", 2, "replicate")
ReplicationPad3d = _make(_PadNd, "Replication", 3, "replicate")
CircularPad1d = _make(_PadNd, "Circular", 1, "circular")
CircularPad2d = _make(_PadNd, "Circular", 2, "circular")
CircularPad3d = _make(_PadNd, "Circular", 3, "circular")
