"""`torch.jit`: a documented no-op layer, so scripts that decorate helpers for TorchScript run.

There is no TorchScript here: the model always runs eagerly, on the engine, with the same
results and the same speed as without these calls.

- `script(obj)` returns `obj` itself; `trace(func, example_inputs)` and `trace_module(mod,
  inputs)` run the function (or each named method) once on the example inputs, so a shape
  error surfaces where PyTorch's tracer would show it, and return the original object. Their
  tracer options (`check_trace`, `strict`, ...) have nothing to act on and change nothing.
- The decorators `ignore`, `unused`, `export`, `interface`, `script_if_tracing` return what
  they decorate; `is_scripting()` and `is_tracing()` are False; `annotate(type, value)` is
  `value`; `Final` is `typing.Final`, as in PyTorch.
- `fork(fn, *args)` calls `fn` at once and returns a finished `Future`; `wait(future)` is its
  value (an error in `fn` is raised by `fork`, as PyTorch's eager fork does).
- `save`, `load`, `freeze` and `optimize_for_inference` need a TorchScript module and raise
  RuntimeError saying so: save the weights with `autograd_core.save(model.state_dict(), f)`.

Example:
    @torch.jit.script
    def gelu(x): ...                      # the plain function, called eagerly
    model = torch.jit.trace(model, x)     # runs model(x) once, returns model
"""

from __future__ import annotations

from collections.abc import Callable as _Callable
from typing import Any as _Any
from typing import Final

__all__ = ["Final", "Future", "annotate", "export", "fork", "freeze", "ignore", "interface",
           "is_scripting", "is_tracing", "load", "optimize_for_inference", "save", "script",
           "script_if_tracing", "trace", "trace_module", "unused", "wait"]

_NO_SCRIPT = ("TorchScript serialization is not supported by autograd_core: jit.script and "
              "jit.trace return the eager model unchanged. Save its weights with "
              "autograd_core.save(model.state_dict(), f) instead.")
_NO_FREEZE = ("TorchScript is not supported by autograd_core: jit.script and jit.trace return "
              "the eager model unchanged, so there is no ScriptModule to {}.")


def script(obj: _Any, optimize: _Any = None, _frames_up: int = 0, _rcb: _Any = None,
           example_inputs: _Any = None) -> _Any:
    """Return `obj` (function, Module or class) unchanged: it runs eagerly."""
    return obj


def trace(func: _Any, example_inputs: _Any = None, optimize: _Any = None,
          check_trace: bool = True, check_inputs: _Any = None, check_tolerance: float = 1e-05,
          strict: bool = True, _force_outplace: bool = False, _module_class: _Any = None,
          _compilation_unit: _Any = None, example_kwarg_inputs: dict | None = None,
          _store_inputs: bool = True) -> _Any:
    """Run `func(*example_inputs)` (or `func(**example_kwarg_inputs)`) once and return `func`
    itself. A single Tensor as `example_inputs` is one argument, as in PyTorch."""
    if example_kwarg_inputs is not None:
        func(**example_kwarg_inputs)
    else:
        func(*_as_args(example_inputs))
    return func


def trace_module(mod: _Any, inputs: dict, optimize: _Any = None, check_trace: bool = True,
                 check_inputs: _Any = None, check_tolerance: float = 1e-05, strict: bool = True,
                 _force_outplace: bool = False, _module_class: _Any = None,
                 _compilation_unit: _Any = None, example_inputs_is_kwarg: bool = False,
                 _store_inputs: bool = True) -> _Any:
    """Run each `{method_name: example_inputs}` method of `mod` once; return `mod` itself."""
    if not isinstance(inputs, dict):
        raise AttributeError("expected a dictionary of (method_name, input) pairs")
    for name, args in inputs.items():
        method = getattr(mod, name)
        if example_inputs_is_kwarg:
            method(**args)
        else:
            method(*_as_args(args))
    return mod


def _as_args(example_inputs: _Any) -> tuple:
    from autograd_core.tensor import Tensor

    if isinstance(example_inputs, Tensor):
        return (example_inputs,)
    return tuple(example_inputs)  # None: PyTorch's TypeError, "'NoneType' object is not ..."


