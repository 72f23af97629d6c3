"""`torch.nn.modules.activation` as a module path: the activation layers (re-exported)."""

from autograd_core.nn.activation import (
    ELU,
    GELU,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    PReLU,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from autograd_core.nn.attention import MultiheadAttention

__all__ = [
    "ELU", "GELU", "Hardtanh", "LeakyReLU", "LogSigmoid", "LogSoftmax", "MultiheadAttention",
    "PReLU", "ReLU", "ReLU6", "SiLU", "Sigmoid", "Softmax", "Softplus", "Tanh",
]

# The activations added later, in their own file (kept apart to stay under 400 lines).
from autograd_core.nn import activation_more as _more
from autograd_core.nn.activation_more import *  # noqa: F403

__all__ += _more.__all__
