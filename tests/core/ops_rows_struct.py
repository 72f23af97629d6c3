"""Op-table rows (tests/core/test_ops_table.py) of scan.py and structure.py."""

from __future__ import annotations

import numpy as np

from tests.core.op_row import op


def _cummax(x: np.ndarray, axis: int) -> tuple:
    vals = np.maximum.accumulate(x, axis=axis)
    idx = np.maximum.accumulate(np.where(x == vals, np.arange(x.shape[axis])[:, None]
                                         if axis == 0 else np.arange(x.shape[axis]), 0), axis)
    return vals, idx


def _cummin(x: np.ndarray, axis: int) -> tuple:
    vals, idx = _cummax(-x, axis)
    return -vals, idx


def _logcumsumexp(x: np.ndarray, axis: int) -> np.ndarray:
    return np.log(np.cumsum(np.exp(x), axis=axis))


def _diag_embed(x: np.ndarray, k: int) -> np.ndarray:
    return np.stack([np.diag(row, k) for row in x])


ROWS = [
    op("cumprod", lambda m, x: m.cumprod(x, 1), lambda x: np.cumprod(x, 1), (3, 4)),
    op("cumprod:zeros", lambda m, x: (x * m.tensor([1.0, 0.0, 1.0, 0.0], dtype=x.dtype)
                                      ).cumprod(dim=1),
       lambda x: np.cumprod(x * [1.0, 0.0, 1.0, 0.0], 1), (3, 4)),
    op("cummax", lambda m, x: m.cummax(x, 1), lambda x: _cummax(x, 1), (3, 4)),
    op("cummin", lambda m, x: x.cummin(0), lambda x: _cummin(x, 0), (3, 4)),
    op("logcumsumexp", lambda m, x: m.logcumsumexp(x, 1), lambda x: _logcumsumexp(x, 1),
       (3, 4)),
    op("diff", lambda m, x: m.diff(x), lambda x: np.diff(x), (3, 4)),
    op("diff:n2-prepend", lambda m, x, p: x.diff(2, 0, prepend=p),
       lambda x, p: np.diff(np.concatenate([p, x]), 2, 0), (3, 4), (1, 4)),
    op("diagonal", lambda m, x: m.diagonal(x), lambda x: np.diagonal(x).copy(), (3, 4)),
    op("diagonal:offset-dims", lambda m, x: x.diagonal(-1, 2, 0),
       lambda x: np.diagonal(x, -1, 2, 0).copy(), (3, 2, 4)),
    op("diag", lambda m, x: m.diag(x, 1), lambda x: np.diag(x, 1), (3, 4)),
    op("diag:vector", lambda m, x: x.diag(-2), lambda x: np.diag(x, -2), (3,)),
    op("diag_embed", lambda m, x: m.diag_embed(x, 1), lambda x: _diag_embed(x, 1), (2, 3)),
    op("trace", lambda m, x: m.trace(x), np.trace, (3, 4)),
    op("kron", lambda m, a, b: m.kron(a, b), np.kron, (2, 3), (3, 2)),
    op("kron:ranks", lambda m, a, b: m.kron(a, b), np.kron, (3,), (2, 2)),
    op("fliplr", lambda m, x: m.fliplr(x), np.fliplr, (3, 4), covers=("flipud",)),
    op("flipud", lambda m, x: x.flipud(), np.flipud, (3, 4)),
    op("rot90", lambda m, x: m.rot90(x), np.rot90, (3, 4)),
    op("rot90:k3-dims", lambda m, x: x.rot90(3, [2, 0]), lambda x: np.rot90(x, 3, (2, 0)),
       (2, 3, 4)),
    op("rot90:k2", lambda m, x: x.rot90(-2), lambda x: np.rot90(x, -2), (2, 3)),
    op("meshgrid", lambda m, a, b: m.meshgrid(a, b, indexing="ij"),
       lambda a, b: np.meshgrid(a, b, indexing="ij"), (3,), (4,)),
    op("meshgrid:xy", lambda m, a, b: m.meshgrid([a, b], indexing="xy"),
       lambda a, b: np.meshgrid(a, b, indexing="xy"), (3,), (4,)),
    op("cartesian_prod", lambda m, a, b: m.cartesian_prod(a, b),
       lambda a, b: np.stack([g.ravel() for g in np.meshgrid(a, b, indexing="ij")], 1),
       (3,), (2,)),
    op("block_diag", lambda m, a, b: m.block_diag(a, b),
       lambda a, b: np.block([[a, np.zeros((2, 4))], [np.zeros((1, 3)), b[None]]]),
       (2, 3), (4,)),
    op("broadcast_to", lambda m, x: m.broadcast_to(x, (2, 3, 4)),
       lambda x: np.broadcast_to(x, (2, 3, 4)), (3, 1)),
    op("broadcast_tensors", lambda m, a, b: m.broadcast_tensors(a, b),
       lambda a, b: np.broadcast_arrays(a, b), (3, 1), (4,)),
    op("atleast_1d", lambda m, x: m.atleast_1d(x), np.atleast_1d, ()),
    op("atleast_2d", lambda m, a, b: m.atleast_2d(a, b), lambda a, b: np.atleast_2d(a, b),
       (3,), ()),
    op("atleast_3d", lambda m, a, b: m.atleast_3d([a, b]), lambda a, b: np.atleast_3d(a, b),
       (3,), (2, 3)),
    op("hstack", lambda m, a, b: m.hstack([a, b]), lambda a, b: np.hstack([a, b]), (3, 2),
       (3, 4)),
    op("vstack", lambda m, a, b: m.vstack((a, b)), lambda a, b: np.vstack([a, b]), (4,), (2, 4),
       covers=("row_stack",)),
    op("dstack", lambda m, a, b: m.dstack([a, b]), lambda a, b: np.dstack([a, b]), (2, 3),
       (2, 3)),
    op("column_stack", lambda m, a, b: m.column_stack([a, b]),
       lambda a, b: np.column_stack([a, b]), (3,), (3, 2)),
    op("tensordot", lambda m, a, b: m.tensordot(a, b, dims=([0, 2], [1, 0])),
       lambda a, b: np.tensordot(a, b, ([0, 2], [1, 0])), (2, 3, 4), (4, 2, 5)),
    op("tensordot:int", lambda m, a, b: m.tensordot(a, b, 1), lambda a, b: np.tensordot(a, b, 1),
       (2, 3), (3, 4)),
    op("tril_indices", lambda m, x: x[tuple(m.tril_indices(3, 4, 1))],
       lambda x: x[np.tril_indices(3, 1, 4)], (3, 4)),
    op("triu_indices", lambda m, x: x[tuple(m.triu_indices(3, 4, -1))],
       lambda x: x[np.triu_indices(3, -1, 4)], (3, 4)),
]
ROWS += [
    op("select", lambda m, x: m.select(x, 1, -2), lambda x: x[:, -2], (3, 4)),
]
