"""One row of the op table (tests/core/test_ops_table.py): the op, its call, references."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple


class Op(NamedTuple):
    name: str  # the row id; the op it covers is the part before ':'
    fn: Callable[..., Any]  # fn(m, *tensors, **kwargs), m = autograd_core or torch
    ref: Callable[..., Any] | None  # numpy reference on arrays (None: checked against torch)
    shapes: tuple  # one shape per input tensor
    domain: str = "real"  # real | positive | unit (inside (-1, 1))
    kwargs: dict = {}  # a NamedTuple default, never mutated
    grad: bool = True  # False for ops whose outputs are not differentiable
    covers: tuple = ()  # more op names this row exercises (aliases, helpers)
    # False where finite differences cannot judge the op (a float32 round trip): the row's
    # gradients are still compared with PyTorch's.
    fd: bool = True


def op(name: str, fn: Callable, ref: Callable | None, *shapes: tuple, domain: str = "real",
       grad: bool = True, covers: tuple = (), fd: bool = True, **kwargs: Any) -> Op:
    return Op(name, fn, ref, shapes, domain, kwargs, grad, covers, fd)
