"""A pickle reader that runs no code: PyTorch's weights-only unpickler, opcode for opcode.

It interprets the protocol-2 opcodes `torch.save` writes and no others. A global is looked
up in an allowlist (`find_class`) and anything else is refused with `UnpicklingError`
naming it, before it could be imported; only allowlisted callables are ever called (REDUCE),
only allowlisted classes instantiated (NEWOBJ), and BUILD only sets attributes on an
OrderedDict (a state dict's `_metadata`). Storages come from `persistent_load`.
"""

from __future__ import annotations

import struct
from collections import Counter, OrderedDict
from collections.abc import Callable
from pickle import UnpicklingError
from typing import Any

__all__ = ["BLOCKED_MODULES", "WeightsUnpickler", "refusal"]

BLOCKED_MODULES = ("sys", "os", "posix", "nt")
_RENAMED = {"__builtin__": "builtins", "copy_reg": "copyreg"}  # Python 2 module names


def refusal(module: str, name: str) -> UnpicklingError:
    """PyTorch's messages for a global it will not load (a blocked module, or not allowed)."""
    full = f"{module}.{name}"
    if module in BLOCKED_MODULES:
        return UnpicklingError(f"Trying to load unsupported GLOBAL {full} whose module "
                               f"{module} is blocked.")
    if module == "builtins":
        full = name
    hint = ""
    if module.startswith(("torch.nn.modules", "torch.optim")):
        hint = (" The file holds a whole Module or optimizer (torch.save(model)); save its "
                "state_dict() and load that instead.")
    return UnpicklingError(f"Unsupported global: GLOBAL {full} was not an allowed global by "
                           f"default.{hint}")


class WeightsUnpickler:
    """Reads one pickle; `find_class(module, name)` returns an allowed object or raises.

    Example:
        >>> WeightsUnpickler(data, find_class, persistent_load).load()
    """

    def __init__(self, data: bytes, find_class: Callable[[str, str], Any],
                 persistent_load: Callable[[Any], Any], newobj: tuple[type, ...] = (),
                 called: tuple[type, ...] = (), uncallable: tuple[type, ...] = ()) -> None:
        self._data = data
        self._newobj = newobj + called  # the classes NEWOBJ may create
        self._called = called  # of those, the ones it calls (Parameter) instead of __new__
        self._uncallable = uncallable  # allowed as values only (torch.Tensor(n) allocates n)
        self._pos = 0
        self.find_class = find_class
        self.persistent_load = persistent_load
        self.allowed: set[int] = set()  # ids of what find_class returned (REDUCE/NEWOBJ)

    def read(self, n: int) -> bytes:
        chunk = self._data[self._pos:self._pos + n]
        if len(chunk) != n:
            raise UnpicklingError("pickle data was truncated")
        self._pos += n
        return chunk

    def readline(self) -> str:
        end = self._data.find(b"\n", self._pos)
        if end < 0:
            raise UnpicklingError("pickle data was truncated")
        line = self._data[self._pos:end]
        self._pos = end + 1
        return line.decode("utf-8")

    def load(self) -> Any:
        self.stack: list[Any] = []
        self.metastack: list[list[Any]] = []
        self.memo: dict[int, Any] = {}
        try:
            while True:
                op = self.read(1)
                if op == b".":
                    return self.stack.pop()
                handler = _OPS.get(op)
                if handler is None:
                    raise UnpicklingError(f"Unsupported operand {op[0]}")
                handler(self)
        except (IndexError, KeyError, struct.error, UnicodeDecodeError) as exc:
            # An opcode found the stack, memo or data not as a valid pickle leaves them.
            raise UnpicklingError(f"the pickle is damaged ({type(exc).__name__}: {exc})"
                                  ) from None

    def pop_mark(self) -> list[Any]:
        items = self.stack
        self.stack = self.metastack.pop()
        return items

    # ---------------------------------------------------------------- risky opcodes
    def op_global(self) -> None:
        module, name = self.readline(), self.readline()
        module = _RENAMED.get(module, module)
        obj = self.find_class(module, name)
        self.allowed.add(id(obj))
        self.stack.append(obj)

    def op_reduce(self) -> None:
        args = self.stack.pop()
        func = self.stack[-1]
        if id(func) not in self.allowed or not callable(func) or type(args) is not tuple or \
                func in self._uncallable:
            raise UnpicklingError(f"Trying to call reduce for unrecognized function {func!r}")
        try:
            self.stack[-1] = func(*args)
        except TypeError as exc:
            raise UnpicklingError(f"reduce with {func!r} failed: {exc}") from None

    def op_newobj(self) -> None:
        args = self.stack.pop()
        cls = self.stack.pop()
        if id(cls) not in self.allowed or cls not in self._newobj or type(args) is not tuple:
            raise UnpicklingError("Can only create new object for nn.Parameter or classes "
                                  f"allowlisted, but got {cls!r}")
        try:
            self.stack.append(cls(*args) if cls in self._called else cls.__new__(cls, *args))
        except TypeError as exc:
            raise UnpicklingError(f"creating {cls.__name__} failed: {exc}") from None

    def op_build(self) -> None:
        state = self.stack.pop()
        inst = self.stack[-1]
        if type(inst) not in (OrderedDict, Counter):
            raise UnpicklingError("Can only build Tensor, Parameter, OrderedDict or types "
                                  f"allowlisted, but got {type(inst)}")
        if type(state) is not dict or not all(type(k) is str for k in state):
            raise UnpicklingError(f"BUILD state for {type(inst).__name__} must be a dict of "
                                  "attribute names")
        inst.__dict__.update(state)

    def op_persid(self) -> None:
        pid = self.stack.pop()
        if type(pid) is not tuple or not pid or pid[0] not in ("storage", b"storage"):
            raise UnpicklingError("Only persistent_load of storage is allowed, but got "
                                  f"{type(pid[0] if type(pid) is tuple and pid else pid)}")
        self.stack.append(self.persistent_load(pid))

    # ---------------------------------------------------------------- containers
    def op_append(self) -> None:
        item = self.stack.pop()
        self._list().append(item)

    def op_appends(self) -> None:
        items = self.pop_mark()
        self._list().extend(items)

    def _list(self) -> list:
        target = self.stack[-1]
        if type(target) is not list:
            raise UnpicklingError(f"Can only append to lists, but got {type(target)}")
        return target

    def op_setitem(self) -> None:
        value, key = self.stack.pop(), self.stack.pop()
        self._set(self._dict("SETITEM"), key, value)

    def op_setitems(self) -> None:
        items = self.pop_mark()
        target = self._dict("SETITEMS")
        if len(items) % 2:
            raise UnpicklingError("SETITEMS with an odd number of items")
        for i in range(0, len(items), 2):
            self._set(target, items[i], items[i + 1])

    @staticmethod
    def _set(target: dict, key: Any, value: Any) -> None:
        try:
            target[key] = value
        except TypeError as exc:  # an unhashable key (a list, a dict)
            raise UnpicklingError(f"a dict key is not hashable: {exc}") from None

    def _dict(self, opcode: str) -> dict:
        target = self.stack[-1]
        if type(target) not in (dict, OrderedDict, Counter):
            raise UnpicklingError(f"Can only {opcode} for dict, collections.OrderedDict, "
                                  f"collections.Counter, but got {type(target)}")
        return target

    def op_mark(self) -> None:
        self.metastack.append(self.stack)
        self.stack = []

    def op_tuple(self) -> None:
        items = tuple(self.pop_mark())  # first: it switches self.stack back to the outer list
        self.stack.append(items)

    def op_tuple_n(self, n: int) -> None:
        items = tuple(self.stack[-n:]) if n else ()
        if len(items) != n:
            raise IndexError("stack underflow")
        del self.stack[len(self.stack) - n:]
        self.stack.append(items)

    # ---------------------------------------------------------------- values and memo
    def op_binunicode(self) -> None:
        (n,) = struct.unpack("<I", self.read(4))
        self.stack.append(str(self.read(n), "utf-8", "surrogatepass"))

    def op_short_binstring(self) -> None:
        n = self.read(1)[0]
        self.stack.append(self.read(n).decode("utf-8"))

    def op_long1(self) -> None:
        n = self.read(1)[0]
        self.stack.append(int.from_bytes(self.read(n), "little", signed=True))

    def op_get(self, fmt: str, size: int) -> None:
        (i,) = struct.unpack(fmt, self.read(size))
        self.stack.append(self.memo[i])

    def op_put(self, fmt: str, size: int) -> None:
        (i,) = struct.unpack(fmt, self.read(size))
        self.memo[i] = self.stack[-1]

    def op_proto(self) -> None:
        if self.read(1)[0] > 5:
            raise UnpicklingError("unsupported pickle protocol")


