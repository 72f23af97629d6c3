"""Forward hooks of `Module` (PyTorch's `register_forward_pre_hook`/`register_forward_hook`,
with removable handles) and the call that runs them around `forward`.

`Module` inherits `ModuleHookMethods`; its `__call__` takes this path only when a hook is set.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any


class RemovableHandle:
    """Returned by `register_*_hook`: `handle.remove()` unregisters the hook."""

    _next_id = itertools.count()

    def __init__(self, hooks_dict: dict, extra_dicts: tuple = ()) -> None:
        self.hooks_dict = hooks_dict
        self.extra_dicts = extra_dicts
        self.id = next(RemovableHandle._next_id)

    def remove(self) -> None:
        for d in (self.hooks_dict, *self.extra_dicts):
            d.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class ModuleHookMethods:
    """The forward-hook methods of `Module` (which creates the hook dicts in `__init__`)."""

    def _call_with_hooks(self, args: tuple, kwargs: dict) -> Any:
        for hook_id, hook in list(self._forward_pre_hooks.items()):
            if hook_id in self._forward_pre_hooks_with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError(
                            "forward pre-hook must return None or a tuple of (new_args, "
                            f"new_kwargs), but got {result}."
                        )
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        output = self.forward(*args, **kwargs)
        for hook_id, hook in list(self._forward_hooks.items()):
            if hook_id in self._forward_hooks_with_kwargs:
                result = hook(self, args, kwargs, output)
            else:
                result = hook(self, args, output)
            if result is not None:
                output = result
        return output

    def register_forward_pre_hook(self, hook: Callable[..., Any], *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """Call hook(module, args) before forward; a non-None result replaces the args.

        With `with_kwargs=True` the hook is hook(module, args, kwargs) and may return
        (args, kwargs).
        """
        handle = RemovableHandle(self._forward_pre_hooks,
                                 (self._forward_pre_hooks_with_kwargs,))
        self._forward_pre_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        if prepend:
            self._forward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_hook(self, hook: Callable[..., Any], *, prepend: bool = False,
                              with_kwargs: bool = False,
                              always_call: bool = False) -> RemovableHandle:
        """Call hook(module, args, output) after forward; a non-None result replaces output.

        With `with_kwargs=True` the hook is hook(module, args, kwargs, output).
        """
        handle = RemovableHandle(self._forward_hooks, (self._forward_hooks_with_kwargs,))
        self._forward_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if prepend:
            self._forward_hooks.move_to_end(handle.id, last=False)
        return handle
