"""gradcheck: the Jacobian from backward() against central differences, like PyTorch's.

Use float64 inputs: in float32 the finite differences themselves are too noisy to judge.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd_core import grad_mode
from autograd_core.backend import get_array_module
from autograd_core.engine import grad as autograd_grad
from autograd_core.tensor import Tensor, _host

__all__ = ["GradcheckError", "gradcheck"]


class GradcheckError(RuntimeError):
    """Raised when an analytical gradient differs from the numerical one."""


def gradcheck(fn: Callable[..., Any], inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Check the gradients of `fn` with respect to every input that requires grad.

    Args:
        fn: takes the inputs and returns a tensor or a tuple of tensors.
        inputs: a tensor or a tuple of tensors (and other arguments passed through).
        eps: the finite-difference step; atol, rtol: the allowed difference.
        raise_exception: raise `GradcheckError` naming the input and element that differ,
            rather than return False.

    Returns:
        True when every Jacobian entry agrees.

    Example:
        >>> x = tensor([1.0, 2.0], dtype=float64, requires_grad=True)
        >>> gradcheck(lambda t: (t * t).sum(), (x,))
        True
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    wrt = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not wrt:
        raise ValueError("gradcheck expects at least one input tensor to require gradient")
    outputs = _outputs(fn, inputs)
    for o_index, out in enumerate(outputs):
        if not out.requires_grad:
            continue  # integer or detached outputs have no gradient to check
        analytical = _analytical(out, [inputs[i] for i in wrt])
        for k, i in enumerate(wrt):
            numerical = _numerical(fn, inputs, i, o_index, eps)
            message = _compare(numerical, analytical[k], atol, rtol, o_index, i,
                               inputs[i].shape, out.shape)
            if message:
                if raise_exception:
                    raise GradcheckError(message)
                return False
    return True


def _outputs(fn: Callable[..., Any], inputs: tuple) -> tuple[Tensor, ...]:
    out = fn(*inputs)
    outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
    return tuple(o for o in outs if isinstance(o, Tensor))


def _analytical(out: Tensor, wrt: list[Tensor]) -> list[np.ndarray]:
    """One row of the Jacobian per output element, from a backward pass with a one-hot seed."""
    n_out = out.numel()
    jac = [np.zeros((n_out, t.numel())) for t in wrt]
    xp_zeros = np.zeros(out.shape, dtype=out.dtype)
    for j in range(n_out):
        seed = xp_zeros.copy()
        seed.reshape(-1)[j] = 1
        seed_t = Tensor._make(_like(seed, out))
        grads = autograd_grad([out], wrt, [seed_t], retain_graph=True, allow_unused=True)
        for k, g in enumerate(grads):
            if g is not None:
                jac[k][j] = _host(g._data).reshape(-1)
    return jac


def _numerical(fn: Callable[..., Any], inputs: tuple, i: int, o_index: int,
               eps: float) -> np.ndarray:
    """The Jacobian column by column: (f(x + eps) - f(x - eps)) / 2 eps per input element."""
    data = inputs[i]._data
    if not data.flags.c_contiguous:
        raise ValueError(f"gradcheck: input {i} must be contiguous (it is perturbed in place)")
    flat = data.reshape(-1)  # a view: the writes below perturb the input in place
    cols = []
    with grad_mode.no_grad():
        for e in range(flat.size):
            orig = flat[e].item()
            flat[e] = orig + eps
            plus = _host(_outputs(fn, inputs)[o_index]._data).astype(np.float64)
            flat[e] = orig - eps
            minus = _host(_outputs(fn, inputs)[o_index]._data).astype(np.float64)
            flat[e] = orig
            cols.append(((plus - minus) / (2 * eps)).reshape(-1))
    if not cols:  # an empty input: no columns, but as many rows as the output has
        with grad_mode.no_grad():
            n_out = _outputs(fn, inputs)[o_index].numel()
        return np.zeros((n_out, 0))
    return np.stack(cols, axis=1)


def _compare(numerical: np.ndarray, analytical: np.ndarray, atol: float, rtol: float,
             o_index: int, i: int, in_shape: tuple, out_shape: tuple) -> str:
    bad = ~np.isclose(analytical, numerical, rtol=rtol, atol=atol, equal_nan=True)
    if not bad.any():
        return ""
    j, e = (int(v) for v in np.argwhere(bad)[0])
    out_el = np.unravel_index(j, out_shape) if out_shape else ()
    in_el = np.unravel_index(e, in_shape) if in_shape else ()
    return (
        f"Jacobian mismatch for output {o_index} with respect to input {i}, input element "
        f"{tuple(int(v) for v in in_el)}, output element {tuple(int(v) for v in out_el)}: "
        f"numerical {numerical[j, e]:.6g}, analytical {analytical[j, e]:.6g} "
        f"({int(bad.sum())} of {bad.size} entries differ; atol={atol}, rtol={rtol})"
    )


def _like(seed: np.ndarray, out: Tensor) -> Any:
    """The seed on the output's device."""
    if type(out._data) is np.ndarray:
        return seed
    return get_array_module(out._data).asarray(seed)
