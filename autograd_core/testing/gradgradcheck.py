"""gradgradcheck: second derivatives from `create_graph=True` against finite differences.

PyTorch's signature. It checks, with `gradcheck`, the function that maps (inputs, grad_outputs)
to the gradients of `func` built with `create_graph=True`: so every first-order gradient
formula is itself differentiated, by the engine and by central differences.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_core import grad_mode
from autograd_core.backend import get_array_module
from autograd_core.engine import grad as autograd_grad
from autograd_core.tensor import Tensor
from autograd_core.testing.gradcheck import gradcheck

__all__ = ["gradgradcheck"]

# Options PyTorch has that change what is checked; refused by name rather than ignored.
_UNSUPPORTED = {"gen_non_contig_grad_outputs": False, "check_batched_grad": False,
                "check_fwd_over_rev": False, "fast_mode": False, "masked": False,
                "check_grad_dtypes": False}


def gradgradcheck(func: Callable[..., Any], inputs: Any, grad_outputs: Any = None, *,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  raise_exception: bool = True, nondet_tol: float = 0.0,
                  check_undefined_grad: bool = True, check_rev_over_rev: bool = True,
                  **options: Any) -> bool:
    """Check the gradients of the gradients of `func` (use float64 inputs).

    Args:
        func: takes the inputs and returns a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of tensors; those that require grad are checked.
        grad_outputs: one tensor per differentiable output (random, requiring grad, when None).
        eps, atol, rtol, raise_exception: as for `gradcheck`.

    Returns:
        True when every second-order Jacobian entry agrees.

    Example:
        >>> x = tensor([1.0, 2.0], dtype=float64, requires_grad=True)
        >>> gradgradcheck(lambda t: (t ** 3).sum(), (x,))
        True
    """
    for name, value in options.items():
        if name not in _UNSUPPORTED:
            raise TypeError(f"gradgradcheck() got an unexpected keyword argument '{name}'")
        if value != _UNSUPPORTED[name]:
            raise TypeError(f"gradgradcheck(): {name}={value!r} is not supported")
    if not check_rev_over_rev:
        return True  # nothing else (forward-over-reverse) to check
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    n_in = len(inputs)
    if grad_outputs is None:
        grad_outputs = _random_grad_outputs(func, inputs)
    else:
        grad_outputs = ((grad_outputs,) if isinstance(grad_outputs, Tensor)
                        else tuple(grad_outputs))

    def first_order(*args: Any) -> tuple:
        with grad_mode.enable_grad():  # gradcheck's finite differences run under no_grad
            outs = _differentiable(func(*args[:n_in]))
            wrt = [t for t in args[:n_in] if isinstance(t, Tensor) and t.requires_grad]
            grads = autograd_grad(outs, wrt, list(args[n_in:]), create_graph=True,
                                  allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_order, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)


def _differentiable(out: Any) -> list[Tensor]:
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    return [o for o in outs if isinstance(o, Tensor) and o.requires_grad]


def _random_grad_outputs(func: Callable[..., Any], inputs: tuple) -> tuple:
    """One standard-normal tensor per differentiable output, requiring grad (seeded)."""
    with grad_mode.enable_grad():
        outs = _differentiable(func(*inputs))
    rng = np.random.default_rng(0)
    result = []
    for o in outs:
        a = rng.standard_normal(o._data.shape).astype(o._data.dtype)
        t = Tensor._make(get_array_module(o._data).asarray(a))
        t.requires_grad = True
        result.append(t)
    return tuple(result)