def _push(value: Callable[[], Any]) -> Callable[[WeightsUnpickler], None]:
    return lambda u: u.stack.append(value())


def _unpack(fmt: str, size: int) -> Callable[[WeightsUnpickler], None]:
    return lambda u: u.stack.append(struct.unpack(fmt, u.read(size))[0])


_OPS: dict[bytes, Callable[[WeightsUnpickler], None]] = {
    b"c": WeightsUnpickler.op_global, b"R": WeightsUnpickler.op_reduce,
    b"\x81": WeightsUnpickler.op_newobj, b"b": WeightsUnpickler.op_build,
    b"Q": WeightsUnpickler.op_persid, b"a": WeightsUnpickler.op_append,
    b"e": WeightsUnpickler.op_appends, b"s": WeightsUnpickler.op_setitem,
    b"u": WeightsUnpickler.op_setitems, b"(": WeightsUnpickler.op_mark,
    b"t": WeightsUnpickler.op_tuple, b"\x85": lambda u: u.op_tuple_n(1),
    b"\x86": lambda u: u.op_tuple_n(2), b"\x87": lambda u: u.op_tuple_n(3),
    b"N": _push(lambda: None), b"\x89": _push(lambda: False), b"\x88": _push(lambda: True),
    b")": _push(tuple), b"]": _push(list), b"}": _push(dict), b"\x8f": _push(set),
    b"J": _unpack("<i", 4), b"K": _unpack("<B", 1), b"M": _unpack("<H", 2),
    b"G": _unpack(">d", 8), b"X": WeightsUnpickler.op_binunicode,
    b"U": WeightsUnpickler.op_short_binstring, b"\x8a": WeightsUnpickler.op_long1,
    b"h": lambda u: u.op_get("<B", 1), b"j": lambda u: u.op_get("<I", 4),
    b"q": lambda u: u.op_put("<B", 1), b"r": lambda u: u.op_put("<I", 4),
    b"\x80": WeightsUnpickler.op_proto,
}