def ignore(drop: _Any = False, **kwargs: _Any) -> _Any:
    """`@jit.ignore` or `@jit.ignore(drop=...)`: the function itself."""
    if callable(drop):
        return drop
    if not isinstance(drop, bool):
        raise RuntimeError(
            f"Argument to @torch.jit.ignore must be a bool or a function but got {drop}")
    unknown = set(kwargs) - {"drop_on_export"}
    if unknown:
        raise TypeError(f"ignore() got an unexpected keyword argument '{sorted(unknown)[0]}'")
    return _identity


def _identity(fn: _Any) -> _Any:
    return fn


def unused(fn: _Any) -> _Any:
    """The function (or property) itself."""
    return fn


def export(fn: _Any) -> _Any:
    """The method itself: every method of a Module is callable here."""
    return fn


def interface(obj: _Any) -> _Any:
    """The class itself."""
    return obj


def script_if_tracing(fn: _Any) -> _Any:
    """The function itself (nothing is ever traced)."""
    return fn


def is_scripting() -> bool:
    """False: code never runs under TorchScript here."""
    return False


def is_tracing() -> bool:
    """False: jit.trace runs the function eagerly, not under a tracer."""
    return False


def annotate(the_type: _Any, the_value: _Any) -> _Any:
    """`the_value`: the type is for the TorchScript compiler."""
    return the_value


class Future:
    """The result of `fork`: already finished (the call ran at once)."""

    def __init__(self, *, devices: list | None = None) -> None:
        self._done = False
        self._value: _Any = None
        self._error: BaseException | None = None
        self._callbacks: list[_Callable[[Future], _Any]] = []

    def done(self) -> bool:
        return self._done

    def wait(self) -> _Any:
        return self.value()

    def value(self) -> _Any:
        if not self._done:
            raise RuntimeError("Future is not completed: nothing sets its result here")
        if self._error is not None:
            raise self._error
        return self._value

    def set_result(self, result: _Any) -> None:
        self._finish(result, None)

    def set_exception(self, result: BaseException) -> None:
        self._finish(None, result)

    def then(self, callback: _Callable[[Future], _Any]) -> Future:
        """A Future of `callback(self)`, run once this one is done."""
        out = Future()
        self.add_done_callback(lambda f: out.set_result(callback(f)))
        return out

    def add_done_callback(self, callback: _Callable[[Future], None]) -> None:
        if self._done:
            callback(self)
        else:
            self._callbacks.append(callback)

    def _finish(self, value: _Any, error: BaseException | None) -> None:
        if self._done:
            raise RuntimeError("Future can only be marked completed once.")
        self._done, self._value, self._error = True, value, error
        for callback in self._callbacks:
            callback(self)
        self._callbacks.clear()


def fork(func: _Callable, *args: _Any, **kwargs: _Any) -> Future:
    """Call `func(*args, **kwargs)` now; its value is `wait(fork(...))`."""
    future = Future()
    future.set_result(func(*args, **kwargs))
    return future


def wait(future: Future) -> _Any:
    """The value of a `fork`'s Future."""
    return future.wait()


def save(m: _Any, f: _Any, _extra_files: _Any = None) -> None:
    """Raises: there is no TorchScript module to save."""
    raise RuntimeError(f"torch.jit.save: {_NO_SCRIPT}")


def load(f: _Any, map_location: _Any = None, _extra_files: _Any = None,
         _restore_shapes: bool = False) -> _Any:
    """Raises: a TorchScript archive cannot be run here."""
    raise RuntimeError(f"torch.jit.load: {_NO_SCRIPT}")


def freeze(mod: _Any, preserved_attrs: list[str] | None = None,
           optimize_numerics: bool = True) -> _Any:
    """Raises: freezing works on a ScriptModule, which jit.script never makes here."""
    raise RuntimeError(f"torch.jit.freeze: {_NO_FREEZE.format('freeze')}")


def optimize_for_inference(mod: _Any, other_methods: list[str] | None = None) -> _Any:
    """Raises: as `freeze`."""
    raise RuntimeError(f"torch.jit.optimize_for_inference: {_NO_FREEZE.format('optimize')}")
