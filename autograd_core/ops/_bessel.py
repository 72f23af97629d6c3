"""Modified Bessel functions of the first kind, I0 and I1, and their exponentially scaled forms
(torch.i0, torch.special.i0e / i1 / i1e), differentiable to any order.

The kernels are Cephes' (as PyTorch's are, so values agree to the last bits): a Chebyshev
series of exp(-|x|) I_n(|x|) on [0, 8] and one of exp(-|x|) sqrt(|x|) I_n(|x|) beyond,
evaluated in float64 with the array module's own operations (numpy or CuPy). The derivatives
are PyTorch's: I0' = I1, I1' = I0 - I1/x (1/2 at 0), and the scaled forms' chain rule.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core.ops._fn_factory import unary_op
from autograd_core.ops.logic import where
from autograd_core.ops.piecewise import sign
from autograd_core.ops.unary import abs as _abs
from autograd_core.tensor import Tensor

# Cephes' Chebyshev coefficients (3-clause BSD): exp(-x) I0(x) on [0, 8] (A) and
# exp(-x) sqrt(x) I0(x) on [8, inf) (B); likewise for I1 (on [0, 8], divided by x).
_I0E_A = (-4.41534164647933937950E-18, 3.33079451882223809783E-17, -2.43127984654795469359E-16,
    1.71539128555513303061E-15, -1.16853328779934516808E-14, 7.67618549860493561688E-14,
    -4.85644678311192946090E-13, 2.95505266312963983461E-12, -1.72682629144155570723E-11,
    9.67580903537323691224E-11, -5.18979560163526290666E-10, 2.65982372468238665035E-9,
    -1.30002500998624804212E-8, 6.04699502254191894932E-8, -2.67079385394061173391E-7,
    1.11738753912010371815E-6, -4.41673835845875056359E-6, 1.64484480707288970893E-5,
    -5.75419501008210370398E-5, 1.88502885095841655729E-4, -5.76375574538582365885E-4,
    1.63947561694133579842E-3, -4.32430999505057594430E-3, 1.05464603945949983183E-2,
    -2.37374148058994688156E-2, 4.93052842396707084878E-2, -9.49010970480476444210E-2,
    1.71620901522208775349E-1, -3.04682672343198398683E-1, 6.76795274409476084995E-1)
_I0E_B = (-7.23318048787475395456E-18, -4.83050448594418207126E-18, 4.46562142029675999901E-17,
    3.46122286769746109310E-17, -2.82762398051658348494E-16, -3.42548561967721913462E-16,
    1.77256013305652638360E-15, 3.81168066935262242075E-15, -9.55484669882830764870E-15,
    -4.15056934728722208663E-14, 1.54008621752140982691E-14, 3.85277838274214270114E-13,
    7.18012445138366623367E-13, -1.79417853150680611778E-12, -1.32158118404477131188E-11,
    -3.14991652796324136454E-11, 1.18891471078464383424E-11, 4.94060238822496958910E-10,
    3.39623202570838634515E-9, 2.26666899049817806459E-8, 2.04891858946906374183E-7,
    2.89137052083475648297E-6, 6.88975834691682398426E-5, 3.36911647825569408990E-3,
    8.04490411014108831608E-1)
_I1E_A = (2.77791411276104639959E-18, -2.11142121435816608115E-17, 1.55363195773620046921E-16,
    -1.10559694773538630805E-15, 7.60068429473540693410E-15, -5.04218550472791168711E-14,
    3.22379336594557470981E-13, -1.98397439776494371520E-12, 1.17361862988909016308E-11,
    -6.66348972350202774223E-11, 3.62559028155211703701E-10, -1.88724975172282928790E-9,
    9.38153738649577178388E-9, -4.44505912879632808065E-8, 2.00329475355213526229E-7,
    -8.56872026469545474066E-7, 3.47025130813767847674E-6, -1.32731636560394358279E-5,
    4.78156510755005422638E-5, -1.61760815825896745588E-4, 5.12285956168575772895E-4,
    -1.51357245063125314899E-3, 4.15642294431288815669E-3, -1.05640848946261981558E-2,
    2.47264490306265168283E-2, -5.29459812080949914269E-2, 1.02643658689847095384E-1,
    -1.76416518357834055153E-1, 2.52587186443633654823E-1)
_I1E_B = (7.51729631084210481353E-18, 4.41434832307170791151E-18, -4.65030536848935832153E-17,
    -3.20952592199342395980E-17, 2.96262899764595013876E-16, 3.30820231092092828324E-16,
    -1.88035477551078244854E-15, -3.81440307243700780478E-15, 1.04202769841288027642E-14,
    4.27244001671195135429E-14, -2.10154184277266431302E-14, -4.08355111109219731823E-13,
    -7.19855177624590851209E-13, 2.03562854414708950722E-12, 1.41258074366137813316E-11,
    3.25260358301548823856E-11, -1.89749581235054123450E-11, -5.58974346219658380687E-10,
    -3.83538038596423702205E-9, -2.63146884688951950684E-8, -2.51223623787020892529E-7,
    -3.88256480887769039346E-6, -1.10588938762623716291E-4, -9.76109749136146840777E-3,
    7.78576235018280120474E-1)


def _chbevl(y: Any, coefs: tuple) -> Any:
    """Clenshaw's sum of a Chebyshev series at y (Cephes' chbevl)."""
    b0, b1, b2 = y * 0 + coefs[0], y * 0, y * 0
    for c in coefs[1:]:
        b2, b1 = b1, b0
        b0 = y * b1 - b2 + c
    return 0.5 * (b0 - b2)


def _scaled(xp: Any, x: Any, near: tuple, far: tuple, odd: bool) -> tuple[Any, Any]:
    """(exp(-|x|) I_n(|x|), |x|) in float64; each branch sees only arguments it is for."""
    a = xp.abs(x.astype(np.float64))
    small = a <= 8.0
    lo = xp.where(small, a, 8.0)
    hi = xp.where(small, 8.0, a)
    inner = _chbevl(lo / 2.0 - 2.0, near) * (lo if odd else 1.0)
    outer = _chbevl(32.0 / hi - 2.0, far) / xp.sqrt(hi)
    return xp.where(small, inner, outer), a


def _i0(xp: Any, x: Any) -> Any:
    v, a = _scaled(xp, x, _I0E_A, _I0E_B, False)
    return (xp.exp(a) * v).astype(x.dtype, copy=False)


def _i0e(xp: Any, x: Any) -> Any:
    return _scaled(xp, x, _I0E_A, _I0E_B, False)[0].astype(x.dtype, copy=False)


def _i1(xp: Any, x: Any) -> Any:
    v, a = _scaled(xp, x, _I1E_A, _I1E_B, True)
    return (xp.sign(x) * xp.exp(a) * v).astype(x.dtype, copy=False)


def _i1e(xp: Any, x: Any) -> Any:
    v, _ = _scaled(xp, x, _I1E_A, _I1E_B, True)
    return (xp.sign(x) * v).astype(x.dtype, copy=False)


def _safe(x: Tensor) -> tuple[Tensor, Tensor]:
    """(|x| <= eps, x with those entries moved to eps): PyTorch's guard of 1/x at 0."""
    eps = float(np.finfo(x._data.dtype).eps)
    tiny = _abs(x) <= eps
    return tiny, where(tiny, eps, x)


def _d_i1(x: Tensor) -> Tensor:
    tiny, s = _safe(x)
    return where(tiny, 0.5, I0.apply(s) - SpecialI1.apply(s) / s)


def _d_i1e(x: Tensor) -> Tensor:
    tiny, s = _safe(x)
    return where(tiny, 0.5, SpecialI0E.apply(s) - SpecialI1E.apply(s) * (sign(s) + 1 / s))


# Named as PyTorch's nodes are: I0Backward0, SpecialI0EBackward0, ...
I0 = unary_op("I0", _i0, lambda x: SpecialI1.apply(x), "y = I0(x)")
SpecialI0E = unary_op("SpecialI0E", _i0e,
                      lambda x: SpecialI1E.apply(x) - sign(x) * SpecialI0E.apply(x),
                      "y = exp(-|x|) I0(x)")
SpecialI1 = unary_op("SpecialI1", _i1, _d_i1, "y = I1(x)")
SpecialI1E = unary_op("SpecialI1E", _i1e, _d_i1e, "y = exp(-|x|) I1(x)")
