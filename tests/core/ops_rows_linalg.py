"""Op-table rows (tests/core/test_ops_table.py) of linear algebra: decomp.py (through
`linalg`) and linalg_more.py. Decompositions are checked through quantities that do not
depend on the sign (gauge) of singular/eigen vectors, as PyTorch's own gradchecks do."""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.core.op_row import op


def _spd(m: Any, x: Any) -> Any:
    return x @ x.mT + 3 * m.eye(x.shape[-1], dtype=x.dtype)


def _np_spd(x: np.ndarray) -> np.ndarray:
    return x @ np.swapaxes(x, -1, -2) + 3 * np.eye(x.shape[-1])


def _svd_parts(m: Any, x: Any) -> tuple:
    u, s, vh = m.linalg.svd(x, full_matrices=False)
    return s, u @ vh, u * u


def _np_svd_parts(x: np.ndarray) -> tuple:
    u, s, vh = np.linalg.svd(x, full_matrices=False)
    return s, u @ vh, u * u


def _eigh_parts(m: Any, x: Any) -> tuple:
    w, v = m.linalg.eigh(x + x.mT)
    return w, v * v


def _np_eigh_parts(x: np.ndarray) -> tuple:
    w, v = np.linalg.eigh(x + np.swapaxes(x, -1, -2))
    return w, v * v


def _qr_parts(m: Any, x: Any) -> tuple:
    q, r = m.linalg.qr(x)
    return q, r


def _np_qr(x: np.ndarray) -> tuple:
    q, r = np.linalg.qr(x)
    return q, r


def _cdist(a: np.ndarray, b: np.ndarray, p: float) -> np.ndarray:
    return (np.abs(a[:, None, :] - b[None, :, :]) ** p).sum(-1) ** (1 / p)


