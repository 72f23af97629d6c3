"""`nn.utils.parametrize`: a tensor of a module computed from other parameters, as PyTorch's.

`register_parametrization(module, "weight", p)` moves `module.weight` to
`module.parametrizations.weight.original` (or `original0`, `original1`, ... when
`p.right_inverse` returns a tuple) and makes `weight` a property that runs the
parametrizations on every access. The module's class becomes a subclass named
`Parametrized<Class>`, so reprs and state_dict keys are PyTorch's and its checkpoints load.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from autograd_core.grad_mode import no_grad
from autograd_core.nn.containers import ModuleDict, ModuleList
from autograd_core.nn.module import Module
from autograd_core.nn.parameter import Parameter
from autograd_core.tensor import Tensor

__all__ = ["ParametrizationList", "cached", "is_parametrized", "register_parametrization",
           "remove_parametrizations", "type_before_parametrizations"]

_cache_enabled = [0]
_cache: dict = {}


@contextlib.contextmanager
def cached() -> Iterator[None]:
    """Inside, each parametrized tensor is computed once (PyTorch's caching context)."""
    _cache_enabled[0] += 1
    try:
        yield
    finally:
        _cache_enabled[0] -= 1
        if not _cache_enabled[0]:
            _cache.clear()


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, and its unparametrized original(s)."""

    def __init__(self, modules: list, original: Tensor, unsafe: bool = False) -> None:
        super().__init__(modules)
        self.unsafe = unsafe
        with no_grad():
            new = original
            for module in reversed(list(self)):  # type: ignore[call-overload]
                if hasattr(module, "right_inverse"):
                    new = module.right_inverse(new)
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            self.register_parameter("original", _as_parameter(new, original))
        else:
            for i, t in enumerate(new):
                self.register_parameter(f"original{i}", _as_parameter(t, original))

    def right_inverse(self, value: Tensor) -> None:
        """Assigning to the parametrized tensor: write right_inverse(value) into originals."""
        with no_grad():
            for module in reversed(list(self)):  # type: ignore[call-overload]
                if not hasattr(module, "right_inverse"):
                    raise RuntimeError(f"parametrization {type(module).__name__} does not "
                                       "implement right_inverse.")
                value = module.right_inverse(value)
            if self.is_tensor:
                self.original.copy_(value)
            else:
                for i, t in enumerate(value):
                    getattr(self, f"original{i}").copy_(t)

    def forward(self) -> Tensor:
        modules = list(self)  # type: ignore[call-overload]
        if self.is_tensor:
            x = modules[0](self.original)
        else:
            x = modules[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in modules[1:]:
            x = module(x)
        return x


def _as_parameter(t: Tensor, like: Tensor) -> Parameter:
    if isinstance(t, Parameter):
        return t
    return Parameter(t.detach(), requires_grad=like.requires_grad)


def _make_property(name: str) -> property:
    def get(self: Module) -> Tensor:
        plist = self.parametrizations[name]
        if _cache_enabled[0]:
            key = (id(self), name)
            if key not in _cache:
                _cache[key] = plist()
            return _cache[key]
        return plist()

    def set_(self: Module, value: Tensor) -> None:
        self.parametrizations[name].right_inverse(value)

    return property(get, set_)


def register_parametrization(module: Module, tensor_name: str, parametrization: Module, *,
                             unsafe: bool = False) -> Module:
    """Make `module.<tensor_name>` the output of `parametrization` on its stored original."""
    if is_parametrized(module, tensor_name):
        module.parametrizations[tensor_name].append(parametrization)
        return module
    if tensor_name in module._buffers or tensor_name in module._parameters:
        original = getattr(module, tensor_name)
        plist = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            cls = type(module)
            subclass = type(f"Parametrized{cls.__name__}", (cls,), {
                "__module__": cls.__module__, "_parametrized_base": cls})
            module.__class__ = subclass
            module.parametrizations = ModuleDict()
        setattr(type(module), tensor_name, _make_property(tensor_name))
        module.parametrizations[tensor_name] = plist
        return module
    raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a parametrized "
                     f"element with name '{tensor_name}'")


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether the module (or its tensor `tensor_name`) has parametrizations."""
    plists = module._modules.get("parametrizations")
    if plists is None or not isinstance(plists, ModuleDict):
        return False
    return len(plists) > 0 if tensor_name is None else tensor_name in plists


def type_before_parametrizations(module: Module) -> type:
    """The module's class as it was before any parametrization was registered."""
    return getattr(type(module), "_parametrized_base", type(module)) \
        if is_parametrized(module) else type(module)


def remove_parametrizations(module: Module, tensor_name: str,
                            leave_parametrized: bool = True) -> Module:
    """Undo register_parametrization: `tensor_name` becomes a plain Parameter again, holding
    the parametrized value (or the original, with leave_parametrized=False)."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    plist = module.parametrizations[tensor_name]
    with no_grad():
        if leave_parametrized:
            value = getattr(module, tensor_name).detach()
        elif plist.is_tensor:
            value = plist.original.detach()
        else:
            raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a "
                             "tensor that is parametrized in terms of a sequence of tensors.")
    delattr(type(module), tensor_name)
    del module.parametrizations[tensor_name]
    if plist.is_tensor:
        # The same Parameter object comes back (an optimizer may hold it), holding the value,
        # as PyTorch's `original.set_(value)`.
        param = plist.original
        if leave_parametrized:
            param._data = value._data.copy()
    else:
        param = Parameter(value)
    module.register_parameter(tensor_name, param)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = type(module)._parametrized_base  # type: ignore[attr-defined]
    return module
