"""torch.autograd.functional: jacobian, hessian, vjp, jvp, vhp, hvp built on autograd.grad
(reverse mode, one backward pass per output element for the Jacobian; second derivatives
through create_graph). `vectorize` and the forward-mode strategy are refused by name.
"""

from __future__ import annotations

from typing import Any

from autograd_core.engine import grad
from autograd_core.tensor import Tensor

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


def _tuple(x: Any) -> tuple[tuple, bool]:
    return (tuple(x), True) if isinstance(x, (tuple, list)) else ((x,), False)


def _prepare(inputs: Any) -> tuple[tuple, bool]:
    ins, is_tuple = _tuple(inputs)
    return tuple(t.detach().requires_grad_(True) for t in ins), is_tuple


def _refuse(**flags: Any) -> None:
    for name, value in flags.items():
        if value:
            raise TypeError(f"autograd.functional: '{name}' is not supported by autograd_core")


def _grads(outputs: Tensor, ins: tuple, seed: Tensor, create_graph: bool) -> list:
    gs = grad(outputs, ins, seed, retain_graph=True, create_graph=create_graph,
              allow_unused=True)
    return [g if g is not None else t.detach() * 0 for g, t in zip(gs, ins)]


def jacobian(func: Any, inputs: Any, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """d func(inputs) / d inputs: for each output and input, a tensor of shape
    output.shape + input.shape."""
    from autograd_core.ops.join import stack

    _refuse(strict=strict, vectorize=vectorize, strategy=strategy != "reverse-mode")
    ins, in_tuple = _prepare(inputs)
    outs, out_tuple = _tuple(func(*ins))
    table = []
    for out in outs:
        n = out.numel()
        rows: list[list] = [[] for _ in ins]
        flat_seed = out.detach().reshape(-1) * 0
        for k in range(n):
            seed = flat_seed.clone()
            seed[k] = 1.0
            if out.requires_grad:
                gs = _grads(out, ins, seed.reshape(tuple(out.shape)), create_graph)
            else:
                gs = [t.detach() * 0 for t in ins]
            for i, g in enumerate(gs):
                rows[i].append(g)
        table.append(tuple(
            stack(r, 0).reshape(tuple(out.shape) + tuple(t.shape)) if r else
            (t.detach() * 0).reshape((0, *t.shape)).reshape(tuple(out.shape) + tuple(t.shape))
            for r, t in zip(rows, ins)))
    if out_tuple:
        return tuple(row if in_tuple else row[0] for row in table)
    return table[0] if in_tuple else table[0][0]


def hessian(func: Any, inputs: Any, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The second derivatives of a scalar func."""
    _refuse(strict=strict, vectorize=vectorize,
            outer_jacobian_strategy=outer_jacobian_strategy != "reverse-mode")
    _, in_tuple = _tuple(inputs)

    def gradient(*xs: Tensor) -> Any:
        out = func(*xs)
        gs = _grads(out, xs, out.detach() * 0 + 1, True)
        return tuple(gs) if in_tuple else gs[0]

    return jacobian(gradient, inputs, create_graph=create_graph)


def vjp(func: Any, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """(func(inputs), v^T J)."""
    _refuse(strict=strict)
    ins, in_tuple = _prepare(inputs)
    out = func(*ins)
    seed = out.detach() * 0 + 1 if v is None else v
    gs = _grads(out, ins, seed, create_graph)
    result = tuple(gs) if in_tuple else gs[0]
    return (out if create_graph else out.detach()), result


def jvp(func: Any, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """(func(inputs), J v), through the double-backward trick (two reverse passes)."""
    _refuse(strict=strict)
    ins, _ = _prepare(inputs)
    vs, _ = _tuple(v) if v is not None else (tuple(t.detach() * 0 + 1 for t in ins), True)
    out = func(*ins)
    u = (out.detach() * 0).requires_grad_(True)
    gs = _grads(out, ins, u, True)
    total = sum((g * vv).sum() for g, vv in zip(gs, vs))
    (jv,) = grad(total, (u,), create_graph=create_graph, allow_unused=True)
    jv = out.detach() * 0 if jv is None else jv
    return (out if create_graph else out.detach()), jv


def vhp(func: Any, inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple:
    """(func(inputs), v^T H) of a scalar func."""
    _refuse(strict=strict)
    ins, in_tuple = _prepare(inputs)
    vs, _ = _tuple(v)
    out = func(*ins)
    gs = _grads(out, ins, out.detach() * 0 + 1, True)
    total = sum((g * vv).sum() for g, vv in zip(gs, vs))
    hs = _grads(total, ins, total.detach() * 0 + 1, create_graph)
    return (out if create_graph else out.detach()), (tuple(hs) if in_tuple else hs[0])


hvp = vhp  # H is symmetric: H v = (v^T H)^T
