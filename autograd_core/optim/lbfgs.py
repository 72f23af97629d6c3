"""L-BFGS with PyTorch's algorithm: closure, history, tolerances and strong-Wolfe search."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd_core import grad_mode, hooks
from autograd_core.backend import get_array_module
from autograd_core.optim._line_search import strong_wolfe
from autograd_core.optim.optimizer import Optimizer
from autograd_core.tensor import Tensor, bump_version

_HISTORY_KEYS = ("d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad",
                 "prev_loss")


class LBFGS(Optimizer):
    """Quasi-Newton steps from the last `history_size` (step, grad change) pairs.

    The parameters are handled as one flat vector, so only one parameter group is allowed.
    `step(closure)` needs the closure: it re-evaluates the loss (and its backward) as often
    as the search needs.

    Example:
        opt = LBFGS(model.parameters(), lr=1, line_search_fn="strong_wolfe")
        def closure():
            opt.zero_grad(); loss = loss_fn(model(x), y); loss.backward(); return loss
        opt.step(closure)
    """

    def __init__(self, params: Any, lr: float = 1, max_iter: int = 20,
                 max_eval: int | None = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn)
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params: list[Tensor] = self.param_groups[0]["params"]

    # ------------------------------------------------------------------ flat vectors
    def _gather_flat_grad(self) -> Any:
        xp = get_array_module(self._params[0]._data)
        views = [xp.zeros(p._data.size, p._data.dtype) if p.grad is None
                 else p.grad._data.reshape(-1) for p in self._params]
        return xp.concatenate(views)

    def _add_grad(self, step_size: float, update: Any) -> None:
        offset = 0
        for p in self._params:
            n = p._data.size
            bump_version(p)
            p._data += step_size * update[offset:offset + n].reshape(p._data.shape)
            offset += n

    def _clone_param(self) -> list[Any]:
        return [p._data.copy() for p in self._params]

    def _set_param(self, arrays: list[Any]) -> None:
        for p, arr in zip(self._params, arrays):
            bump_version(p)
            p._data[...] = arr

    def _evaluate(self, closure: Callable[[], Any]) -> Any:
        with grad_mode.enable_grad():
            return closure()

    def _directional_evaluate(self, closure: Callable[[], Any], x: list[Any], t: float,
                              d: Any) -> tuple[float, Any]:
        self._add_grad(t, d)
        loss = float(self._evaluate(closure))
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    # ------------------------------------------------------------------ step
    def step(self, closure: Callable[[], Any] | None = None) -> Any:  # type: ignore[override]
        """Up to `max_iter` L-BFGS iterations; returns the loss of the first evaluation."""
        if closure is None:
            raise TypeError("LBFGS.step() missing 1 required positional argument: 'closure'")
        prev = grad_mode.state.enabled
        grad_mode.state.enabled = False  # torch runs step under no_grad, the closure with grad
        try:
            return self._step(closure)
        finally:
            grad_mode.state.enabled = prev

    def _step(self, closure: Callable[[], Any]) -> Any:
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        orig_loss = self._evaluate(closure)
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        obs = hooks.state.observer
        if obs is not None:
            obs.phase("update")
        flat_grad = self._gather_flat_grad()
        if abs(flat_grad).max() <= tolerance_grad:  # already optimal
            return orig_loss
        h = {k: _raw(state.get(k)) for k in _HISTORY_KEYS}
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            self._direction(h, state, flat_grad, group["history_size"])
            if h["prev_flat_grad"] is None:
                h["prev_flat_grad"] = flat_grad.copy()
            else:
                h["prev_flat_grad"][...] = flat_grad
            h["prev_loss"] = loss
            d = h["d"]
            # the first step is scaled by the gradient's size, later ones take lr
            t = min(1.0, 1.0 / float(abs(flat_grad).sum())) * lr if state["n_iter"] == 1 else lr
            h["t"] = t
            gtd = float(flat_grad.dot(d))
            if gtd > -tolerance_change:  # not a descent direction
                break
            ls_func_evals = 0
            if group["line_search_fn"] is not None:
                if group["line_search_fn"] != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x_init = self._clone_param()

                def obj_func(x: Any, t: float, d: Any) -> tuple[float, Any]:
                    return self._directional_evaluate(closure, x, t, d)

                loss, flat_grad, t, ls_func_evals = strong_wolfe(
                    obj_func, x_init, t, d, loss, flat_grad, gtd,
                    max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                opt_cond = False
                if n_iter != max_iter:
                    loss = float(self._evaluate(closure))
                    flat_grad = self._gather_flat_grad()
                    opt_cond = abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1
            h["t"] = t
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals
            if (n_iter == max_iter or current_evals >= max_eval or opt_cond
                    or abs(d * t).max() <= tolerance_change
                    or abs(loss - h["prev_loss"]) < tolerance_change):
                break
        state.update({k: _wrap(v) for k, v in h.items()})
        return orig_loss

    def _direction(self, h: dict[str, Any], state: dict[str, Any], flat_grad: Any,
                   history_size: int) -> None:
        """Set h["d"]: -grad at first, then the two-loop recursion over the history."""
        if state["n_iter"] == 1:
            h.update(d=-flat_grad, old_dirs=[], old_stps=[], ro=[], H_diag=1.0)
            return
        y = flat_grad - h["prev_flat_grad"]
        s = h["d"] * h["t"]
        ys = float(y.dot(s))
        if ys > 1e-10:  # keep the pair only while the curvature condition holds
            if len(h["old_dirs"]) == history_size:
                for key in ("old_dirs", "old_stps", "ro"):
                    h[key].pop(0)
            h["old_dirs"].append(y)
            h["old_stps"].append(s)
            h["ro"].append(1.0 / ys)
            h["H_diag"] = ys / float(y.dot(y))
        old_dirs, old_stps, ro = h["old_dirs"], h["old_stps"], h["ro"]
        num_old = len(old_dirs)
        al = state.setdefault("al", [None] * history_size)
        q = -flat_grad
        for i in range(num_old - 1, -1, -1):
            al[i] = float(old_stps[i].dot(q)) * ro[i]
            q -= al[i] * old_dirs[i]
        r = q * h["H_diag"]
        for i in range(num_old):
            be_i = float(old_dirs[i].dot(r)) * ro[i]
            r += (al[i] - be_i) * old_stps[i]
        h["d"] = r


def _raw(value: Any) -> Any:
    """State as the step uses it: raw arrays (lists of them) and Python numbers."""
    if isinstance(value, Tensor):
        return value._data if value._data.ndim else float(value._data)
    if isinstance(value, list):
        return [_raw(v) for v in value]
    return value


def _wrap(value: Any) -> Any:
    """State as state_dict shows it: vectors as tensors, numbers as numbers."""
    if isinstance(value, list):
        return [_wrap(v) for v in value]
    if value is not None and hasattr(value, "ndim"):
        return Tensor._make(value)
    return value
