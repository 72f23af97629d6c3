"""`nn.utils.stateless.functional_call` (also `autograd_core.func.functional_call` in
PyTorch): call a module with some parameters and buffers replaced by given tensors, so a
loss can be differentiated with respect to those tensors (MAML's fast weights)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from autograd_core.nn.module import Module
from autograd_core.tensor import Tensor

__all__ = ["functional_call"]


def _owner(module: Module, name: str) -> tuple[Module, str]:
    *path, leaf = name.split(".")
    for part in path:
        module = getattr(module, part)
    return module, leaf


@contextlib.contextmanager
def _swapped(module: Module, tensors: dict[str, Tensor], strict: bool) -> Iterator[None]:
    known = {n for n, _ in module.named_parameters(remove_duplicate=False)} | {
        n for n, _ in module.named_buffers(remove_duplicate=False)}
    unexpected = [k for k in tensors if k not in known]
    missing = [k for k in known if k not in tensors]
    if strict and (unexpected or missing):
        parts = []
        if unexpected:
            parts.append("Unexpected key(s): " + ", ".join(repr(k) for k in unexpected) + ".")
        if missing:
            parts.append("Missing key(s): " + ", ".join(repr(k) for k in missing) + ".")
        raise RuntimeError("Error(s) in reparametrizing for "
                           f"{module._get_name()}:\n\t" + "\n\t".join(parts))
    saved: list[tuple[dict, str, Any]] = []
    try:
        for name, value in tensors.items():
            owner, leaf = _owner(module, name)
            registry = owner._parameters if leaf in owner._parameters else owner._buffers
            # Written into the registry directly: the replacement need not be a Parameter.
            saved.append((registry, leaf, registry.get(leaf)))
            registry[leaf] = value
        yield
    finally:
        for registry, leaf, old in reversed(saved):
            registry[leaf] = old


def functional_call(module: Module, parameters_and_buffers: Any, args: Any = None,
                    kwargs: dict | None = None, *, tie_weights: bool = True,
                    strict: bool = False) -> Any:
    """module(*args, **kwargs) with the named parameters/buffers replaced for this call.

    Example:
        >>> fast = {n: p - 0.1 * g for (n, p), g in zip(net.named_parameters(), grads)}
        >>> out = functional_call(net, fast, (x,))
    """
    if isinstance(parameters_and_buffers, (list, tuple)):
        merged: dict = {}
        for d in parameters_and_buffers:
            for key in d:
                if key in merged:
                    raise ValueError(f"{key} appeared in multiple dictionaries; behavior of "
                                     "functional call is ambiguous")
            merged.update(d)
        parameters_and_buffers = merged
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _swapped(module, dict(parameters_and_buffers), strict):
        return module(*args, **(kwargs or {}))
