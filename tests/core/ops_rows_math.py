"""Op-table rows (tests/core/test_ops_table.py) of the elementwise math of special_math.py and
binary_math.py: forward vs numpy (or `math`), gradcheck, PyTorch, and second derivatives."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tests.core.op_row import op

_erf = np.vectorize(math.erf)
_erfc = np.vectorize(math.erfc)
_lgamma = np.vectorize(math.lgamma)


def _logit(x: np.ndarray, eps: Any = None) -> np.ndarray:
    if eps is not None:
        x = np.clip(x, eps, 1 - eps)
    return np.log(x / (1 - x))


def _xlogy(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.where(a == 0, 0.0, a * np.log(b))


ROWS = [
    op("erf", lambda m, x: m.erf(x), _erf, (3, 4)),
    op("erfc", lambda m, x: x.erfc(), _erfc, (3, 4)),
    op("erfinv", lambda m, x: m.erfinv(x), None, (3, 4), domain="unit"),
    op("lgamma", lambda m, x: m.lgamma(x), _lgamma, (3, 4), domain="positive"),
    op("digamma", lambda m, x: x.digamma(), None, (3, 4), domain="positive"),
    op("polygamma", lambda m, x: m.polygamma(2, x), None, (3, 4), domain="positive"),
    op("mvlgamma", lambda m, x: m.mvlgamma(x + 2, p=3), None, (3, 4), domain="positive"),
    op("expm1", lambda m, x: m.expm1(x), np.expm1, (3, 4)),
    op("exp2", lambda m, x: x.exp2(), np.exp2, (3, 4)),
    op("log2", lambda m, x: m.log2(x), np.log2, (3, 4), domain="positive"),
    op("log10", lambda m, x: x.log10(), np.log10, (3, 4), domain="positive"),
    op("sinh", lambda m, x: m.sinh(x), np.sinh, (3, 4)),
    op("cosh", lambda m, x: x.cosh(), np.cosh, (3, 4)),
    op("tan", lambda m, x: m.tan(x), np.tan, (3, 4), domain="unit"),
    op("asin", lambda m, x: m.asin(x), np.arcsin, (3, 4), domain="unit", covers=("arcsin",)),
    op("acos", lambda m, x: x.acos(), np.arccos, (3, 4), domain="unit", covers=("arccos",)),
    op("atan", lambda m, x: m.arctan(x), np.arctan, (3, 4), covers=("arctan",)),
    op("asinh", lambda m, x: m.arcsinh(x), np.arcsinh, (3, 4), covers=("arcsinh",)),
    op("acosh", lambda m, x: m.acosh(x + 1.5), lambda x: np.arccosh(x + 1.5), (3, 4),
       domain="positive", covers=("arccosh",)),
    op("atanh", lambda m, x: m.atanh(x), np.arctanh, (3, 4), domain="unit",
       covers=("arctanh",)),
    op("frac", lambda m, x: m.frac(x * 3), lambda x: np.modf(x * 3)[0], (3, 4)),
    op("sinc", lambda m, x: m.sinc(x), np.sinc, (3, 4)),
    op("logit", lambda m, x: m.logit(x * 0.4 + 0.5), lambda x: _logit(x * 0.4 + 0.5), (3, 4),
       domain="unit"),
    op("logit:eps", lambda m, x: x.logit(eps=0.2), lambda x: _logit(x, 0.2), (3, 4),
       domain="unit"),
    op("deg2rad", lambda m, x: m.deg2rad(x), np.deg2rad, (3, 4)),
    op("rad2deg", lambda m, x: x.rad2deg(), np.rad2deg, (3, 4)),
    op("atan2", lambda m, a, b: m.atan2(a, b), np.arctan2, (3, 4), (4,),
       covers=("arctan2",)),
    op("hypot", lambda m, a, b: m.hypot(a, b), np.hypot, (3, 1), (1, 4)),
    op("logaddexp", lambda m, a, b: m.logaddexp(a, b), np.logaddexp, (3, 4), (4,)),
    op("logaddexp2", lambda m, a, b: a.logaddexp2(b), np.logaddexp2, (3, 4), (3, 4)),
    op("copysign", lambda m, a, b: m.copysign(a, b), np.copysign, (3, 4), (4,)),
    op("xlogy", lambda m, a, b: m.xlogy(a, b), _xlogy, (3, 4), (3, 4), domain="positive"),
    op("xlogy:scalar", lambda m, a: m.xlogy(a, 2.0), lambda a: a * np.log(2.0), (3,)),
    op("float_power", lambda m, a, b: m.float_power(a, b), np.power, (3, 4), (4,),
       domain="positive"),
    op("fmax", lambda m, a, b: m.fmax(a, b), np.fmax, (3, 4), (4,), covers=("fmin",)),
    op("fmin", lambda m, a, b: a.fmin(b), np.fmin, (3, 4), (3, 4)),
    op("lerp", lambda m, a, b: m.lerp(a, b, 0.3), lambda a, b: a + 0.3 * (b - a), (3, 4), (4,)),
    op("lerp:high", lambda m, a, b: a.lerp(b, 0.8), lambda a, b: a + 0.8 * (b - a), (3, 4),
       (3, 4)),
    op("lerp:tensor", lambda m, a, b, w: m.lerp(a, b, w), lambda a, b, w: a + w * (b - a),
       (3, 4), (3, 4), (4,)),
    op("addcmul", lambda m, a, b, c: m.addcmul(a, b, c, value=0.5),
       lambda a, b, c: a + 0.5 * b * c, (3, 4), (4,), (3, 1)),
    op("addcdiv", lambda m, a, b, c: a.addcdiv(b, c, value=-2),
       lambda a, b, c: a - 2 * b / c, (3, 4), (3, 4), (4,), domain="positive"),
    op("nan_to_num", lambda m, x: m.nan_to_num(x / (x > 0)), lambda x: np.nan_to_num(
        np.divide(x, x > 0), nan=0.0, posinf=np.finfo(x.dtype).max,
        neginf=np.finfo(x.dtype).min), (3, 4), fd=False),
    op("heaviside", lambda m, x: m.heaviside(x, m.tensor(0.5, dtype=x.dtype)),
       lambda x: np.heaviside(x, 0.5), (3, 4), grad=False),
    op("sgn", lambda m, x: m.sgn(x), np.sign, (3, 4), grad=False),
    # Bessel I0/I1 (ops/_bessel.py): x * 6 reaches both Cephes branches (|x| <= 8 and above)
    op("i0", lambda m, x: m.i0(x * 6), lambda x: np.i0(x * 6), (3, 4)),
    op("i0:method", lambda m, x: x.i0(), np.i0, (3, 4)),
    op("special.i0", lambda m, x: m.special.i0(x), np.i0, (3, 4)),
    op("special.i0e", lambda m, x: m.special.i0e(x * 6), lambda x: np.exp(-np.abs(x * 6)) * np.i0(
        x * 6), (3, 4)),
    op("special.i1", lambda m, x: m.special.i1(x * 6), None, (3, 4)),
    op("special.i1e", lambda m, x: m.special.i1e(x * 6), None, (3, 4)),
]
