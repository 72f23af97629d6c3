"""Op-table rows (tests/core/test_ops_table.py) of index_more.py: indexed writes and
scatter_reduce, against numpy (np.add.at and friends)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.core.op_row import op

IDX = [2, 0, 2]  # repeats: accumulation and ties
SIDX = [[0, 2, 2], [1, 0, 3]]  # a scatter index for dim 1 of a (2, 4) input
MASK = [[True, False, True, False], [False, True, True, False], [True, True, False, False]]


def _index_add(x: np.ndarray, s: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    y = x.copy()
    np.add.at(y, (slice(None), IDX), alpha * s)
    return y


def _index_copy(x: np.ndarray, s: np.ndarray) -> np.ndarray:
    y = x.copy()
    y[[2, 0, 1]] = s
    return y


def _masked_scatter(x: np.ndarray, s: np.ndarray) -> np.ndarray:
    y = x.copy()
    m = np.array(MASK)
    y[m] = s.reshape(-1)[: m.sum()]
    return y


def _scatter_reduce(x: np.ndarray, s: np.ndarray, how: str, include_self: bool = True) -> Any:
    y = x.copy()
    hit = np.zeros(x.shape, bool)
    rows = np.arange(2)[:, None]
    hit[rows, SIDX] = True
    ufunc = {"sum": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum}
    if how == "mean":
        total = np.where(hit & ~include_self, 0, y)
        count = np.where(hit & ~include_self, 0, 1).astype(float)
        np.add.at(total, (rows, SIDX), s)
        np.add.at(count, (rows, SIDX), 1)
        return np.where(hit, total / np.maximum(count, 1), x)
    if not include_self:
        start = {"sum": 0, "prod": 1, "amax": -np.inf, "amin": np.inf}[how]
        y = np.where(hit, start, y)
    ufunc[how].at(y, (rows, SIDX), s)
    return y


def _t(m: Any, v: Any, x: Any) -> Any:
    return m.tensor(v, device=x.device)


ROWS = [
    op("index_add", lambda m, x, s: m.index_add(x, 1, _t(m, IDX, x), s),
       _index_add, (2, 4), (2, 3)),
    op("index_add:alpha", lambda m, x, s: x.index_add(1, _t(m, IDX, x), s, alpha=-2.0),
       lambda x, s: _index_add(x, s, -2.0), (2, 4), (2, 3)),
    op("index_copy", lambda m, x, s: m.index_copy(x, 0, _t(m, [2, 0, 1], x), s),
       _index_copy, (4, 3), (3, 3)),
    op("index_fill", lambda m, x: m.index_fill(x, 1, _t(m, [0, 2], x), -1.5),
       lambda x: np.where(np.isin(np.arange(4), [0, 2]), -1.5, x), (3, 4)),
    op("index_put", lambda m, x, v: m.index_put(x, (_t(m, [0, 2], x),), v),
       lambda x, v: np.concatenate([v[:1], x[1:2], v[1:]]), (3, 4), (2, 4)),
    op("index_put:accumulate",
       lambda m, x, v: x.index_put((_t(m, [0, 0], x), _t(m, [1, 1], x)), v, accumulate=True),
       lambda x, v: x + np.array([[0, v[0] + v[1], 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]),
       (3, 4), (2,)),
    op("masked_select", lambda m, x: m.masked_select(x, _t(m, MASK[0], x)),
       lambda x: x[:, np.array(MASK[0])].reshape(-1), (3, 4)),
    op("masked_scatter", lambda m, x, s: m.masked_scatter(x, _t(m, MASK, x), s),
       _masked_scatter, (3, 4), (2, 4)),
    op("scatter_reduce:sum",
       lambda m, x, s: m.scatter_reduce(x, 1, _t(m, SIDX, x), s, "sum"),
       lambda x, s: _scatter_reduce(x, s, "sum"), (2, 4), (2, 3)),
    op("scatter_reduce:sum-exclude",
       lambda m, x, s: x.scatter_reduce(1, _t(m, SIDX, x), s, "sum", include_self=False),
       lambda x, s: _scatter_reduce(x, s, "sum", False), (2, 4), (2, 3)),
    op("scatter_reduce:mean",
       lambda m, x, s: m.scatter_reduce(x, 1, _t(m, SIDX, x), s, reduce="mean"),
       lambda x, s: _scatter_reduce(x, s, "mean"), (2, 4), (2, 3)),
    op("scatter_reduce:mean-exclude",
       lambda m, x, s: m.scatter_reduce(x, 1, _t(m, SIDX, x), s, "mean", include_self=False),
       lambda x, s: _scatter_reduce(x, s, "mean", False), (2, 4), (2, 3)),
    op("scatter_reduce:amax",
       lambda m, x, s: m.scatter_reduce(x, 1, _t(m, SIDX, x), s, "amax"),
       lambda x, s: _scatter_reduce(x, s, "amax"), (2, 4), (2, 3)),
    op("scatter_reduce:amin-exclude",
       lambda m, x, s: m.scatter_reduce(x, 1, _t(m, SIDX, x), s, "amin", include_self=False),
       lambda x, s: _scatter_reduce(x, s, "amin", False), (2, 4), (2, 3)),
    op("scatter_reduce:prod",
       lambda m, x, s: m.scatter_reduce(x, 1, _t(m, SIDX, x), s, "prod"),
       lambda x, s: _scatter_reduce(x, s, "prod"), (2, 4), (2, 3)),
    op("scatter_reduce:prod-exclude",
       lambda m, x, s: m.scatter_reduce(x, 1, _t(m, SIDX, x), s, "prod", include_self=False),
       lambda x, s: _scatter_reduce(x, s, "prod", False), (2, 4), (2, 3)),
]
