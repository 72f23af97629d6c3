"""The same call in PyTorch and in autograd_core gives the same result or the same error.

Each row is (description, call) where call(T) runs unchanged with T = torch or T =
autograd_core. Both run; either both return equal values (shape, dtype and elements) or both
raise the same exception class with the same message (only the module name normalised).
Rows are grouped by the class of silent difference they guard against.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd_core as ag

torch = pytest.importorskip("torch")


def _f(T: Any, *shape: int) -> Any:
    """A float32 tensor of `shape` with distinct values (the same in both modules)."""
    n = int(np.prod(shape)) if shape else 1
    return T.tensor(np.arange(1, n + 1, dtype=np.float32).reshape(shape))


def _i(T: Any, *values: int) -> Any:
    return T.tensor(list(values))


def _b(T: Any) -> Any:
    return T.tensor([True, False, True])


Row = tuple[str, Callable[[Any], Any]]

BITWISE: list[Row] = [
    ("~float", lambda T: ~_f(T, 3)),
    ("~double", lambda T: ~_f(T, 3).double()),
    ("~half", lambda T: ~_f(T, 3).half()),
    ("~int", lambda T: ~_i(T, 3, -4, 0)),
    ("~int32", lambda T: ~_i(T, 3, -4).int()),
    ("~bool", lambda T: ~_b(T)),
    ("~empty float", lambda T: ~T.ones(0)),
    ("float & float", lambda T: _f(T, 3) & _f(T, 3)),
    ("float | float", lambda T: _f(T, 3) | _f(T, 3)),
    ("float ^ float", lambda T: _f(T, 3) ^ _f(T, 3)),
    ("float & int", lambda T: _f(T, 2) & _i(T, 1, 2)),
    ("int & float", lambda T: _i(T, 1, 2) & _f(T, 2)),
    ("int & 1.5", lambda T: _i(T, 1, 2) & 1.5),
    ("float & 1", lambda T: _f(T, 2) & 1),
    ("1 & float", lambda T: 1 & _f(T, 2)),
    ("bool & float", lambda T: _b(T) & _f(T, 3)),
    ("double | 1", lambda T: _f(T, 2).double() | 1),
    ("complex & 1", lambda T: T.ones(2, dtype=T.complex64) & 1),
    ("float requiring grad & 1", lambda T: T.ones(2, requires_grad=True) & 1),
    ("int & int", lambda T: _i(T, 12, -7) & _i(T, 10, 3)),
    ("int | int", lambda T: _i(T, 12, -7) | _i(T, 10, 3)),
    ("int ^ int", lambda T: _i(T, 12, -7) ^ _i(T, 10, 3)),
    ("int & bool", lambda T: _i(T, 3, 4, 5) & _b(T)),
    ("int64 & int32", lambda T: _i(T, 3, 4) & _i(T, 1, 5).int()),
    ("bool & bool", lambda T: _b(T) & T.tensor([True, True, False])),
    ("bool ^ True", lambda T: _b(T) ^ True),
    ("bool ^ 1", lambda T: _b(T) ^ 1),
    ("3 ^ bool", lambda T: 3 ^ _b(T)),
    ("True & int", lambda T: True & _i(T, 3, 4)),
    ("int & list", lambda T: _i(T, 3, 4) & [1, 2]),
    ("int | str", lambda T: _i(T, 3, 4) | "a"),
    ("bitwise_not(float)", lambda T: T.bitwise_not(_f(T, 2))),
    ("bitwise_not(bool)", lambda T: T.bitwise_not(_b(T))),
    ("bitwise_and(float, float)", lambda T: T.bitwise_and(_f(T, 2), _f(T, 2))),
    ("bitwise_or(int, 2)", lambda T: T.bitwise_or(_i(T, 1, 4), 2)),
    ("bitwise_xor(2, int)", lambda T: T.bitwise_xor(2, _i(T, 1, 4))),
    ("x.bitwise_not()", lambda T: _i(T, 3, -4).bitwise_not()),
    ("x.bitwise_not_() float", lambda T: _f(T, 2).bitwise_not_()),
    ("x.bitwise_and_(1)", lambda T: _i(T, 3, -4).bitwise_and_(1)),
    ("int &= 1", lambda T: _iop(_i(T, 3, -4), "__iand__", 1)),
    ("bool &= int", lambda T: _iop(_b(T), "__iand__", _i(T, 1, 2, 3))),
    ("bool |= 1", lambda T: _iop(_b(T), "__ior__", 1)),
    ("float <<", lambda T: _f(T, 2) << 1),
    ("int << 1", lambda T: _i(T, 3, -4) << 1),
    ("int >> 1", lambda T: _i(T, 3, -4) >> 1),
    ("int << 1.5", lambda T: _i(T, 3, -4) << 1.5),
    ("float >> int", lambda T: _f(T, 2) >> _i(T, 1, 2)),
    ("1 << int", lambda T: 1 << _i(T, 3, 4)),
    ("bool << 1", lambda T: _b(T) << 1),
    ("bool << bool", lambda T: _b(T) << _b(T)),
    ("int << bool", lambda T: _i(T, 3, 4, 5) << _b(T)),
    ("int << 70", lambda T: _i(T, 3, -4) << 70),
    ("int >> 70", lambda T: _i(T, 3, -4) >> 70),
    ("int32 << 40", lambda T: _i(T, 3, -4).int() << 40),
    ("int8 << 7", lambda T: T.tensor([3], dtype=T.int8) << 7),
    ("bitwise_left_shift(float, 1)", lambda T: T.bitwise_left_shift(_f(T, 2), 1)),
    ("bitwise_right_shift(int, 1)", lambda T: T.bitwise_right_shift(_i(T, 9, -9), 1)),
    ("int <<= 2", lambda T: _iop(_i(T, 3, -4), "__ilshift__", 2)),
    ("logical_not(float)", lambda T: T.logical_not(_f(T, 2))),
    ("logical_and(float, int)", lambda T: T.logical_and(_f(T, 2), _i(T, 0, 1))),
]


def _iop(t: Any, name: str, other: Any) -> Any:
    """An augmented assignment `t op= other`, returning what Python would bind to t."""
    return getattr(t, name)(other)


INTEGER_DIVISION: list[Row] = [
    ("int // 0", lambda T: _i(T, 7, -7) // 0),
    ("int // zeros", lambda T: _i(T, 7, -7) // _i(T, 0, 1)),
    ("int % 0", lambda T: _i(T, 7, -7) % 0),
    ("fmod(int, 0)", lambda T: T.fmod(_i(T, 7, -7), 0)),
    ("remainder(int, zeros)", lambda T: T.remainder(_i(T, 7, -7), _i(T, 0, 1))),
    ("div floor int 0", lambda T: T.div(_i(T, 7, -7), 0, rounding_mode="floor")),
    ("div trunc int 0", lambda T: T.div(_i(T, 7, -7), 0, rounding_mode="trunc")),
    ("div trunc int", lambda T: T.div(_i(T, 7, -7), 2, rounding_mode="trunc")),
    ("div trunc int by int", lambda T: T.div(_i(T, 7, -7), _i(T, 2, -2),
                                             rounding_mode="trunc")),
    ("div floor int", lambda T: T.div(_i(T, 7, -7), 2, rounding_mode="floor")),
    ("div int (true)", lambda T: T.div(_i(T, 7, -7), 2)),
    ("div int by 0 (true)", lambda T: T.div(_i(T, 7, -7), 0)),
    ("div trunc float", lambda T: T.div(_f(T, 3) - 2.5, 2, rounding_mode="trunc")),
    ("div trunc float 0", lambda T: T.div(_f(T, 3) - 2, 0, rounding_mode="trunc")),
    ("div floor float 0", lambda T: T.div(_f(T, 3) - 2, 0, rounding_mode="floor")),
    ("div bad rounding mode", lambda T: T.div(_i(T, 7), 2, rounding_mode="round")),
    ("int // 0.0", lambda T: _i(T, 7, -7) // 0.0),
    ("float // 0", lambda T: (_f(T, 3) - 2) // 0),
    ("float % 0", lambda T: _f(T, 2) % 0),
    ("fmod(float, 0)", lambda T: T.fmod(_f(T, 2), 0)),
    ("bool // bool", lambda T: _b(T) // _b(T)),
    ("bool % bool", lambda T: _b(T) % _b(T)),
    ("fmod(bool, bool)", lambda T: T.fmod(_b(T), _b(T))),
    ("bool // 1", lambda T: _b(T) // 1),
    ("5 // zeros", lambda T: 5 // _i(T, 0, 1)),
    ("5 % zeros", lambda T: 5 % _i(T, 0, 1)),
    ("int % -3", lambda T: _i(T, 7, -7) % -3),
    ("fmod(int, -3)", lambda T: T.fmod(_i(T, 7, -7), -3)),
    ("uint8 // 0", lambda T: T.tensor([1], dtype=T.uint8) // 0),
    ("empty int // 0", lambda T: T.tensor([], dtype=T.long) // 0),
    ("int // 0-d zero", lambda T: _i(T, 7, -7) // T.tensor(0)),
    ("x.floor_divide_(0)", lambda T: _i(T, 7, -7).floor_divide_(0)),
    ("x.remainder_(3)", lambda T: _i(T, 7, -7).remainder_(3)),
    ("int //= 0", lambda T: _iop(_i(T, 7, -7), "__ifloordiv__", 0)),
]



def _m(T: Any, dtype: str, *shape: int) -> Any:
    """A tensor of ones of `shape` in dtype `dtype` (a name both modules know)."""
    return T.ones(*shape, dtype=getattr(T, dtype))


def _lin(T: Any, x: Any, w: Any, b: Any = None) -> Any:
    return T.nn.functional.linear(x, w, b)


MATRIX_PRODUCTS: list[Row] = [
    ("matmul float @ double", lambda T: _m(T, "float32", 2, 3) @ _m(T, "float64", 3, 4)),
    ("matmul double @ float", lambda T: _m(T, "float64", 2, 3) @ _m(T, "float32", 3, 4)),
    ("matmul float @ long", lambda T: _m(T, "float32", 2, 3) @ _m(T, "int64", 3, 4)),
    ("matmul long @ float", lambda T: _m(T, "int64", 2, 3) @ _m(T, "float32", 3, 4)),
    ("matmul int32 @ long", lambda T: _m(T, "int32", 2, 3) @ _m(T, "int64", 3, 4)),
    ("matmul half @ float", lambda T: _m(T, "float16", 2, 3) @ _m(T, "float32", 3, 4)),
    ("matmul uint8 @ float", lambda T: _m(T, "uint8", 2, 3) @ _m(T, "float32", 3, 4)),
    ("matmul int8 @ float", lambda T: _m(T, "int8", 2, 3) @ _m(T, "float32", 3, 4)),
    ("matmul int16 @ float", lambda T: _m(T, "int16", 2, 3) @ _m(T, "float32", 3, 4)),
    ("matmul bool @ float", lambda T: _m(T, "bool", 2, 3) @ _m(T, "float32", 3, 4)),
    ("matmul long @ long", lambda T: _m(T, "int64", 2, 3) @ _m(T, "int64", 3, 4)),
    ("matmul bool @ bool", lambda T: _m(T, "bool", 2, 3) @ _m(T, "bool", 3, 4)),
    ("matmul bool 1-D", lambda T: _m(T, "bool", 3) @ _m(T, "bool", 3)),
    ("matmul bool 3-D", lambda T: _m(T, "bool", 1, 2, 3) @ _m(T, "bool", 1, 3, 2)),
    ("matmul bool 2-D @ 1-D", lambda T: _m(T, "bool", 2, 3) @ _m(T, "bool", 3)),
    ("matmul 1-D float @ 1-D double", lambda T: _m(T, "float32", 3) @ _m(T, "float64", 3)),
    ("matmul 2-D float @ 1-D double", lambda T: _m(T, "float32", 2, 3) @ _m(T, "float64", 3)),
    ("matmul 2-D double @ 1-D float", lambda T: _m(T, "float64", 2, 3) @ _m(T, "float32", 3)),
    ("matmul 1-D float @ 2-D double", lambda T: _m(T, "float32", 3) @ _m(T, "float64", 3, 2)),
    ("matmul 3-D float @ 3-D double",
     lambda T: _m(T, "float32", 1, 2, 3) @ _m(T, "float64", 1, 3, 2)),
    ("matmul 3-D double @ 2-D float",
     lambda T: _m(T, "float64", 1, 2, 3) @ _m(T, "float32", 3, 2)),
    ("matmul 2-D float @ 3-D double",
     lambda T: _m(T, "float32", 2, 3) @ _m(T, "float64", 1, 3, 2)),
    ("matmul 3-D float @ 1-D double",
     lambda T: _m(T, "float32", 1, 2, 3) @ _m(T, "float64", 3)),
    ("matmul 4-D float @ 3-D double",
     lambda T: _m(T, "float32", 2, 1, 2, 3) @ _m(T, "float64", 1, 3, 2)),
    ("mm float double", lambda T: T.mm(_m(T, "float32", 2, 3), _m(T, "float64", 3, 4))),
    ("bmm float double",
     lambda T: T.bmm(_m(T, "float32", 1, 2, 3), _m(T, "float64", 1, 3, 2))),
    ("bmm long float", lambda T: T.bmm(_m(T, "int64", 1, 2, 3), _m(T, "float32", 1, 3, 2))),
    ("bmm bool", lambda T: T.bmm(_m(T, "bool", 1, 2, 2), _m(T, "bool", 1, 2, 2))),
    ("mv float double", lambda T: T.mv(_m(T, "float32", 2, 3), _m(T, "float64", 3))),
    ("mv bool", lambda T: T.mv(_m(T, "bool", 2, 2), _m(T, "bool", 2))),
    ("mv size", lambda T: T.mv(_m(T, "float32", 2, 3), _m(T, "float32", 2))),
    ("mv", lambda T: T.mv(_f(T, 2, 3), _f(T, 3))),
    ("dot float double", lambda T: T.dot(_m(T, "float64", 2), _m(T, "float32", 2))),
    ("dot float long", lambda T: T.dot(_m(T, "float32", 2), _m(T, "int64", 2))),
    ("dot 2-D", lambda T: T.dot(_m(T, "float32", 2, 2), _m(T, "float32", 2))),
    ("outer float double (promotes)",
     lambda T: T.outer(_m(T, "float32", 2), _m(T, "float64", 3))),
    ("addmm bias double", lambda T: T.addmm(_m(T, "float64", 2, 2), _m(T, "float32", 2, 3),
                                            _m(T, "float32", 3, 2))),
    ("addmm mat1 double", lambda T: T.addmm(_m(T, "float32", 2, 2), _m(T, "float64", 2, 3),
                                            _m(T, "float32", 3, 2))),
    ("addmm mat2 double", lambda T: T.addmm(_m(T, "float32", 2, 2), _m(T, "float32", 2, 3),
                                            _m(T, "float64", 3, 2))),
    ("addmm 1-D mat1", lambda T: T.addmm(_m(T, "float32", 2), _m(T, "float32", 3),
                                         _m(T, "float32", 3, 2))),
    ("addmm bias does not expand", lambda T: T.addmm(_m(T, "float32", 3), _f(T, 2, 3),
                                                     _f(T, 3, 2))),
    ("addmm", lambda T: T.addmm(_f(T, 2), _f(T, 2, 3), _f(T, 3, 2), beta=0.5, alpha=2)),
    ("einsum contraction float double",
     lambda T: T.einsum("ij,jk->ik", _m(T, "float64", 2, 3), _m(T, "float32", 3, 2))),
    ("einsum contraction float long",
     lambda T: T.einsum("ij,jk->ik", _m(T, "float32", 2, 3), _m(T, "int64", 3, 2))),
    ("einsum three operands", lambda T: T.einsum("ij,jk,kl->il", _m(T, "float32", 2, 3),
                                                 _m(T, "float32", 3, 2),
                                                 _m(T, "float64", 2, 2))),
    ("einsum elementwise promotes",
     lambda T: T.einsum("i,i->i", _m(T, "float32", 2), _m(T, "float64", 2))),
    ("einsum outer promotes",
     lambda T: T.einsum("i,j->ij", _m(T, "float32", 2), _m(T, "float64", 2))),
    ("einsum bool contraction",
     lambda T: T.einsum("ij,jk->ik", _m(T, "bool", 2, 2), _m(T, "bool", 2, 2))),
    ("einsum long", lambda T: T.einsum("ij,jk->ik", _m(T, "int64", 2, 3),
                                       _m(T, "int64", 3, 2))),
    ("linear float x double W", lambda T: _lin(T, _m(T, "float32", 2, 3),
                                               _m(T, "float64", 4, 3))),
    ("linear double x float W", lambda T: _lin(T, _m(T, "float64", 2, 3),
                                               _m(T, "float32", 4, 3))),
    ("linear 1-D double x", lambda T: _lin(T, _m(T, "float64", 3), _m(T, "float32", 4, 3))),
    ("linear 3-D float x double W", lambda T: _lin(T, _m(T, "float32", 5, 2, 3),
                                                   _m(T, "float64", 4, 3))),
    ("linear double bias", lambda T: _lin(T, _m(T, "float32", 2, 3), _m(T, "float32", 4, 3),
                                          _m(T, "float64", 4))),
    ("linear double x with bias", lambda T: _lin(T, _m(T, "float64", 2, 3),
                                                 _m(T, "float32", 4, 3),
                                                 _m(T, "float32", 4))),
    ("linear 3-D double x with bias", lambda T: _lin(T, _m(T, "float64", 5, 2, 3),
                                                     _m(T, "float32", 4, 3),
                                                     _m(T, "float32", 4))),
    ("linear double W with bias", lambda T: _lin(T, _m(T, "float32", 2, 3),
                                                 _m(T, "float64", 4, 3),
                                                 _m(T, "float32", 4))),
    ("linear bool", lambda T: _lin(T, _m(T, "bool", 2, 2), _m(T, "bool", 2, 2))),
    ("linear long", lambda T: _lin(T, _m(T, "int64", 2, 3), _m(T, "int64", 4, 3))),
    ("nn.Linear on double input", lambda T: _seeded_linear(T)(_m(T, "float64", 2, 3)).shape),
]


def _seeded_linear(T: Any) -> Any:
    T.manual_seed(0)
    return T.nn.Linear(3, 4)




def _x(T: Any) -> Any:
    return _f(T, 2, 3)


def _written_through(T: Any, make_view: Callable[[Any], Any]) -> Any:
    """Write through a view and return the base: a copy would leave the base unchanged."""
    base = _f(T, 2, 3, 4)
    make_view(base).mul_(-1)
    return base


VIEWS: list[Row] = [
    ("view of transposed", lambda T: _x(T).t().view(6)),
    ("view of expanded", lambda T: T.ones(3, 1).expand(3, 4).view(12)),
    ("view of strided slice", lambda T: _x(T)[:, ::2].view(4)),
    ("view of permuted 3-D", lambda T: _f(T, 2, 3, 4).permute(2, 0, 1).view(4, 6)),
    ("view of transposed (possible)", lambda T: _x(T).t().view(3, 1, 2)),
    ("stride of a possible view of transposed", lambda T: _x(T).t().view(3, 1, 2).stride()),
    ("stride of a view of 4-D transposed",
     lambda T: _f(T, 2, 3, 4).transpose(0, 2).view(4, 3, 2, 1).stride()),
    ("stride of a view of expanded", lambda T: T.ones(3, 1).expand(3, 4).view(3, 2, 2).stride()),
    ("stride of a view of a column", lambda T: _x(T)[:, :1].view(2).stride()),
    ("view writes reach the base (transposed split)",
     lambda T: _written_through(T, lambda b: b.transpose(1, 2).view(2, 2, 2, 3))),
    ("view writes reach the base (merge contiguous dims of a slice)",
     lambda T: _written_through(T, lambda b: b[:, 1:].view(2, 8))),
    ("view writes reach the base (permuted, unflatten)",
     lambda T: _written_through(T, lambda b: b.permute(2, 0, 1).view(2, 2, 2, 3))),
    ("view_as of transposed", lambda T: _x(T).t().view_as(T.ones(6))),
    ("reshape of transposed copies", lambda T: _x(T).t().reshape(6)),
    ("reshape_as of transposed", lambda T: _x(T).t().reshape_as(T.ones(6))),
    ("x.t().stride()", lambda T: _x(T).t().stride()),
    ("x.t().stride(0)", lambda T: _x(T).t().stride(0)),
    ("x.stride(-1)", lambda T: _x(T).stride(-1)),
    ("x.stride(2)", lambda T: _x(T).stride(2)),
    ("x.stride(-3)", lambda T: _x(T).stride(-3)),
    ("expanded stride", lambda T: T.ones(3, 1).expand(3, 4).stride()),
    ("x.t().is_contiguous()", lambda T: _x(T).t().is_contiguous()),
    ("x.t().contiguous().is_contiguous()", lambda T: _x(T).t().contiguous().is_contiguous()),
    ("view(2.5, 2)", lambda T: _x(T).view(2.5, 2)),
    ("view((2.5, 2))", lambda T: _x(T).view((2.5, 2))),
    ("view([2.5, 2])", lambda T: _x(T).view([2.5, 2])),
    ("view(3, 2.0)", lambda T: _x(T).view(3, 2.0)),
    ("view([3, 2.0])", lambda T: _x(T).view([3, 2.0])),
    ("view(2.5)", lambda T: _x(T).view(2.5)),
    ("view('a')", lambda T: _x(T).view("a")),
    ("view(None)", lambda T: _x(T).view(None)),
    ("view(True, 6)", lambda T: _x(T).view(True, 6)),
    ("view(3, True)", lambda T: _x(T).view(3, True)),
    ("view((3, 'a'))", lambda T: _x(T).view((3, "a"))),
    ("view(numpy int)", lambda T: _x(T).view(np.int64(6))),
    ("view(int tensor)", lambda T: _x(T).view(T.tensor(6))),
    ("view(float tensor)", lambda T: _x(T).view(T.tensor(6.0))),
    ("reshape((2.5, 2))", lambda T: _x(T).reshape((2.5, 2))),
    ("reshape(3, 2.0)", lambda T: _x(T).reshape(3, 2.0)),
    ("reshape(2.5)", lambda T: _x(T).reshape(2.5)),
    ("reshape(2.5, 2)", lambda T: _x(T).reshape(2.5, 2)),
    ("torch.reshape(x, [2.5, 2])", lambda T: _x(T).reshape([2.5, 2])),
    ("expand(2.5, 3)", lambda T: _x(T).expand(2.5, 3)),
    ("expand((2.5, 3))", lambda T: _x(T).expand((2.5, 3))),
    ("expand(2, 3.0)", lambda T: _x(T).expand(2, 3.0)),
    ("permute((0.5, 1))", lambda T: _x(T).permute((0.5, 1))),
    ("permute(0.5, 1)", lambda T: _x(T).permute(0.5, 1)),
    ("repeat(1, 1.5)", lambda T: _x(T).repeat(1, 1.5)),
    ("flip(0.5)", lambda T: _x(T).flip(0.5)),
    ("view(-2, 3)", lambda T: _x(T).view(-2, 3)),
    ("view(-1, -1)", lambda T: _x(T).view(-1, -1)),
    ("view(0, -1)", lambda T: _x(T).view(0, -1)),
    ("empty view(0, -1)", lambda T: T.ones(0, 3).view(0, -1)),
    ("empty view(-1, 0)", lambda T: T.ones(0, 3).view(-1, 0)),
    ("empty view(3, 0)", lambda T: T.ones(0, 3).view(3, 0)),
    ("view(dtype int32)", lambda T: _x(T).view(T.int32)),
    ("view(dtype int64) odd last dim", lambda T: _x(T).view(T.int64)),
    ("view(dtype float16)", lambda T: _x(T).view(T.float16)),
    ("view(dtype int16) of uint8", lambda T: T.ones(2, 3, dtype=T.uint8).view(T.int16)),
    ("view(dtype float16) of transposed", lambda T: _x(T).t().view(T.float16)),
    ("view(dtype int32) of transposed", lambda T: _x(T).t().view(T.int32)),
    ("view(dtype float16) of 0-d", lambda T: T.tensor(1.0).view(T.float16)),
    ("view(dtype) does not require grad",
     lambda T: T.ones(2, requires_grad=True).view(T.int32).requires_grad),
    ("view(dtype) shares memory", lambda T: _view_dtype_write(T)),
    ("in-place on a reshape copy of a leaf", lambda T: _inplace_on(T, lambda x: x.t().reshape(6))),
    ("in-place on a flatten copy of a leaf", lambda T: _inplace_on(T, lambda x: x.t().flatten())),
    ("in-place on a view of a leaf", lambda T: _inplace_on(T, lambda x: x.view(6))),
    ("in-place on a strided view of a leaf",
     lambda T: _inplace_on(T, lambda x: x.t().view(3, 1, 2))),
    ("gradient through an in-place write to a view of transposed",
     lambda T: _grad_through_view(T, lambda b: b.t().view(3, 1, 2).mul_(3))),
    ("gradient through an in-place write to a permuted view",
     lambda T: _grad_through_view(T, lambda b: b.permute(1, 0).view(3, 2)[0].zero_())),
    ("gradient through an in-place write to a reshape copy",
     lambda T: _grad_through_view(T, lambda b: b.t().reshape(6).mul_(5))),
]


def _inplace_on(T: Any, make: Callable[[Any], Any]) -> Any:
    """An in-place op on a view/copy of a leaf that requires grad, then backward."""
    x = T.ones(2, 3, requires_grad=True)
    y = make(x)
    y.mul_(2)
    y.sum().backward()
    return x.grad


def _grad_through_view(T: Any, write: Callable[[Any], Any]) -> tuple:
    """(x.grad, b) after an in-place write through a view of b = x * 1, then backward of b**2."""
    x = T.arange(6.0).reshape(2, 3).detach().requires_grad_()
    b = x * 1
    write(b)
    (b * b).sum().backward()
    return x.grad, b


def _same_ptr(T: Any, make: Callable[[Any], Any]) -> bool:
    x = T.ones(4, 3)
    return make(x).data_ptr() == x.data_ptr()


def _view_dtype_write(T: Any) -> Any:
    x = T.zeros(2)
    x.view(T.int32).fill_(1065353216)  # the bits of 1.0f
    return x




def _e(T: Any) -> Any:
    return T.ones(0, 3)


def _nan_ties(T: Any) -> Any:
    return T.tensor([[3.0, float("nan"), 1.0, 3.0], [0.0, -1.0, 2.0, 2.0]])


def _grad_of(T: Any, f: Callable[[Any], Any]) -> Any:
    x = T.tensor([0.5, -1.0, 2.0], requires_grad=True)
    f(x).sum().backward()
    return x.grad


EMPTY_REDUCTIONS_AND_SPLITS: list[Row] = [
    ("cat([])", lambda T: T.cat([])),
    ("concat([])", lambda T: T.concat([])),
    ("concatenate([])", lambda T: T.concatenate([])),
    ("stack([])", lambda T: T.stack([])),
    ("hstack([])", lambda T: T.hstack([])),
    ("vstack([])", lambda T: T.vstack([])),
    ("row_stack([])", lambda T: T.row_stack([])),
    ("dstack([])", lambda T: T.dstack([])),
    ("column_stack([])", lambda T: T.column_stack([])),
    ("max() of empty", lambda T: _e(T).max()),
    ("max(0) of empty", lambda T: _e(T).max(0)),
    ("max(dim=0) of empty", lambda T: _e(T).max(dim=0)),
    ("max(1) of empty", lambda T: _e(T).max(1)),
    ("max(-2) of empty", lambda T: _e(T).max(-2)),
    ("min(0) of empty", lambda T: _e(T).min(0)),
    ("min() of empty", lambda T: _e(T).min()),
    ("argmax() of empty", lambda T: _e(T).argmax()),
    ("argmax(0) of empty", lambda T: _e(T).argmax(0)),
    ("argmax(1) of empty", lambda T: _e(T).argmax(1)),
    ("argmin(0) of empty", lambda T: _e(T).argmin(0)),
    ("amax() of empty", lambda T: _e(T).amax()),
    ("amax(0) of empty", lambda T: _e(T).amax(0)),
    ("amax(1) of empty", lambda T: _e(T).amax(1)),
    ("amin((0, 1)) of empty", lambda T: _e(T).amin((0, 1))),
    ("kthvalue(1, 0) of empty", lambda T: _e(T).kthvalue(1, 0)),
    ("kthvalue(1, 1) of empty", lambda T: _e(T).kthvalue(1, 1)),
    ("kthvalue(1) of (3, 0)", lambda T: T.ones(3, 0).kthvalue(1)),
    ("kthvalue k too large", lambda T: _f(T, 2, 3).kthvalue(4, 1)),
    ("kthvalue k = 0", lambda T: _f(T, 2, 3).kthvalue(0, -1)),
    ("kthvalue", lambda T: T.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, -1.0]]).kthvalue(2)),
    ("kthvalue keepdim", lambda T: T.tensor([[3.0, 1.0], [0.0, 5.0]]).kthvalue(1, 0, True)),
    ("kthvalue with NaN", lambda T: T.tensor([3.0, float("nan"), 2.0]).kthvalue(3)),
    ("kthvalue of 0-d", lambda T: T.tensor(2.0).kthvalue(1)),
    ("kthvalue of 0-d k = 2", lambda T: T.tensor(2.0).kthvalue(2)),
    ("sort with NaN and ties", lambda T: _nan_ties(T).sort()),
    ("sort descending with NaN and ties", lambda T: _nan_ties(T).sort(descending=True)),
    ("sort along dim 0", lambda T: _nan_ties(T).sort(0)),
    ("argsort descending", lambda T: _nan_ties(T).argsort(dim=1, descending=True)),
    ("sort of bool", lambda T: T.tensor([True, False]).sort()),
    ("sort of 0-d", lambda T: T.tensor(2.0).sort()),
    ("sort of empty", lambda T: _e(T).sort(0)),
    ("sort gradient", lambda T: _grad_of(T, lambda x: x.sort(descending=True).values * _f(T, 3))),
    ("topk", lambda T: T.tensor([[3.0, 1.0, 2.0], [0.0, -1.0, 5.0]]).topk(2)),
    ("topk smallest", lambda T: T.tensor([[3.0, 1.0, 2.0], [0.0, -1.0, 5.0]]).topk(2,
                                                                                 largest=False)),
    ("topk k too large", lambda T: _f(T, 2, 3).topk(4)),
    ("topk k = -1", lambda T: _f(T, 2, 3).topk(-1)),
    ("topk k = 0", lambda T: _f(T, 2, 3).topk(0)),
    ("topk of empty rows", lambda T: _e(T).topk(1)),
    ("topk along an empty dim", lambda T: _e(T).topk(1, 0)),
    ("topk of 0-d", lambda T: T.tensor(2.0).topk(1)),
    ("topk gradient", lambda T: _grad_of(T, lambda x: x.topk(2).values * _f(T, 2))),
    ("max(0) of 0-d", lambda T: T.tensor(1.0).max(0)),
    ("repr of max(dim)", lambda T: repr(_f(T, 2, 2).max(1))),
    ("repr of min(dim)", lambda T: repr(_f(T, 2, 2).min(0))),
    ("repr of sort", lambda T: repr(_f(T, 3).sort(descending=True))),
    ("repr of topk", lambda T: repr(_f(T, 3).topk(2))),
    ("repr of kthvalue", lambda T: repr(_f(T, 3).kthvalue(2))),
    ("mean(dtype=long)", lambda T: _f(T, 2).mean(dtype=T.int64)),
    ("sum over a repeated dim", lambda T: _f(T, 2, 2).sum((0, 0))),
    ("mean over a repeated dim", lambda T: _f(T, 2, 2).mean((1, -1))),
    ("sum(0) of empty", lambda T: _e(T).sum(0)),
    ("prod(0) of empty", lambda T: _e(T).prod(0)),
    ("mean() of empty", lambda T: _e(T).mean()),
    ("softmax(0) of empty", lambda T: _e(T).softmax(0)),
    ("split(0)", lambda T: _f(T, 2, 3).split(0)),
    ("split(0, 1)", lambda T: _f(T, 2, 3).split(0, 1)),
    ("split(0) of empty", lambda T: _e(T).split(0)),
    ("split(-1)", lambda T: _f(T, 2, 3).split(-1)),
    ("split(1.5)", lambda T: _f(T, 2, 3).split(1.5)),
    ("split([3, -1])", lambda T: _f(T, 2, 3).split([3, -1])),
    ("split([1, 2])", lambda T: _f(T, 2, 3).split([1, 2])),
    ("split((2, 3))", lambda T: _f(T, 5, 3).split((2, 3))),
    ("split(2)", lambda T: _f(T, 5, 3).split(2)),
    ("split(2) of empty", lambda T: _e(T).split(2)),
    ("chunk(0)", lambda T: _f(T, 2).chunk(0)),
    ("chunk(-1)", lambda T: _f(T, 2).chunk(-1)),
    ("chunk(2) of empty", lambda T: _e(T).chunk(2)),
    ("chunk(3) of 5", lambda T: _f(T, 5).chunk(3)),
    ("unbind of empty", lambda T: _e(T).unbind(0)),
]



def _batch0(T: Any, make: Callable[[Any], Any], *shape: int, target: Any = None,
            index: bool = False) -> tuple:
    """Run a layer on an empty batch and back: (output, input grad, parameter grads)."""
    layer = make(T.nn)
    x = T.zeros(*shape, dtype=T.long) if index else T.ones(*shape, requires_grad=True)
    out = layer(x) if target is None else layer(x, target(T))
    first = out[0] if isinstance(out, tuple) else out
    if first.requires_grad:
        first.sum().backward()
    params = list(layer.parameters()) if hasattr(layer, "parameters") else []
    return first, (None if index else x.grad), tuple(p.grad for p in params)


def _fn(f: Callable[..., Any]) -> Callable[[Any], Any]:
    """A functional op as a layer: make(nn) -> (x -> f(F, x))."""
    return lambda nn: (lambda x: f(nn.functional, x))


def _long0(*shape: int) -> Callable[[Any], Any]:
    return lambda T: T.zeros(*shape, dtype=T.long)


def _ones0(*shape: int) -> Callable[[Any], Any]:
    return lambda T: T.ones(*shape)


EMPTY_BATCH: list[Row] = [
    ("Conv2d", lambda T: _batch0(T, lambda nn: nn.Conv2d(3, 4, 3, padding=1), 0, 3, 5, 5)),
    ("Conv2d stride 2", lambda T: _batch0(T, lambda nn: nn.Conv2d(3, 4, 3, stride=2),
                                          0, 3, 5, 5)),
    ("Conv2d groups", lambda T: _batch0(T, lambda nn: nn.Conv2d(4, 4, 3, groups=2), 0, 4, 5, 5)),
    ("Conv2d dilation", lambda T: _batch0(T, lambda nn: nn.Conv2d(3, 4, 3, dilation=2),
                                          0, 3, 5, 5)),
    ("Conv1d", lambda T: _batch0(T, lambda nn: nn.Conv1d(3, 4, 3), 0, 3, 5)),
    ("Conv1d stride 2", lambda T: _batch0(T, lambda nn: nn.Conv1d(3, 4, 3, stride=2, padding=1),
                                          0, 3, 5)),
    ("MaxPool2d", lambda T: _batch0(T, lambda nn: nn.MaxPool2d(2), 0, 3, 4, 4)),
    ("MaxPool1d", lambda T: _batch0(T, lambda nn: nn.MaxPool1d(2), 0, 3, 4)),
    ("AvgPool2d", lambda T: _batch0(T, lambda nn: nn.AvgPool2d(2), 0, 3, 4, 4)),
    ("AvgPool1d", lambda T: _batch0(T, lambda nn: nn.AvgPool1d(2), 0, 3, 4)),
    ("AdaptiveAvgPool2d", lambda T: _batch0(T, lambda nn: nn.AdaptiveAvgPool2d(2), 0, 3, 4, 4)),
    ("AdaptiveMaxPool2d", lambda T: _batch0(T, lambda nn: nn.AdaptiveMaxPool2d(2), 0, 3, 4, 4)),
    ("AdaptiveMaxPool1d", lambda T: _batch0(T, lambda nn: nn.AdaptiveMaxPool1d(2), 0, 3, 4)),
    ("BatchNorm1d", lambda T: _batch0(T, lambda nn: nn.BatchNorm1d(3), 0, 3)),
    ("BatchNorm1d (N, C, L)", lambda T: _batch0(T, lambda nn: nn.BatchNorm1d(3), 0, 3, 4)),
    ("BatchNorm2d", lambda T: _batch0(T, lambda nn: nn.BatchNorm2d(3), 0, 3, 4, 4)),
    ("BatchNorm2d eval", lambda T: _batch0(T, lambda nn: nn.BatchNorm2d(3).eval(), 0, 3, 4, 4)),
    ("BatchNorm1d keeps its running stats", lambda T: _bn_stats_after_empty(T)),
    ("BatchNorm1d one value per channel", lambda T: _batch0(T, lambda nn: nn.BatchNorm1d(3),
                                                            1, 3)),
    ("LayerNorm", lambda T: _batch0(T, lambda nn: nn.LayerNorm(4), 0, 4)),
    ("Linear", lambda T: _batch0(T, lambda nn: nn.Linear(3, 4), 0, 3)),
    ("Linear 3-D", lambda T: _batch0(T, lambda nn: nn.Linear(3, 4), 2, 0, 3)),
    ("Softmax(0)", lambda T: _batch0(T, lambda nn: nn.Softmax(0), 0, 3)),
    ("LogSoftmax(0)", lambda T: _batch0(T, lambda nn: nn.LogSoftmax(0), 0, 3)),
    ("LogSoftmax(1)", lambda T: _batch0(T, lambda nn: nn.LogSoftmax(1), 0, 3)),
    ("Flatten", lambda T: _batch0(T, lambda nn: nn.Flatten(), 0, 3, 2)),
    ("Embedding", lambda T: _batch0(T, lambda nn: nn.Embedding(5, 3), 0, 4, index=True)),
    ("MSELoss", lambda T: _batch0(T, lambda nn: nn.MSELoss(), 0, 3, target=_ones0(0, 3))),
    ("MSELoss sum", lambda T: _batch0(T, lambda nn: nn.MSELoss(reduction="sum"), 0, 3,
                                      target=_ones0(0, 3))),
    ("CrossEntropyLoss", lambda T: _batch0(T, lambda nn: nn.CrossEntropyLoss(), 0, 3,
                                           target=_long0(0))),
    ("CrossEntropyLoss none", lambda T: _batch0(T, lambda nn: nn.CrossEntropyLoss(
        reduction="none"), 0, 3, target=_long0(0))),
    ("CrossEntropyLoss 4-D", lambda T: _batch0(T, lambda nn: nn.CrossEntropyLoss(), 0, 3, 2, 2,
                                               target=_long0(0, 2, 2))),
    ("NLLLoss sum", lambda T: _batch0(T, lambda nn: nn.NLLLoss(reduction="sum"), 0, 3,
                                      target=_long0(0))),
    ("BCEWithLogitsLoss", lambda T: _batch0(T, lambda nn: nn.BCEWithLogitsLoss(), 0, 3,
                                            target=_ones0(0, 3))),
    ("LSTM batch_first", lambda T: _batch0(T, lambda nn: nn.LSTM(3, 4, batch_first=True),
                                           0, 2, 3)),
    ("GRUCell", lambda T: _batch0(T, lambda nn: nn.GRUCell(3, 4), 0, 3)),
    ("LSTM of an empty sequence", lambda T: _batch0(T, lambda nn: nn.LSTM(3, 4), 0, 2, 3)),
    ("a small CNN", lambda T: _batch0(T, lambda nn: nn.Sequential(
        nn.Conv2d(3, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4, 2)),
        0, 3, 4, 4)),
    ("F.one_hot of empty", lambda T: T.nn.functional.one_hot(T.zeros(0, dtype=T.long), 3)),
    ("F.one_hot of empty, classes inferred",
     lambda T: T.nn.functional.one_hot(T.zeros(0, dtype=T.long))),
    ("F.pad", lambda T: _batch0(T, _fn(lambda F, x: F.pad(x, (1, 1))), 0, 3, 4)),
    ("F.scaled_dot_product_attention",
     lambda T: _batch0(T, _fn(lambda F, x: F.scaled_dot_product_attention(x, x, x)),
                       0, 2, 3, 4)),
    ("logsumexp over an empty dim", lambda T: _batch0(T, _fn(lambda F, x: x.logsumexp(0)),
                                                      0, 3)),
    ("prod over an empty dim", lambda T: _batch0(T, _fn(lambda F, x: x.prod(0)), 0, 3)),
    ("var over an empty dim", lambda T: _batch0(T, _fn(lambda F, x: x.var(0)), 0, 3)),
    ("norm over an empty dim", lambda T: _batch0(T, _fn(lambda F, x: x.norm(dim=0)), 0, 3)),
    ("matmul with an empty inner dim", lambda T: _batch0(T, _fn(lambda F, x: x.t() @ x), 0, 3)),
]


def _bn_stats_after_empty(T: Any) -> tuple:
    bn = T.nn.BatchNorm1d(3)
    bn(T.ones(0, 3))
    return bn.running_mean, bn.running_var




DTYPE_RULES: list[Row] = [
    ("-bool", lambda T: -_b(T)),
    ("neg(bool)", lambda T: T.neg(_b(T))),
    ("bool - bool", lambda T: _b(T) - _b(T)),
    ("bool - 1", lambda T: _b(T) - 1),
    ("1 - bool", lambda T: 1 - _b(T)),
    ("int - bool", lambda T: _i(T, 1, 2, 3) - _b(T)),
    ("float - bool", lambda T: _f(T, 3) - _b(T)),
    ("bool.sub_(bool)", lambda T: _b(T).sub_(_b(T))),
    ("bool + bool", lambda T: _b(T) + _b(T)),
    ("bool * bool", lambda T: _b(T) * _b(T)),
    ("abs(bool)", lambda T: _b(T).abs()),
    ("floor(bool)", lambda T: _b(T).floor()),
    ("ceil(bool)", lambda T: _b(T).ceil()),
    ("round(bool)", lambda T: _b(T).round()),
    ("trunc(bool)", lambda T: _b(T).trunc()),
    ("floor(int)", lambda T: _i(T, 1, -2).floor()),
    ("sign(bool)", lambda T: _b(T).sign()),
    ("square(bool)", lambda T: _b(T).square()),
    ("relu(bool)", lambda T: T.relu(_b(T))),
    ("argmax(bool)", lambda T: _b(T).argmax()),
    ("argmin(bool, 0)", lambda T: _b(T).argmin(0)),
    ("max(bool)", lambda T: _b(T).max()),
    ("mean(int)", lambda T: _i(T, 1, 2).mean()),
    ("mean(uint8)", lambda T: T.tensor([1, 2], dtype=T.uint8).mean()),
    ("var(int)", lambda T: _i(T, 1, 2).var()),
    ("std(int)", lambda T: _i(T, 1, 2).std()),
    ("norm(int)", lambda T: _i(T, 1, 2).norm()),
    ("int ** -1", lambda T: _i(T, 2, 3) ** -1),
    ("int32 ** -1", lambda T: _i(T, 2, 3).int() ** -1),
    ("bool ** -1", lambda T: _b(T) ** -1),
    ("int ** negative int tensor", lambda T: _i(T, 2, 1, -1, 0, 3, -1) ** _i(T, -1, -1, -1, -1,
                                                                            -2, -2)),
    ("2 ** negative int tensor", lambda T: 2 ** _i(T, -1, -2, 1)),
    ("int ** -1.0", lambda T: _i(T, 2, 4) ** -1.0),
    ("int.pow_(-1)", lambda T: _i(T, 2).pow_(-1)),
    ("int ** 0", lambda T: _i(T, 2, 0) ** 0),
    ("where with a float condition", lambda T: T.where(_f(T, 2), _f(T, 2), 0.0)),
    ("where with an int condition", lambda T: T.where(_i(T, 1, 0), _f(T, 2), 0.0)),
    ("where with a bool condition", lambda T: T.where(_i(T, 1, 0) > 0, _f(T, 2), 0.0)),
    ("int == list", lambda T: _i(T, 2, 3) == [2, 3]),
    ("int != list", lambda T: _i(T, 2, 3) != [2, 3]),
    ("int == tuple", lambda T: _i(T, 2, 3) == (2, 3)),
    ("int < list", lambda T: _i(T, 2, 3) < [2, 3]),
    ("int == None", lambda T: _i(T, 2, 3) == None),  # noqa: E711 - the operator is the test
    ("int == 'a'", lambda T: _i(T, 2, 3) == "a"),
    ("int == 2.5", lambda T: _i(T, 2, 3) == 2.5),
    ("float + numpy array", lambda T: _f(T, 2) + np.ones(2)),
]



def _g(T: Any) -> Any:
    return T.tensor([1.5, -2.5], requires_grad=True)


def _requires_grad(t: Any) -> tuple:
    return t, t.requires_grad


IN_PLACE_AND_STRIDES: list[Row] = [
    ("int.div_(2)", lambda T: _i(T, 3, 4).div_(2)),
    ("int.div_(2, trunc)", lambda T: _i(T, 3, 4).div_(2, rounding_mode="trunc")),
    ("int /= 2", lambda T: _iop(_i(T, 3, 4), "__itruediv__", 2)),
    ("int += 1.5", lambda T: _iop(_i(T, 3, 4), "__iadd__", 1.5)),
    ("int *= float tensor", lambda T: _iop(_i(T, 3, 4), "__imul__", _f(T, 2))),
    ("bool += 1", lambda T: _iop(_b(T), "__iadd__", 1)),
    ("floor_divide keeps requires_grad", lambda T: _requires_grad(_g(T).floor_divide(2))),
    ("div floor keeps requires_grad",
     lambda T: _requires_grad(T.div(_g(T), 2, rounding_mode="floor"))),
    ("div trunc keeps requires_grad",
     lambda T: _requires_grad(T.div(_g(T), 2, rounding_mode="trunc"))),
    ("remainder keeps requires_grad", lambda T: _requires_grad(_g(T) % 2)),
    ("x.t().view(-1)", lambda T: T.ones(2, 3).t().view(-1)),
    ("x.mT.view(6)", lambda T: T.ones(2, 3).mT.view(6)),
    ("expanded view(3, 4) stride", lambda T: T.ones(3, 1).expand(3, 4).view(3, 4).stride()),
    ("unsqueeze of transposed stride", lambda T: T.ones(2, 3).t().unsqueeze(1).stride()),
    ("squeeze of transposed stride",
     lambda T: T.ones(2, 1, 3).transpose(0, 2).squeeze(1).stride()),
    ("flatten of transposed stride", lambda T: T.ones(2, 3).t().flatten().stride()),
    ("view of empty transposed", lambda T: T.ones(0, 3).t().view(0)),
    ("view of 0-d", lambda T: T.tensor(1.0).view(1, 1).stride()),
    ("view to 0-d of transposed", lambda T: T.ones(1, 1).t().view(())),
    ("contiguous() stride", lambda T: T.ones(2, 3).t().contiguous().stride()),
    ("view of every other row", lambda T: T.ones(4, 3)[::2].view(6)),
    ("view of every other row (possible)", lambda T: T.ones(4, 3)[::2].view(2, 3, 1).stride()),
    ("view of a column slice", lambda T: T.ones(4, 3)[:, 1:].view(8)),
    ("view of a row slice", lambda T: T.ones(4, 3)[1:].view(9).stride()),
    ("view of a reversed 3-D permute", lambda T: T.ones(2, 3, 4).permute(2, 1, 0).view(4, 6)),
    ("is_contiguous of a column slice", lambda T: T.ones(4, 3)[:, :1].is_contiguous()),
    ("is_contiguous of expanded", lambda T: T.ones(3, 1).expand(3, 4).is_contiguous()),
    ("is_contiguous of a size-1 expand", lambda T: T.ones(3, 1).expand(3, 1).is_contiguous()),
    ("storage_offset of a slice", lambda T: T.ones(4, 3)[1:, 1:].storage_offset()),
    ("storage_offset of a view of a slice", lambda T: T.ones(4, 3)[2:].view(6).storage_offset()),
    ("storage_offset of a fresh tensor", lambda T: (T.ones(4, 3) * 2).storage_offset()),
    ("storage_offset of a transposed slice",
     lambda T: T.ones(4, 3).t()[1:].storage_offset()),
    ("a view shares data_ptr", lambda T: _same_ptr(T, lambda x: x.view(12))),
    ("a reshape copy has its own data_ptr", lambda T: _same_ptr(T, lambda x: x.t().reshape(12))),
]

SHAPE_ARGUMENTS: list[Row] = [
    ("flip with a repeated dim", lambda T: _x(T).flip(0, -2)),
    ("flip with a repeated dim (list)", lambda T: _x(T).flip([1, 1])),
    ("repeat()", lambda T: _x(T).repeat()),
    ("repeat(())", lambda T: _x(T).repeat(())),
    ("chunk(2.0)", lambda T: _x(T).chunk(2.0)),
    ("chunk('a')", lambda T: _x(T).chunk("a")),
    ("expand(-1, 2, 3)", lambda T: _x(T).expand(-1, 2, 3)),
    ("expand(4, -1, 2, 3)", lambda T: _x(T).expand(4, -1, 2, 3)),
    ("expand(2, -2)", lambda T: _x(T).expand(2, -2)),
    ("permute(0, 0)", lambda T: _x(T).permute(0, 0)),
    ("permute(0)", lambda T: _x(T).permute(0)),
    ("movedim with a repeated source", lambda T: _x(T).movedim((0, 0), (0, 1))),
    ("movedim with a repeated destination", lambda T: _x(T).movedim((0, 1), (1, 1))),
    ("unflatten sizes that do not multiply up", lambda T: _x(T).unflatten(1, (2, 2))),
    ("unflatten sizes with -1 that do not divide", lambda T: _x(T).unflatten(1, (-1, 2))),
    ("unflatten with -1", lambda T: _x(T).unflatten(1, (-1, 3))),
    ("narrow with a negative length", lambda T: _x(T).narrow(0, 0, -1)),
    ("narrow past the end", lambda T: _x(T).narrow(0, 1, 5)),
    ("t() of 3-D", lambda T: T.ones(2, 2, 2).t()),
    ("tril of 1-D", lambda T: T.ones(2).tril()),
    ("squeeze((0, 2))", lambda T: T.ones(1, 2, 1).squeeze((0, 2))),
]

INDICES: list[Row] = [
    ("gather with a negative index", lambda T: _x(T).gather(1, T.tensor([[0], [-1]]))),
    ("gather past the end", lambda T: _x(T).gather(1, T.tensor([[3], [1]]))),
    ("scatter with a negative index", lambda T: _x(T).scatter(1, T.tensor([[-1]]), 1.0)),
    ("scatter_add with a negative index",
     lambda T: _x(T).scatter_add(1, T.tensor([[-2]]), T.ones(1, 1))),
    ("take_along_dim with a negative index",
     lambda T: _x(T).take_along_dim(T.tensor([[-1], [0]]), 1)),
    ("scatter a float src into a long tensor", lambda T: T.zeros(2, 3, dtype=T.long).scatter(
        1, T.tensor([[0], [1]]), T.ones(2, 1))),
    ("scatter_add a double src", lambda T: T.zeros(2, 3).scatter_add(
        1, T.tensor([[0], [1]]), T.ones(2, 1, dtype=T.float64))),
    ("scatter a float value into a long tensor", lambda T: T.zeros(2, 3, dtype=T.long).scatter(
        1, T.tensor([[0], [1]]), 1.5)),
    ("embedding of -1", lambda T: T.nn.functional.embedding(T.tensor([-1]), T.ones(3, 2))),
    ("embedding past the end", lambda T: T.nn.functional.embedding(T.tensor([3]), T.ones(3, 2))),
    ("index by a uint8 mask", lambda T: T.arange(3.0)[T.tensor([1, 0, 1], dtype=T.uint8)]),
    ("index by an int32 tensor", lambda T: T.arange(3.0)[T.tensor([2], dtype=T.int32)]),
    ("index by a negative tensor", lambda T: T.arange(3.0)[T.tensor([-1])]),
    ("index by a list of lists (a tuple of indices)",
     lambda T: T.arange(6.0).reshape(2, 3)[[[0, 1], [1, 0]]]),
    ("index by a list holding a slice",
     lambda T: T.arange(24.0).reshape(2, 3, 4)[[0, slice(None)]]),
    ("index by a list holding tensors",
     lambda T: T.arange(24.0).reshape(2, 3, 4)[[T.tensor([0, 1]), T.tensor([1, 2])]]),
    ("index by a list holding None", lambda T: T.arange(24.0).reshape(2, 3, 4)[[None, 0]]),
    ("index by a list of ints", lambda T: T.arange(24.0).reshape(2, 3, 4)[[0, 1]]),
    ("assign a list", lambda T: _assign(T, 0, [7.0, 8.0, 9.0])),
    ("assign through a list of lists", lambda T: _assign(T, [[0, 1], [1, 0]], 9.0)),
    ("cross_entropy with int32 targets",
     lambda T: T.nn.functional.cross_entropy(_x(T), T.tensor([0, 1], dtype=T.int32))),
    ("nll_loss with int32 targets",
     lambda T: T.nn.functional.nll_loss(_x(T), T.tensor([0, 1], dtype=T.int32))),
    ("cross_entropy with uint8 targets",
     lambda T: T.nn.functional.cross_entropy(_x(T), T.tensor([0, 1], dtype=T.uint8))),
]

def _assign(T: Any, index: Any, value: Any) -> Any:
    x = T.arange(6.0).reshape(2, 3)
    x[index] = value
    return x


def _loss(T: Any, name: str, x: Any, y: Any, **kwargs: Any) -> Any:
    return getattr(T.nn.functional, name)(x, y, **kwargs)


LOSS_DTYPES: list[Row] = [
    *[(f"{name} of int tensors ({red})",
       (lambda n, r: lambda T: _loss(T, n, _i(T, 1, 2), _i(T, 1, 3), reduction=r))(name, red))
      for name in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss")
      for red in ("mean", "sum", "none")],
    ("mse_loss of float and int", lambda T: _loss(T, "mse_loss", _f(T, 2), _i(T, 1, 3))),
    ("l1_loss of int and float", lambda T: _loss(T, "l1_loss", _i(T, 1, 2), _f(T, 2))),
    ("binary_cross_entropy with int targets",
     lambda T: _loss(T, "binary_cross_entropy", _f(T, 2) / 4, _i(T, 0, 1))),
    ("binary_cross_entropy with double targets",
     lambda T: _loss(T, "binary_cross_entropy", _f(T, 2) / 4, _f(T, 2).double() / 4)),
    ("binary_cross_entropy_with_logits with int targets",
     lambda T: _loss(T, "binary_cross_entropy_with_logits", _f(T, 2), _i(T, 0, 1))),
    ("binary_cross_entropy_with_logits with double targets",
     lambda T: _loss(T, "binary_cross_entropy_with_logits", _f(T, 2), _f(T, 2).double() / 4)),
    ("binary_cross_entropy_with_logits of int logits",
     lambda T: _loss(T, "binary_cross_entropy_with_logits", _i(T, 0, 1), _f(T, 2))),
    ("cross_entropy with double class weights",
     lambda T: _loss(T, "cross_entropy", _x(T), _i(T, 0, 1), weight=T.ones(3, dtype=T.float64))),
    ("nll_loss with double class weights",
     lambda T: _loss(T, "nll_loss", _x(T), _i(T, 0, 1), weight=T.ones(3, dtype=T.float64))),
]

def _img(T: Any, dtype: str = "float32") -> Any:
    return T.ones(1, 2, 4, 4, dtype=getattr(T, dtype))


def _kernel(T: Any, dtype: str = "float32") -> Any:
    return T.ones(3, 2, 3, 3, dtype=getattr(T, dtype))


def _F(T: Any) -> Any:
    return T.nn.functional


LAYER_DTYPES: list[Row] = [
    ("conv2d float input, double weight", lambda T: _F(T).conv2d(_img(T), _kernel(T, "float64"))),
    ("conv2d double input, float weight", lambda T: _F(T).conv2d(_img(T, "float64"), _kernel(T))),
    ("conv2d double bias", lambda T: _F(T).conv2d(_img(T), _kernel(T),
                                                  T.ones(3, dtype=T.float64))),
    ("conv1d float input, double weight",
     lambda T: _F(T).conv1d(T.ones(1, 2, 5), T.ones(3, 2, 3, dtype=T.float64))),
    ("max_pool2d of int", lambda T: _F(T).max_pool2d(_img(T, "int64"), 2)),
    ("avg_pool2d of int", lambda T: _F(T).avg_pool2d(T.tensor([[[[-3, 4], [1, -1]]]]), 2)),
    ("adaptive_avg_pool2d of int", lambda T: _F(T).adaptive_avg_pool2d(_img(T, "int64"), 2)),
    *[(f"{name} of int", (lambda n: lambda T: getattr(_F(T), n)(_i(T, 1, -2, 9)))(name))
      for name in ("gelu", "silu", "leaky_relu", "elu", "softplus", "hardtanh", "relu6",
                   "logsigmoid")],
    ("hardtanh of bool", lambda T: _F(T).hardtanh(_b(T))),
    ("layer_norm of int", lambda T: _F(T).layer_norm(T.tensor([[1, 2]]), (2,))),
    ("layer_norm with a double weight",
     lambda T: _F(T).layer_norm(T.ones(1, 2), (2,), T.ones(2, dtype=T.float64))),
    ("nn.LayerNorm on a double input", lambda T: T.nn.LayerNorm(2)(T.ones(1, 2, dtype=T.float64))),
    ("batch_norm of int", lambda T: _F(T).batch_norm(T.ones(2, 3, dtype=T.long), T.zeros(3),
                                                     T.ones(3), training=True)),
    ("dropout of int", lambda T: _F(T).dropout(_i(T, 1, 2), 0.5)),
    ("dropout of int in eval", lambda T: _F(T).dropout(_i(T, 1, 2), 0.5, training=False)),
    ("embedding with float indices", lambda T: _F(T).embedding(T.tensor([0.0]), T.ones(2, 2))),
    ("scaled_dot_product_attention with a double key",
     lambda T: _F(T).scaled_dot_product_attention(T.ones(1, 2, 4), T.ones(1, 2, 4,
                                                                           dtype=T.float64),
                                                  T.ones(1, 2, 4))),
    ("normalize of int", lambda T: _F(T).normalize(T.tensor([[3, 4]]))),
    ("cosine_similarity of int",
     lambda T: _F(T).cosine_similarity(T.tensor([[3, 4]]), T.tensor([[3, 4]]))),
    ("one_hot of int32", lambda T: _F(T).one_hot(T.tensor([1], dtype=T.int32), 3)),
]

CONVERSIONS_AND_OPERATORS: list[Row] = [
    ("float() of two elements", lambda T: float(_f(T, 2))),
    ("int() of two elements", lambda T: int(_f(T, 2))),
    ("float() of empty", lambda T: float(T.ones(0))),
    ("item() of empty", lambda T: T.ones(0).item()),
    ("bool() of empty", lambda T: bool(T.ones(0))),
    ("bool() of two elements", lambda T: bool(_f(T, 2))),
    ("a float tensor as a list index", lambda T: [1, 2, 3][T.tensor(1.0)]),
    ("an int tensor as a list index", lambda T: [1, 2, 3][T.tensor(1)]),
    ("len() of 0-d", lambda T: len(T.tensor(1.0))),
    ("iter() of 0-d", lambda T: list(T.tensor(1.0))),
    ("x @ 2", lambda T: _f(T, 2) @ 2),
    ("2 @ x", lambda T: 2 @ _f(T, 2)),
    ("x @ x", lambda T: _f(T, 2) @ _f(T, 2)),
    ("+bool", lambda T: +_b(T)),
    ("+int", lambda T: +_i(T, 1, -2)),
    ("~uint8", lambda T: ~T.tensor([1], dtype=T.uint8)),
    ("x < 'a'", lambda T: _f(T, 2) < "a"),
    ("2.0 in x", lambda T: 2.0 in _f(T, 2)),
    ("round() of 0-d", lambda T: round(T.tensor(1.5))),
    ("complex() of 0-d", lambda T: complex(T.tensor(1.0))),
]

ROWS: list[Row] = (BITWISE + INTEGER_DIVISION + MATRIX_PRODUCTS + VIEWS
                   + EMPTY_REDUCTIONS_AND_SPLITS + EMPTY_BATCH + DTYPE_RULES
                   + IN_PLACE_AND_STRIDES + SHAPE_ARGUMENTS + INDICES + LOSS_DTYPES
                   + LAYER_DTYPES + CONVERSIONS_AND_OPERATORS)


def _run(call: Callable[[Any], Any], T: Any) -> tuple[str, Any]:
    """('ok', value as host data) or ('raise', (class name, message))."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = call(T)
    except Exception as exc:  # the exception itself is the result compared
        return "raise", (type(exc).__name__, _normalise(str(exc)))
    return "ok", _host(out)