ROWS = [
    op("inv", lambda m, x: m.linalg.inv(x), np.linalg.inv, (2, 3, 3), covers=("inverse",)),
    op("inverse", lambda m, x: x.inverse(), np.linalg.inv, (3, 3)),
    op("det", lambda m, x: m.linalg.det(x), np.linalg.det, (2, 3, 3)),
    op("det:method", lambda m, x: x.det(), np.linalg.det, (3, 3)),
    op("slogdet", lambda m, x: m.linalg.slogdet(x), lambda x: tuple(np.linalg.slogdet(x)),
       (2, 3, 3)),
    op("logdet", lambda m, x: m.logdet(_spd(m, x)), lambda x: np.linalg.slogdet(_np_spd(x))[1],
       (3, 3)),
    op("solve", lambda m, a, b: m.linalg.solve(a, b), np.linalg.solve, (2, 3, 3), (2, 3, 2)),
    op("solve:vector", lambda m, a, b: m.linalg.solve(a, b),
       lambda a, b: np.linalg.solve(a, b[..., None])[..., 0], (3, 3), (3,)),
    op("solve:right", lambda m, a, b: m.linalg.solve(a, b, left=False),
       lambda a, b: np.linalg.solve(a.T, b.T).T, (3, 3), (2, 3)),
    op("cholesky", lambda m, x: m.linalg.cholesky(_spd(m, x)),
       lambda x: np.linalg.cholesky(_np_spd(x)), (2, 3, 3)),
    op("cholesky:upper", lambda m, x: m.linalg.cholesky(_spd(m, x), upper=True),
       lambda x: np.linalg.cholesky(_np_spd(x)).T, (3, 3)),
    op("qr", _qr_parts, _np_qr, (4, 3)),
    op("eigh", _eigh_parts, _np_eigh_parts, (3, 3), covers=("eigvalsh",)),
    op("eigvalsh", lambda m, x: m.linalg.eigvalsh(x + x.mT),
       lambda x: np.linalg.eigvalsh(x + np.swapaxes(x, -1, -2)), (2, 3, 3)),
    op("svd", _svd_parts, _np_svd_parts, (4, 3)),
    op("svd:wide", lambda m, x: _svd_parts(m, x)[:2], lambda x: _np_svd_parts(x)[:2],
       (2, 3, 5)),
    op("svdvals", lambda m, x: m.linalg.svdvals(x), lambda x: np.linalg.svd(x, compute_uv=False),
       (3, 4)),
    op("pinv", lambda m, x: m.linalg.pinv(x), np.linalg.pinv, (4, 3), covers=("pinverse",)),
    op("pinverse", lambda m, x: x.pinverse(), np.linalg.pinv, (2, 3)),
    op("matrix_power", lambda m, x: m.linalg.matrix_power(x, 3),
       lambda x: np.linalg.matrix_power(x, 3), (3, 3)),
    op("matrix_power:negative", lambda m, x: x.matrix_power(-2),
       lambda x: np.linalg.matrix_power(x, -2), (3, 3)),
    op("lstsq", lambda m, a, b: m.linalg.lstsq(a, b).solution,
       lambda a, b: np.linalg.lstsq(a, b, rcond=None)[0], (5, 3), (5, 2)),
    op("vector_norm", lambda m, x: m.linalg.vector_norm(x, 3, dim=1),
       lambda x: (np.abs(x) ** 3).sum(1) ** (1 / 3), (3, 4)),
    op("matrix_norm:fro", lambda m, x: m.linalg.matrix_norm(x), lambda x: np.linalg.norm(
        x, "fro", axis=(-2, -1)), (2, 3, 4)),
    op("matrix_norm:nuc", lambda m, x: m.linalg.matrix_norm(x, "nuc"), lambda x: np.linalg.norm(
        x, "nuc", axis=(-2, -1)), (2, 3, 4)),
    op("matrix_norm:2", lambda m, x: m.linalg.matrix_norm(x, 2, keepdim=True),
       lambda x: np.linalg.norm(x, 2, axis=(-2, -1), keepdims=True), (2, 3, 4)),
    op("matrix_norm:1", lambda m, x: m.linalg.matrix_norm(x, -1, dim=(0, 2)),
       lambda x: np.linalg.norm(x, -1, axis=(0, 2)), (3, 2, 4)),
    op("matrix_norm:inf", lambda m, x: m.linalg.matrix_norm(x, float("inf")),
       lambda x: np.linalg.norm(x, np.inf, axis=(-2, -1)), (3, 4)),
    op("linalg.norm", lambda m, x: (m.linalg.norm(x), m.linalg.norm(x, 1, dim=0),
                                    m.linalg.norm(x, "fro", dim=(0, 1))),
       lambda x: (np.linalg.norm(x), np.linalg.norm(x, 1, axis=0), np.linalg.norm(x)), (3, 4)),
    op("norm:nuc", lambda m, x: m.norm(x, "nuc"), lambda x: np.linalg.norm(x, "nuc"), (3, 4)),
    op("multi_dot", lambda m, a, b, c: m.linalg.multi_dot([a, b, c]),
       lambda a, b, c: a @ b @ c, (3,), (3, 4), (4, 2)),
    op("cross", lambda m, a, b: m.cross(a, b, dim=1), lambda a, b: np.cross(a, b, axis=1),
       (2, 3), (2, 3)),
    op("linalg.cross", lambda m, a, b: m.linalg.cross(a, b), np.cross, (4, 3), (1, 3)),
    op("vecdot", lambda m, a, b: m.linalg.vecdot(a, b), lambda a, b: (a * b).sum(-1), (3, 4),
       (4,)),
    op("cdist", lambda m, a, b: m.cdist(a, b), lambda a, b: _cdist(a, b, 2.0), (3, 4), (5, 4)),
    op("cdist:p1", lambda m, a, b: m.cdist(a, b, p=1.0), lambda a, b: _cdist(a, b, 1.0), (3, 4),
       (2, 4)),
    op("dist", lambda m, a, b: m.dist(a, b, 3), lambda a, b: (np.abs(a - b) ** 3).sum() ** (1 / 3),
       (3, 4), (4,)),
    op("matrix_rank", lambda m, x: m.linalg.matrix_rank(x), np.linalg.matrix_rank, (3, 4),
       grad=False),
]


def _np_fill_diagonal(x: np.ndarray) -> np.ndarray:
    y = x.copy()
    np.fill_diagonal(y, 2.5)
    return y


def _np_put(x: np.ndarray, s: np.ndarray) -> np.ndarray:
    y = x.copy().ravel()
    np.add.at(y, [1, 7, 1], s)
    return y.reshape(x.shape)


