"""Neural network building blocks with PyTorch's API: Module, Parameter, layers, losses."""

# ruff: noqa: F401  (this file is the public namespace: a plain list of re-exports)

from autograd_core.nn import functional, init
from autograd_core.nn.module import Module
from autograd_core.nn.parameter import Buffer, Parameter
