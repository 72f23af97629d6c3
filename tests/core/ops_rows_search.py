"""Op-table rows (tests/core/test_ops_table.py) of search.py and stats_more.py."""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.core.op_row import op

BOUNDS = [-1.0, -0.2, 0.3, 1.1]


def _t(m: Any, v: Any, x: Any, **kw: Any) -> Any:
    return m.tensor(v, device=x.device, **kw)


def _lower_median(x: np.ndarray, axis: int) -> tuple:
    order = np.argsort(x, axis=axis, kind="stable")
    k = (x.shape[axis] - 1) // 2
    idx = np.take(order, k, axis=axis)
    return np.take_along_axis(x, np.expand_dims(idx, axis), axis).squeeze(axis), idx


def _rounded(m: Any, x: Any) -> Any:
    return (x * 2).round()  # values with repeats, for unique / mode / bincount


ROWS = [
    op("searchsorted", lambda m, x: m.searchsorted(_t(m, BOUNDS, x, dtype=x.dtype), x),
       lambda x: np.searchsorted(BOUNDS, x), (3, 4), grad=False),
    op("searchsorted:right-rows", lambda m, x: m.searchsorted(m.sort(x, 1).values, x[:, :2],
                                                              right=True),
       lambda x: np.stack([np.searchsorted(np.sort(r), r[:2], "right") for r in x]), (3, 4),
       grad=False),
    op("bucketize", lambda m, x: m.bucketize(x, _t(m, BOUNDS, x, dtype=x.dtype), right=True),
       lambda x: np.searchsorted(BOUNDS, x, "right"), (3, 4), grad=False),
    op("isin", lambda m, x: m.isin(_rounded(m, x), _t(m, [0.0, 1.0], x, dtype=x.dtype)),
       lambda x: np.isin((x * 2).round(), [0.0, 1.0]), (3, 4), grad=False),
    op("unique", lambda m, x: m.unique(_rounded(m, x), return_inverse=True,
                                       return_counts=True),
       lambda x: np.unique((x * 2).round(), return_inverse=True, return_counts=True), (3, 4),
       grad=False),
    op("unique:dim", lambda m, x: m.unique(x[[0, 1, 0]], dim=0),
       lambda x: np.unique(x[[0, 1, 0]], axis=0), (3, 4), grad=False),
    op("unique_consecutive", lambda m, x: m.unique_consecutive(
        _rounded(m, x).flatten(), return_counts=True, return_inverse=True),
       lambda x: _np_unique_consecutive((x * 2).round().ravel()), (3, 4), grad=False),
    op("histc", lambda m, x: m.histc(x, bins=5, min=-1, max=1),
       lambda x: np.histogram(x, 5, (-1, 1))[0].astype(x.dtype), (5, 4), grad=False),
    op("bincount", lambda m, x: m.bincount(_t(m, [0, 3, 3, 1], x), weights=x[0]),
       lambda x: np.bincount([0, 3, 3, 1], weights=x[0]), (2, 4), grad=False),
    op("count_nonzero", lambda m, x: m.count_nonzero(x > 0, dim=1),
       lambda x: np.count_nonzero(x > 0, axis=1), (3, 4), grad=False),
    op("argwhere", lambda m, x: m.argwhere(x > 0), lambda x: np.argwhere(x > 0), (3, 4),
       grad=False),
    op("isclose", lambda m, a, b: m.isclose(a, a + b * 1e-6, rtol=0, atol=1e-6),
       lambda a, b: np.isclose(a, a + b * 1e-6, rtol=0, atol=1e-6), (3, 4), (3, 4),
       grad=False),
    op("repeat_interleave", lambda m, x: m.repeat_interleave(x, 2, dim=1),
       lambda x: np.repeat(x, 2, axis=1), (3, 4)),
    op("repeat_interleave:counts", lambda m, x: x.repeat_interleave(_t(m, [1, 0, 2], x), dim=0),
       lambda x: np.repeat(x, [1, 0, 2], axis=0), (3, 4)),
    op("repeat_interleave:flat", lambda m, x: m.repeat_interleave(x, 2),
       lambda x: np.repeat(x, 2), (2, 3)),
    op("aminmax", lambda m, x: tuple(m.aminmax(x, dim=1)),
       lambda x: (x.min(1), x.max(1)), (3, 4)),
    op("median", lambda m, x: m.median(x), lambda x: _lower_median(x.ravel(), 0)[0], (3, 4)),
    op("median:dim", lambda m, x: tuple(x.median(1, keepdim=True)),
       lambda x: tuple(v[:, None] for v in _lower_median(x, 1)), (3, 4)),
    op("nanmedian", lambda m, x: tuple(m.nanmedian(x, 0)), lambda x: _lower_median(x, 0),
       (4, 3)),
    op("mode", lambda m, x: tuple(m.mode(_rounded(m, x), 1)), None, (3, 6)),
    op("quantile", lambda m, x: m.quantile(x, 0.3), lambda x: np.quantile(x, 0.3), (3, 4)),
    op("quantile:dim-q", lambda m, x: m.quantile(x, _t(m, [0.25, 0.5, 1.0], x, dtype=x.dtype),
                                                 dim=1, keepdim=True),
       lambda x: np.quantile(x, [0.25, 0.5, 1.0], axis=1, keepdims=True), (3, 5)),
    op("quantile:lower", lambda m, x: x.quantile(0.4, dim=0, interpolation="lower"),
       lambda x: np.quantile(x, 0.4, axis=0, method="lower"), (4, 3)),
    op("quantile:midpoint", lambda m, x: m.quantile(x, 0.4, 1, interpolation="midpoint"),
       lambda x: np.quantile(x, 0.4, axis=1, method="midpoint"), (3, 4)),
    op("quantile:nearest", lambda m, x: m.quantile(x, 0.7, 1, interpolation="nearest"),
       lambda x: np.quantile(x, 0.7, axis=1, method="nearest"), (3, 6)),
    op("nanquantile", lambda m, x: m.nanquantile(x.log(), 0.5, dim=1),
       lambda x: np.nanquantile(np.log(x), 0.5, axis=1), (3, 5), fd=False),
    op("nansum", lambda m, x: m.nansum(x.log(), 1), lambda x: np.nansum(np.log(x), 1), (3, 4),
       fd=False),
    op("nanmean", lambda m, x: x.log().nanmean(), lambda x: np.nanmean(np.log(x)), (3, 4),
       fd=False),
    op("std_mean", lambda m, x: tuple(m.std_mean(x, 1)),
       lambda x: (x.std(1, ddof=1), x.mean(1)), (3, 4), covers=("var_mean",)),
    op("var_mean", lambda m, x: tuple(m.var_mean(x, dim=0, correction=0)),
       lambda x: (x.var(0), x.mean(0)), (3, 4)),
    op("cov", lambda m, x: m.cov(x), np.cov, (3, 5)),
    op("cov:correction", lambda m, x: m.cov(x, correction=0), lambda x: np.cov(x, ddof=0),
       (5,)),
    op("corrcoef", lambda m, x: m.corrcoef(x), np.corrcoef, (3, 5)),
    op("renorm", lambda m, x: m.renorm(x, 2, 0, 1.0),
       lambda x: x * np.minimum(1.0, 1.0 / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-7)),
       (3, 4)),
    op("trapezoid", lambda m, y: m.trapezoid(y), lambda y: np.trapezoid(y), (3, 4),
       covers=("trapz",)),
    op("trapezoid:x", lambda m, y, x: m.trapezoid(y, x.cumsum(0)),
       lambda y, x: np.trapezoid(y, x.cumsum(0)), (3, 4), (4,)),
    op("trapz", lambda m, y: m.trapz(y, dx=0.5, dim=0), lambda y: np.trapezoid(y, dx=0.5,
                                                                               axis=0), (3, 4)),
    op("addmv", lambda m, a, b, c: m.addmv(a, b, c, beta=0.5, alpha=2),
       lambda a, b, c: 0.5 * a + 2 * b @ c, (3,), (3, 4), (4,)),
    op("addbmm", lambda m, a, b, c: m.addbmm(a, b, c), lambda a, b, c: a + (b @ c).sum(0),
       (3, 2), (4, 3, 5), (4, 5, 2)),
    op("baddbmm", lambda m, a, b, c: a.baddbmm(b, c, alpha=0.5),
       lambda a, b, c: a + 0.5 * (b @ c), (4, 3, 2), (4, 3, 5), (4, 5, 2)),
    op("addr", lambda m, a, b, c: m.addr(a, b, c, beta=2), lambda a, b, c: 2 * a + np.outer(b, c),
       (3, 4), (3,), (4,)),
]


