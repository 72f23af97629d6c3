"""More activation layers (Hardswish, Mish, CELU, SELU, GLU, ...): thin Modules over
`nn._functional_act`, with PyTorch's constructor arguments and reprs."""

from __future__ import annotations

from autograd_core.nn import _functional_act as FA
from autograd_core.nn.module import Module
from autograd_core.ops.softmax import softmax
from autograd_core.tensor import Tensor

__all__ = [
    "CELU",
    "GLU",
    "SELU",
    "Hardshrink",
    "Hardsigmoid",
    "Hardswish",
    "Mish",
    "RReLU",
    "Softmax2d",
    "Softmin",
    "Softshrink",
    "Softsign",
    "Tanhshrink",
    "Threshold",
]


def _inplace_suffix(inplace: bool) -> str:
    return ", inplace=True" if inplace else ""


class _InplaceActivation(Module):
    """An activation whose only argument is `inplace` (not shown in its repr, as PyTorch)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace


class Hardsigmoid(_InplaceActivation):
    """relu6(x + 3) / 6"""

    def forward(self, input: Tensor) -> Tensor:
        return FA.hardsigmoid(input, self.inplace)


class Hardswish(_InplaceActivation):
    """x * relu6(x + 3) / 6"""

    def forward(self, input: Tensor) -> Tensor:
        return FA.hardswish(input, self.inplace)


class Mish(_InplaceActivation):
    """x * tanh(softplus(x))"""

    def forward(self, input: Tensor) -> Tensor:
        return FA.mish(input, self.inplace)


class SELU(_InplaceActivation):
    """scale * elu(x, alpha), self-normalizing constants"""

    def forward(self, input: Tensor) -> Tensor:
        return FA.selu(input, self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class CELU(Module):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))"""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input: Tensor) -> Tensor:
        return FA.celu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + _inplace_suffix(self.inplace)


class Softsign(Module):
    """x / (1 + |x|)"""

    def forward(self, input: Tensor) -> Tensor:
        return FA.softsign(input)


class Tanhshrink(Module):
    """x - tanh(x)"""

    def forward(self, input: Tensor) -> Tensor:
        return FA.tanhshrink(input)


class Threshold(Module):
    """x where x > threshold, else value"""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input: Tensor) -> Tensor:
        return FA.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return (f"threshold={self.threshold}, value={self.value}"
                + _inplace_suffix(self.inplace))


class _Shrink(Module):
    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Hardshrink(_Shrink):
    """x where |x| > lambd, else 0"""

    def forward(self, input: Tensor) -> Tensor:
        return FA.hardshrink(input, self.lambd)


class Softshrink(_Shrink):
    """x shrunk towards 0 by lambd"""

    def forward(self, input: Tensor) -> Tensor:
        return FA.softshrink(input, self.lambd)


class GLU(Module):
    """Gated linear unit: first half * sigmoid(second half) along `dim`"""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return FA.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmin(Module):
    """softmax(-x) along `dim`"""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return FA.softmin(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax2d(Module):
    """softmax over the channels of (N, C, H, W) or (C, H, W) input"""

    def forward(self, input: Tensor) -> Tensor:
        if input.dim() not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D "
                             f"instead")
        return softmax(input, -3)


class RReLU(Module):
    """Randomized leaky ReLU: random negative slopes in training, their mean in eval"""

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
                 inplace: bool = False) -> None:
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input: Tensor) -> Tensor:
        return FA.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + _inplace_suffix(self.inplace)


