"""The strong-Wolfe line search of LBFGS (PyTorch's port of minFunc), on flat raw arrays."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

Objective = Callable[[Any, float, Any], tuple[float, Any]]  # (x, t, d) -> (loss, flat grad)


def cubic_interpolate(x1: float, f1: float, g1: float, x2: float, f2: float, g2: float,
                      bounds: tuple[float, float] | None = None) -> float:
    """Minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clipped to the bounds."""
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square >= 0:
        d2 = math.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


class _Bracket:
    """The interval [t_lo, t_hi] the zoom phase narrows, with loss, grad and slope at both ends."""

    def __init__(self, t: list[float], f: list[float], g: list[Any], gtd: list[float]) -> None:
        self.t, self.f, self.g, self.gtd = t, f, g, gtd

    def set(self, pos: int, t: float, f: float, g: Any, gtd: float) -> None:
        self.t[pos], self.f[pos], self.g[pos], self.gtd[pos] = t, f, g, gtd

    def order(self) -> tuple[int, int]:
        """(low, high): the end with the lower loss first."""
        return (0, 1) if self.f[0] <= self.f[-1] else (1, 0)


def strong_wolfe(obj_func: Objective, x: Any, t: float, d: Any, f: float, g: Any, gtd: float,
                 c1: float = 1e-4, c2: float = 0.9, tolerance_change: float = 1e-9,
                 max_ls: int = 25) -> tuple[float, Any, float, int]:
    """Find a step t along d meeting the strong Wolfe conditions; returns (f, g, t, evals)."""
    d_norm = float(abs(d).max())
    g = g.copy()
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = float(g_new.dot(d))
    t_prev, f_prev, g_prev, gtd_prev = 0.0, f, g, gtd
    done = False
    ls_iter = 0
    bracket: _Bracket | None = None
    # bracketing phase: grow t until an interval surely holds a point meeting the conditions
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket = _Bracket([t_prev, t], [f_prev, f_new], [g_prev, g_new.copy()],
                               [gtd_prev, gtd_new])
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket = _Bracket([t], [f_new], [g_new], [gtd_new])
            done = True
            break
        if gtd_new >= 0:
            bracket = _Bracket([t_prev, t], [f_prev, f_new], [g_prev, g_new.copy()],
                               [gtd_prev, gtd_new])
            break
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                              bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.copy(), gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = float(g_new.dot(d))
        ls_iter += 1
    if ls_iter == max_ls:
        bracket = _Bracket([0.0, t], [f, f_new], [g, g_new], [gtd, gtd_new])
    assert bracket is not None
    low, high = bracket.order()
    insuf_progress = False
    # zoom phase: cubic interpolation inside the bracket until the conditions hold
    while not done and ls_iter < max_ls:
        b = bracket.t
        if abs(b[1] - b[0]) * d_norm < tolerance_change:
            break
        t = cubic_interpolate(b[0], bracket.f[0], bracket.gtd[0], b[1], bracket.f[1],
                              bracket.gtd[1])
        t, insuf_progress = _keep_away_from_ends(t, b, insuf_progress)
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = float(g_new.dot(d))
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket.f[low]:
            bracket.set(high, t, f_new, g_new.copy(), gtd_new)
            low, high = bracket.order()
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (b[high] - b[low]) >= 0:
                bracket.set(high, b[low], bracket.f[low], bracket.g[low], bracket.gtd[low])
            bracket.set(low, t, f_new, g_new.copy(), gtd_new)
    return bracket.f[low], bracket.g[low], bracket.t[low], ls_func_evals


def _keep_away_from_ends(t: float, b: list[float], insuf_progress: bool) -> tuple[float, bool]:
    """Move t a tenth of the bracket inwards when it keeps landing near an end (minFunc)."""
    eps = 0.1 * (max(b) - min(b))
    if min(max(b) - t, t - min(b)) >= eps:
        return t, False
    if insuf_progress or t >= max(b) or t <= min(b):
        t = max(b) - eps if abs(t - max(b)) < abs(t - min(b)) else min(b) + eps
        return t, False
    return t, True