def _normalise(message: str) -> str:
    return message.replace("autograd_core", "torch")


def _host(out: Any) -> Any:
    if isinstance(out, (tuple, list)):  # torch.return_types compare as plain tuples
        return tuple(_host(o) for o in out)
    if out is None:
        return None
    if isinstance(out, ag.Tensor):
        return ("tensor", np.asarray(out.detach()), tuple(out.shape))
    if isinstance(out, torch.Tensor):
        return ("tensor", out.detach().numpy(), tuple(out.shape))
    return out


def _assert_same(ours: Any, theirs: Any, desc: str) -> None:
    if isinstance(theirs, tuple) and theirs and theirs[0] == "tensor":
        assert isinstance(ours, tuple) and ours[0] == "tensor", f"{desc}: got {ours!r}"
        _, a, shape_a = ours
        _, t, shape_t = theirs
        assert shape_a == shape_t, f"{desc}: shape {shape_a} != torch's {shape_t}"
        assert a.dtype == t.dtype, f"{desc}: dtype {a.dtype} != torch's {t.dtype}"
        np.testing.assert_allclose(a, t, rtol=1e-5, atol=1e-6, err_msg=desc)
    elif isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs), f"{desc}: {len(ours)} outputs != {len(theirs)}"
        for o, t in zip(ours, theirs):
            _assert_same(o, t, desc)
    else:
        assert ours == theirs, f"{desc}: {ours!r} != torch's {theirs!r}"


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_same_result_or_error_as_torch(row: Row) -> None:
    desc, call = row
    want_kind, want = _run(call, torch)
    got_kind, got = _run(call, ag)
    if want_kind == "raise":
        assert got_kind == "raise", f"{desc}: torch raises {want}, we returned {got!r}"
        assert got == want, f"{desc}: we raise {got}, torch raises {want}"
    else:
        assert got_kind == "ok", f"{desc}: torch returns a value, we raise {got}"
        _assert_same(got, want, desc)


def test_table_rows_are_unique() -> None:
    names = [r[0] for r in ROWS]
    assert len(names) == len(set(names))
