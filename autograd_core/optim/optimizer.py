"""`Optimizer`: parameter groups, per-parameter state and PyTorch's state_dict format.

Subclasses implement `_update_group(group)`, which updates the raw arrays of the group's
parameters in place; `step()` handles the closure, the inspector's phase and grad mode.
"""

from __future__ import annotations

import copy
import weakref
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from autograd_core import grad_mode, hooks
from autograd_core.backend import blas, get_array_module
from autograd_core.tensor import Tensor, bump_version


class _Required:
    """Marks a hyper-parameter without a default (PyTorch's `required`)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _Required()
_SET_MESSAGE = (
    "optimizer parameters need to be organized in ordered collections, but the ordering of "
    "tensors in sets will change between runs. Please use a list instead."
)


# The optimizers alive now. A plain script's runner asks `any_alive()`: with an optimizer,
# only its step() ends an iteration (a GAN's two backward passes before one step stay one).
_LIVE: weakref.WeakSet = weakref.WeakSet()


def any_alive() -> bool:
    """Whether any optimizer exists in this process now."""
    return len(_LIVE) > 0


class Optimizer:
    """Base class of the optimizers: holds `param_groups` and `state` like torch.optim.

    Example:
        opt = SGD(model.parameters(), lr=0.1)
        opt.zero_grad(); loss.backward(); opt.step()
    """

    def __init__(self, params: Any, defaults: dict[str, Any]) -> None:
        _LIVE.add(self)
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {type(params).__name__}"
            )
        if isinstance(params, set):
            raise TypeError(_SET_MESSAGE)
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        lines = [self.__class__.__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join(lines) + "\n)"

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (missing ones take the defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(_SET_MESSAGE)
        else:
            params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is "
                                f"{type(p).__name__}")
            if p.grad_fn is not None:
                raise ValueError("can't optimize a non-leaf Tensor")
        group = dict(param_group, params=params)
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(
                    f"parameter group didn't specify a value of required optimization "
                    f"parameter {name}"
                )
            group.setdefault(name, default)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if len({id(p) for p in params}) != len(params) or any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients: drop them (default) or fill them with zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad._data[...] = 0

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns closure()'s loss."""
        loss = None
        if closure is not None:
            with grad_mode.enable_grad():
                loss = closure()
        obs = hooks.state.observer
        if obs is not None:
            obs.phase("update")
        prev = grad_mode.state.enabled
        grad_mode.state.enabled = False
        try:
            for group in self.param_groups:
                self._update_group(group)
        finally:
            grad_mode.state.enabled = prev
        return loss

    def _update_group(self, group: dict[str, Any]) -> None:
        raise NotImplementedError

    def _state_buffer(self, state: dict[str, Any], name: str, like: Any) -> Any:
        """The raw array of state[name], created as zeros shaped (and typed) like `like`."""
        buf = state.get(name)
        if buf is None:
            buf = state[name] = Tensor._make(get_array_module(like).zeros_like(like))
        return buf._data

    # ------------------------------------------------------------------ state_dict
    def state_dict(self) -> dict[str, Any]:
        """PyTorch's format: params as integer indices; state keyed by those indices."""
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: s for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore options and state saved by `state_dict()` (copied, cast like the params)."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for ours, saved in zip(self.param_groups, saved_groups):
            if len(ours["params"]) != len(saved["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size "
                    "of optimizer's group"
                )
        id_map = {
            i: p for ours, saved in zip(self.param_groups, saved_groups)
            for i, p in zip(saved["params"], ours["params"])
        }
        self.state = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in id_map:
                p = id_map[key]
                self.state[p] = {k: _cast_state(k, v, p) for k, v in value.items()}
        for i, saved in enumerate(saved_groups):
            group = copy.deepcopy({k: v for k, v in saved.items() if k != "params"})
            group["params"] = self.param_groups[i]["params"]
            self.param_groups[i] = group


_INT_STATE = frozenset({"step", "func_evals", "n_iter"})


def _cast_state(key: str, value: Any, param: Tensor) -> Any:
    """A copy of one saved state value; buffers take the dtype and device of their param."""
    if key in _INT_STATE:
        return int(value.item()) if hasattr(value, "item") else int(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):  # LBFGS keeps its history as lists of vectors
        return type(value)(_cast_state("", v, param) for v in value)
    arr = value._data if isinstance(value, Tensor) else value
    if hasattr(arr, "numpy") and not hasattr(arr, "__array_interface__"):
        arr = arr.detach().cpu().numpy()  # a torch tensor from a PyTorch checkpoint
    xp = get_array_module(param._data)
    return Tensor._make(xp.array(arr, dtype=param._data.dtype, copy=True))


def params_with_grad(group: dict[str, Any]) -> Iterable[tuple[Tensor, Any, Any]]:
    """(param, raw param array, raw grad array) for the group's params that have a grad."""
    for p in group["params"]:
        g = p.grad
        if g is not None:
            bump_version(p)  # an in-place update, as in PyTorch
            yield p, p._data, g._data


def l2_grad(x: Any, g: Any, weight_decay: float, maximize: bool) -> Any:
    """The gradient an update follows: negated to maximize, plus weight_decay * x (L2)."""
    if maximize:
        g = -g
    if weight_decay != 0:
        g = g + weight_decay * x
    return g


_CHUNK = 1 << 16  # elements per slice of add_scaled's scratch buffer (256 KiB in float32)


def add_scaled(x: Any, g: Any, alpha: float) -> None:
    """x += alpha * g in place, without a temporary as large as x (PyTorch's add_(g, alpha)).

    The grad array is left alone (users read it after step), so the product goes through a
    small scratch buffer, slice by slice: peak memory stays at the parameters plus their grads.
    """
    if blas.axpy_(x, g, alpha):  # the GPU: one cuBLAS axpy, no temporary at all
        return
    n = x.size
    if n <= _CHUNK or not (x.flags.c_contiguous and g.flags.c_contiguous and x.shape == g.shape):
        x += g * alpha
        return
    xp = get_array_module(x)
    xf = x.reshape(-1)
    gf = g.reshape(-1)
    tmp = xp.empty(_CHUNK, x.dtype)
    for start in range(0, n, _CHUNK):
        stop = min(start + _CHUNK, n)
        t = tmp[: stop - start]
        xp.multiply(gf[start:stop], alpha, out=t)
        xf[start:stop] += t


def refuse_flags(**flags: Any) -> None:
    """Raise TypeError naming a torch option we accept only switched off (capturable, ...).

    `foreach` and `fused` are not passed here: in torch they only pick a faster kernel, so any
    value is accepted and ignored; the options below change what a step means, so True is
    refused.
    """
    for name, value in flags.items():
        if value:
            raise TypeError(f"{name}=True is not supported by autograd_core's optimizers "
                            f"(PyTorch's {name} needs CUDA graphs or a differentiable step)")
