"""A module's tree as a whole, as in PyTorch: `apply(fn)` to every module, moving and casting
its tensors (`to`, `cuda`, `float`, ...) and saving and loading them by dotted name
(`state_dict`, `load_state_dict`).

`Module` inherits `ModuleStateMethods`; module.py holds registration and calls, and
`_module_hooks` the forward hooks.
"""

from __future__ import annotations

import itertools
from collections import OrderedDict, namedtuple
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from autograd_core import dtypes, grad_mode
from autograd_core.backend import device as as_device
from autograd_core.nn.parameter import Parameter
from autograd_core.tensor import Tensor, _parse_to, _to_array

if TYPE_CHECKING:
    from autograd_core.nn.module import Module


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What `load_state_dict` returns; prints like PyTorch's when every key matched."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class ModuleStateMethods:
    """Conversion and state-dict methods of `Module` (which defines the registries they read:
    `_parameters`, `_buffers`, `_modules`, `_non_persistent_buffers_set`)."""

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call fn on every descendant (children first) and then on self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ device / dtype
    def _apply(self, fn: Callable[[Tensor], Tensor]) -> Module:
        """Convert parameters in place (same Parameter objects) and replace buffers."""
        for module in self.children():
            module._apply(fn)
        with grad_mode.no_grad():
            for p in self._parameters.values():
                if p is None:
                    continue
                p._data = fn(p)._data
                if p.grad is not None:
                    p.grad._data = fn(p.grad)._data
            for key, b in self._buffers.items():
                if b is not None:
                    self._buffers[key] = fn(b)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Move/cast parameters and buffers: to(device), to(dtype), to(device, dtype), to(t).

        Only floating-point tensors change dtype, as in PyTorch.
        """
        kwargs.pop("non_blocking", None)
        dev, dt = _parse_to(args, kwargs)
        if dt is not None and dt.kind not in "fc":
            raise TypeError(
                "nn.Module.to only accepts floating point or complex dtypes, but got desired "
                f"dtype={dt}"
            )

        def convert(t: Tensor) -> Tensor:
            target = dt if dt is not None and t.is_floating_point() else None
            return t.to(dev, target) if dev is not None else t.to(target) if target else t

        return self._apply(convert)

    def cuda(self, device: Any = None) -> Module:
        return self.to(as_device("cuda", device))

    def cpu(self) -> Module:
        return self.to("cpu")

    def _cast_floats(self, dt: Any) -> Module:
        return self._apply(lambda t: t.to(dt) if t.is_floating_point() else t)

    def float(self) -> Module:
        return self._cast_floats(dtypes.float32)

    def double(self) -> Module:
        return self._cast_floats(dtypes.float64)

    def half(self) -> Module:
        return self._cast_floats(dtypes.float16)

    def type(self, dst_type: Any) -> Module:
        return self._apply(lambda t: t.to(dtypes.to_dtype(dst_type)))

    # ------------------------------------------------------------------ state dict
    def state_dict(self, *args: Any, destination: Any = None, prefix: str = "",
                   keep_vars: bool = False) -> OrderedDict:
        """Parameters and persistent buffers by dotted name (detached unless keep_vars)."""
        if args:  # PyTorch's deprecated positional form state_dict(destination, prefix)
            destination = args[0]
            prefix = args[1] if len(args) > 1 else prefix
        if destination is None:
            destination = OrderedDict()
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".",
                                  keep_vars=keep_vars)
        return destination

    def _save_to_state_dict(self, destination: dict, prefix: str, keep_vars: bool) -> None:
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars else buf.detach()

    def load_state_dict(self, state_dict: Any, strict: bool = True,
                        assign: bool = False) -> _IncompatibleKeys:
        """Copy values from `state_dict` into parameters and buffers (in place).

        Returns (missing_keys, unexpected_keys). With strict=True either kind of mismatch is a
        RuntimeError listing them; a shape mismatch is always an error.
        """
        if not isinstance(state_dict, dict):
            raise TypeError(
                f"Expected state_dict to be dict-like, got {type(state_dict)}."
            )
        missing: list[str] = []
        unexpected: list[str] = []
        errors: list[str] = []
        state_dict = OrderedDict(state_dict)

        def load(module: Module, prefix: str) -> None:
            # strict=True here as in PyTorch: keys are always collected, raising is decided below
            module._load_from_state_dict(state_dict, prefix, True, missing, unexpected,
                                         errors, assign)
            for name, child in module._modules.items():
                if child is not None:
                    load(child, prefix + name + ".")

        load(self, "")
        if strict:
            if unexpected:
                errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected)))
            if missing:
                errors.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing)))
        if errors:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                self._get_name(), "\n\t".join(errors)))
        return _IncompatibleKeys(missing, unexpected)

    def _load_from_state_dict(self, state_dict: dict, prefix: str, strict: bool,
                              missing_keys: list, unexpected_keys: list, error_msgs: list,
                              assign: bool = False) -> None:
        persistent = {k: v for k, v in self._buffers.items()
                      if k not in self._non_persistent_buffers_set}
        local = {k: v for k, v in itertools.chain(self._parameters.items(), persistent.items())
                 if v is not None}
        for name, target in local.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            self._load_one(key, name, target, state_dict[key], error_msgs, assign)
        if strict:
            children = {k for k, m in self._modules.items() if m is not None}
            for key in state_dict:
                if not key.startswith(prefix):
                    continue
                head = key[len(prefix):].split(".", 1)[0]
                if head not in local and head not in children:
                    unexpected_keys.append(key)

    def _load_one(self, key: str, name: str, target: Tensor, value: Any, error_msgs: list,
                  assign: bool) -> None:
        if not isinstance(value, Tensor):
            if not hasattr(value, "shape"):
                error_msgs.append(
                    f'While copying the parameter named "{key}", expected torch.Tensor or '
                    f"Tensor-like object from checkpoint but received {type(value)}"
                )
                return
            value = Tensor._make(_to_array(value, None))  # an array keeps its dtype
        if tuple(value.shape) != tuple(target.shape):
            error_msgs.append(
                f"size mismatch for {key}: copying a param with shape {value.shape} from "
                f"checkpoint, the shape in current model is {target.shape}."
            )
            return
        with grad_mode.no_grad():
            if assign:
                if isinstance(target, Parameter):
                    self._parameters[name] = Parameter(value.detach(), target.requires_grad)
                else:
                    self._buffers[name] = value.detach()
            else:
                target.copy_(value)
