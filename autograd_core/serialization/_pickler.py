"""A pickle (protocol 2) writer that names our objects as PyTorch does, and nothing else.

`save` writes only what `load` (and `torch.load(weights_only=True)`) reads back: None,
bools, ints, floats, complex numbers, strings, bytes, tuples, lists, dicts, OrderedDicts,
Counters, sets (numpy scalars as the Python values they hold), and what `reduce` turns
into a `Reduce` (tensors, dtypes, devices, sizes). Our objects are written under PyTorch's
names (`torch._utils._rebuild_tensor_v2`, `torch FloatStorage`), which the standard pickler
cannot do: it insists a name imports back to the very object it pickles.
"""

from __future__ import annotations

import pickle
import struct
from collections import Counter, OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["Global", "PersistentId", "Reduce", "write_pickle"]

_BATCH = 1000  # items per SETITEMS/APPENDS, as the standard pickler batches them


class Global:
    """A `module name` reference written with the GLOBAL opcode."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module = module
        self.name = name


class Reduce:
    """`func(*args)` on load, then `state` set on the result with BUILD when given."""

    __slots__ = ("args", "func", "state")

    def __init__(self, func: Global, args: tuple, state: Any = None) -> None:
        self.func = func
        self.args = args
        self.state = state


class PersistentId:
    """A tuple written with BINPERSID: the reader resolves it (a storage record)."""

    __slots__ = ("value",)

    def __init__(self, value: tuple) -> None:
        self.value = value


def _encode_long(x: int) -> bytes:
    """Two's complement, little-endian, fewest bytes (the standard pickler's encode_long)."""
    if x == 0:
        return b""
    n = (x.bit_length() >> 3) + 1
    raw = x.to_bytes(n, "little", signed=True)
    if x < 0 and n > 1 and raw[-1] == 0xFF and raw[-2] & 0x80:
        raw = raw[:-1]
    return raw


class _Writer:
    def __init__(self, reduce: Callable[[Any], Reduce | Global | None]) -> None:
        self.out: list[bytes] = []
        self.memo: dict[Any, int] = {}
        self.keep: list[Any] = []  # memo keys are ids: keep their objects alive
        self.reduce = reduce
        self.open_tuples: set[int] = set()

    def put(self, key: Any, obj: Any) -> None:
        i = len(self.memo)
        self.memo[key] = i
        self.keep.append(obj)
        self.out.append(b"q" + bytes([i]) if i < 256 else b"r" + struct.pack("<I", i))

    def get(self, key: Any) -> bool:
        i = self.memo.get(key)
        if i is None:
            return False
        self.out.append(b"h" + bytes([i]) if i < 256 else b"j" + struct.pack("<I", i))
        return True

    def save(self, obj: Any) -> None:
        t = type(obj)
        if obj is None:
            self.out.append(b"N")
        elif t is bool:
            self.out.append(b"\x88" if obj else b"\x89")
        elif t is int:
            self.save_int(obj)
        elif t is float:
            self.out.append(b"G" + struct.pack(">d", obj))
        elif isinstance(obj, np.generic) and obj.dtype.kind in "biufcUS":
            self.save(obj.item())  # a numpy scalar is written as the Python value it holds
        elif self.get(id(obj)):
            pass
        elif t is str:
            raw = obj.encode("utf-8", "surrogatepass")
            if len(raw) > 0xFFFFFFFF:
                raise pickle.PicklingError("save(): a string longer than 4 GiB")
            self.out.append(b"X" + struct.pack("<I", len(raw)) + raw)
            self.put(id(obj), obj)
        elif t is tuple:
            self.save_tuple(obj)
        elif t is list:
            self.out.append(b"]")
            self.put(id(obj), obj)
            self.save_items(obj, b"a", b"e")
        elif t is dict:
            self.out.append(b"}")
            self.put(id(obj), obj)
            self.save_pairs(obj)
        else:
            self.save_reduced(obj)

    def save_int(self, x: int) -> None:
        if 0 <= x < 256:
            self.out.append(b"K" + bytes([x]))
        elif 0 <= x < 65536:
            self.out.append(b"M" + struct.pack("<H", x))
        elif -(2**31) <= x < 2**31:
            self.out.append(b"J" + struct.pack("<i", x))
        else:
            raw = _encode_long(x)
            if len(raw) > 255:  # LONG4 is not an opcode PyTorch's weights-only reader has
                raise pickle.PicklingError("save(): an int wider than 2040 bits")
            self.out.append(b"\x8a" + bytes([len(raw)]) + raw)

    def save_tuple(self, obj: tuple) -> None:
        if not obj:
            self.out.append(b")")
            return
        if id(obj) in self.open_tuples:
            raise pickle.PicklingError("save(): a tuple that contains itself")
        self.open_tuples.add(id(obj))
        if len(obj) > 3:
            self.out.append(b"(")
        for item in obj:
            self.save(item)
        self.open_tuples.discard(id(obj))
        self.out.append(b"t" if len(obj) > 3 else b"\x85\x86\x87"[len(obj) - 1:len(obj)])
        self.put(id(obj), obj)

    def save_items(self, items: Any, one: bytes, many: bytes) -> None:
        batch: list[Any] = []
        for item in items:
            batch.append(item)
            if len(batch) == _BATCH:
                self.flush_items(batch, one, many)
                batch = []
        self.flush_items(batch, one, many)

    def flush_items(self, batch: list[Any], one: bytes, many: bytes) -> None:
        if len(batch) == 1:
            self.save(batch[0])
            self.out.append(one)
        elif batch:
            self.out.append(b"(")
            for item in batch:
                self.save(item)
            self.out.append(many)

    def save_pairs(self, mapping: dict) -> None:
        pairs = list(mapping.items())
        for i in range(0, len(pairs), _BATCH):
            batch = pairs[i:i + _BATCH]
            if len(batch) > 1:
                self.out.append(b"(")
            for key, value in batch:
                self.save(key)
                self.save(value)
            self.out.append(b"s" if len(batch) == 1 else b"u")

    def save_global(self, g: Global) -> None:
        key = ("global", g.module, g.name)
        if not self.get(key):
            self.out.append(b"c" + f"{g.module}\n{g.name}\n".encode())
            self.put(key, g)

    def save_reduced(self, obj: Any) -> None:
        t = type(obj)
        if t is Global:
            self.save_global(obj)
            return
        if t is PersistentId:
            self.save(obj.value)
            self.out.append(b"Q")
            return
        if t in (OrderedDict, Counter, set, complex, bytes):
            red = _builtin_reduce(obj)
        elif t is Reduce:
            red = obj
        else:
            reduced = self.reduce(obj)
            if reduced is None:
                raise pickle.PicklingError(_refusal(obj))
            if isinstance(reduced, Global):  # a dtype: just the name, memoized as the object
                self.save_global(reduced)
                self.memo[id(obj)] = self.memo[("global", reduced.module, reduced.name)]
                self.keep.append(obj)
                return
            red = reduced
        self.save_global(red.func)
        self.save_tuple(red.args)
        self.out.append(b"R")
        self.put(id(obj), obj)
        if t is OrderedDict:
            self.save_pairs(obj)
        if red.state is not None:
            self.save(red.state)
            self.out.append(b"b")


def _builtin_reduce(obj: Any) -> Reduce:
    """The reductions the standard pickler writes at protocol 2 (with fix_imports)."""
    if type(obj) is OrderedDict:
        return Reduce(Global("collections", "OrderedDict"), (), vars(obj) or None)
    if type(obj) is Counter:
        return Reduce(Global("collections", "Counter"), (dict(obj),))
    if type(obj) is set:
        return Reduce(Global("__builtin__", "set"), (list(obj),))
    if type(obj) is complex:
        return Reduce(Global("__builtin__", "complex"), (obj.real, obj.imag))
    # bytes: as a latin-1 string through _codecs.encode, which weights-only readers accept
    return Reduce(Global("_codecs", "encode"), (obj.decode("latin1"), "latin1"))


def _refusal(obj: Any) -> str:
    kind = type(obj)
    name = f"{kind.__module__}.{kind.__qualname__}"
    hint = ""
    if hasattr(obj, "state_dict"):
        hint = " Save its state_dict() instead, and load that into a new instance."
    return (f"save(): cannot write an object of type {name}. A checkpoint holds tensors, "
            "dicts, lists, tuples, sets, numbers, strings, bytes, dtypes, devices and None: "
            "what load() reads back without running code from the file (PyTorch's "
            f"torch.load(weights_only=True) reads the same).{hint}")


def write_pickle(obj: Any, reduce: Callable[[Any], Reduce | Global | None]) -> bytes:
    """`obj` as protocol-2 pickle bytes; `reduce` maps our objects to `Reduce`/`Global`."""
    w = _Writer(reduce)
    w.out.append(b"\x80\x02")
    w.save(obj)
    w.out.append(b".")
    return b"".join(w.out)