def _np_unique_consecutive(x: np.ndarray) -> tuple:
    starts = np.concatenate([[True], x[1:] != x[:-1]])
    counts = np.diff(np.concatenate([np.nonzero(starts)[0], [len(x)]]))
    return x[starts], np.cumsum(starts) - 1, counts


def _unfold(x: np.ndarray) -> np.ndarray:
    return np.stack([x[:, i:i + 2] for i in range(0, 3, 1)], 1)


ROWS += [
    op("tensor_split", lambda m, x: m.tensor_split(x, 3, dim=1),
       lambda x: tuple(np.array_split(x, 3, axis=1)), (3, 4)),
    op("tensor_split:indices", lambda m, x: x.tensor_split([1, 3]),
       lambda x: tuple(np.split(x, [1, 3])), (4, 2)),
    op("hsplit", lambda m, x: m.hsplit(x, 2), lambda x: tuple(np.hsplit(x, 2)), (3, 4)),
    op("vsplit", lambda m, x: m.vsplit(x, [1]), lambda x: tuple(np.vsplit(x, [1])), (3, 4)),
    op("dsplit", lambda m, x: m.dsplit(x, 2), lambda x: tuple(np.dsplit(x, 2)), (2, 3, 4)),
    op("ravel", lambda m, x: m.ravel(x.mT), lambda x: np.ravel(x.T), (3, 4)),
    op("msort", lambda m, x: m.msort(x), lambda x: np.sort(x, 0), (3, 4)),
    op("take", lambda m, x: m.take(x, m.tensor([[0, 11], [5, -1]])),
       lambda x: np.take(x, [[0, 11], [5, -1]]), (3, 4)),
    op("inner", lambda m, a, b: m.inner(a, b), np.inner, (3, 4), (2, 4)),
    op("vdot", lambda m, a, b: m.vdot(a, b), np.vdot, (4,), (4,)),
    op("positive", lambda m, x: m.positive(x) * 2, lambda x: x * 2, (3,)),
    op("rsub", lambda m, a, b: m.rsub(a, b, alpha=2), lambda a, b: b - 2 * a, (3, 4), (4,)),
    op("fix", lambda m, x: m.fix(x * 3), lambda x: np.fix(x * 3), (3, 4)),
    op("diagflat", lambda m, x: m.diagflat(x, -1), lambda x: np.diagflat(x, -1), (2, 2)),
    op("unfold", lambda m, x: x.unfold(1, 2, 1), _unfold, (3, 4)),
    op("sum_to_size", lambda m, x: x.sum_to_size(3, 1), lambda x: x.sum(1, keepdims=True),
       (3, 4)),
]