def _expm(x: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eig(x)
    return (v @ np.diag(np.exp(w)) @ np.linalg.inv(v)).real


ROWS += [
    op("matrix_exp", lambda m, x: m.linalg.matrix_exp(x), _expm, (3, 3)),
    op("matrix_exp:large", lambda m, x: m.matrix_exp(x * 4), lambda x: _expm(x * 4), (2, 2)),
    op("solve_triangular", lambda m, a, b: m.linalg.solve_triangular(a + 3 * m.eye(
        3, dtype=a.dtype), b, upper=True), lambda a, b: np.linalg.solve(
        np.triu(a + 3 * np.eye(3)), b), (3, 3), (3, 2)),
    op("solve_triangular:right-unit", lambda m, a, b: m.linalg.solve_triangular(
        a, b, upper=False, left=False, unitriangular=True),
       lambda a, b: b @ np.linalg.inv(np.tril(a, -1) + np.eye(3)), (3, 3), (2, 3)),
    op("cond", lambda m, x: m.linalg.cond(x), lambda x: np.linalg.cond(x), (3, 3)),
    op("cond:fro", lambda m, x: m.linalg.cond(x, "fro"), lambda x: np.linalg.cond(x, "fro"),
       (3, 3)),
    op("vander", lambda m, x: m.vander(x, 4), lambda x: np.vander(x, 4), (3,)),
    op("linalg.vander", lambda m, x: m.linalg.vander(x), lambda x: np.vander(x, increasing=True),
       (3,)),
    op("combinations", lambda m, x: m.combinations(x, 2, with_replacement=True),
       lambda x: np.array([[x[i], x[j]] for i in range(3) for j in range(i, 3)]), (3,)),
    op("cumulative_trapezoid", lambda m, y: m.cumulative_trapezoid(y, dx=0.5),
       lambda y: np.cumsum((y[:, 1:] + y[:, :-1]) * 0.25, 1), (3, 4)),
    op("fill_diagonal", lambda m, x: (x * 1).fill_diagonal_(2.5), _np_fill_diagonal, (3, 4)),
    op("put", lambda m, x, s: (x * 1).put_(m.tensor([1, 7, 1]), s, accumulate=True), _np_put,
       (3, 4), (3,)),
]


def _np_put_ends(x: np.ndarray, s: np.ndarray) -> np.ndarray:
    y = x.copy().ravel()
    y[[0, -1]] = s
    return y.reshape(x.shape)


def _np_put_at(x: np.ndarray, index: list, s: np.ndarray) -> np.ndarray:
    y = x.copy().ravel()
    np.add.at(y, index, s)
    return y.reshape(x.shape)


def _tri(m: Any, a: Any) -> Any:
    """A well-conditioned square matrix whose triangles are both invertible."""
    return a + 3 * m.eye(a.shape[-1], dtype=a.dtype)


ROWS += [
    op("put:torch", lambda m, x, s: m.put(x, m.tensor([0, -1]), s), _np_put_ends, (2, 3), (2,)),
    op("put:method", lambda m, x, s: x.put(m.tensor([4, 4]), s, accumulate=True),
       lambda x, s: _np_put_at(x, [4, 4], s), (2, 3), (2,)),
    # legacy solvers and chain_matmul (linalg_legacy.py; deprecated in PyTorch, which warns)
    op("chain_matmul", lambda m, a, b, c: m.chain_matmul(a, b, c),
       lambda a, b, c: a @ b @ c, (2, 3), (3, 4), (4, 2)),
    op("triangular_solve", lambda m, b, a: tuple(m.triangular_solve(b, _tri(m, a))),
       lambda b, a: (np.linalg.solve(np.triu(a + 3 * np.eye(3)), b), a + 3 * np.eye(3)),
       (3, 2), (3, 3)),
    op("triangular_solve:lower-transposed-unit", lambda m, b, a: b.triangular_solve(
        a, upper=False, transpose=True, unitriangular=True).solution,
       lambda b, a: np.linalg.solve((np.tril(a, -1) + np.eye(3)).T, b), (2, 3, 2), (3, 3)),
    op("cholesky_solve", lambda m, b, x: m.cholesky_solve(b, m.linalg.cholesky(_spd(m, x))),
       lambda b, x: np.linalg.solve(_np_spd(x), b), (3, 2), (2, 3, 3)),
    op("cholesky_solve:upper", lambda m, b, x: b.cholesky_solve(
        m.linalg.cholesky(_spd(m, x), upper=True), upper=True),
       lambda b, x: np.linalg.solve(_np_spd(x), b), (3, 2), (3, 3)),
]
