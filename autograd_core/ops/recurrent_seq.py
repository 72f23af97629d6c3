"""One LSTM or GRU layer over a whole sequence as one op, with a hand-written backward.

nn.LSTM / nn.GRU project every step's input with one matmul (a `linear` node); what is left
is the recurrence, which composed of engine ops costs ~15 graph nodes per time step and, in
backward, two weight-gradient products of B rows per step. Here the forward is one loop of
one product (h W_hh^T) and a few in-place array passes per step; the backward loops once
more for the per-step gate gradients and h's gradient, then takes W_hh's and b_hh's
gradients for all steps at once (one product of T*B rows). Used on the CPU (numpy arrays)
when no trace observer is attached; with one attached, the layers stay composed so the
inspector shows each gate. Gradients are exact (gradcheck in float64, PyTorch in tests).
"""

from __future__ import annotations

import numpy as np

from autograd_core import hooks
from autograd_core.function import Function
from autograd_core.tensor import Tensor

__all__: list[str] = []


def _sigmoid_(z: np.ndarray) -> np.ndarray:
    """sigmoid in place, as tanh(z/2)/2 + 1/2 (no overflow for large |z|)."""
    z *= 0.5
    np.tanh(z, out=z)
    z *= 0.5
    z += 0.5
    return z


def _order(x: np.ndarray, reverse: bool) -> np.ndarray:
    return x[::-1] if reverse else x


def _ordered(x: np.ndarray, reverse: bool) -> np.ndarray:
    return np.ascontiguousarray(x[::-1]) if reverse else x


class LSTMLayer(Function):
    """(out (T,B,H), h_T, c_T) of one LSTM direction; xg = x W_ih^T + b_ih (T,B,4H) given."""

    @staticmethod
    def forward(ctx, xg, h0, c0, w_hh, b_hh=None, reverse=False):
        T, B, G = xg.shape
        H = G // 4
        dt = xg.dtype
        # sigmoid(z) = tanh(z/2)/2 + 1/2: with the sigmoid gates' pre-activations halved
        # (through W_hh and the input once, not per step), one tanh over all four gates,
        # then one multiply and one add per step give i, f, g, o.
        half = np.ones(G, dt)
        half[:2 * H] = half[3 * H:] = 0.5
        shift = np.zeros(G, dt)
        shift[:2 * H] = shift[3 * H:] = 0.5
        w_t = np.ascontiguousarray((w_hh * half[:, None]).T)  # BLAS is faster on it
        xs = xg * half if b_hh is None else xg + b_hh
        if b_hh is not None:
            xs *= half
        xs = _order(xs, reverse)
        hs = np.empty((T + 1, B, H), dt)  # hs[t] is the state before step t
        cs = np.empty((T + 1, B, H), dt)
        gates = np.empty((T, B, G), dt)  # activated i, f, g, o
        tcs = np.empty((T, B, H), dt)  # tanh(c_t)
        hs[0], cs[0] = h0, c0
        tmp = np.empty((B, H), dt)
        for t in range(T):
            z = gates[t]
            np.matmul(hs[t], w_t, out=z)
            z += xs[t]
            np.tanh(z, out=z)
            z *= half
            z += shift
            c = np.multiply(z[:, H:2 * H], cs[t], out=cs[t + 1])
            c += np.multiply(z[:, :H], z[:, 2 * H:3 * H], out=tmp)
            np.tanh(c, out=tcs[t])
            np.multiply(z[:, 3 * H:], tcs[t], out=hs[t + 1])
        ctx.save_for_backward(w_hh, hs, cs, gates, tcs)
        ctx.reverse, ctx.has_bias = reverse, b_hh is not None
        ctx.xg, ctx.b_hh = xg, b_hh  # for create_graph: the layer is rebuilt from ops
        return _order(hs[1:], reverse).copy(), hs[T].copy(), cs[T].copy()

    @staticmethod
    def backward(ctx, g_out, g_h, g_c):
        w_hh, hs, cs, gates, tcs = ctx.saved_tensors
        T, B, G = gates.shape
        H = G // 4
        # Every step's local derivatives in a few passes over all steps at once, so that a
        # step is five small array operations and one product: with s the activation slopes
        # (s(1-s) for i, f, o; 1-g^2 for g), d{i,f,g} = dc * (g s_i, c_prev s_f, i s_g) and
        # d o = dh * tanh(c) s_o.
        slope = 1 - gates
        slope *= gates
        i, f, g, o = (gates[..., k * H:(k + 1) * H] for k in range(4))
        np.multiply(g, g, out=slope[..., 2 * H:3 * H])
        np.subtract(1, slope[..., 2 * H:3 * H], out=slope[..., 2 * H:3 * H])
        by_dc = np.empty((T, B, 3, H), gates.dtype)
        np.multiply(g, slope[..., :H], out=by_dc[:, :, 0])
        np.multiply(cs[:T], slope[..., H:2 * H], out=by_dc[:, :, 1])
        np.multiply(i, slope[..., 2 * H:3 * H], out=by_dc[:, :, 2])
        by_dh = tcs * slope[..., 3 * H:]
        o_slope = 1 - tcs * tcs
        o_slope *= o  # dc += dh * o (1 - tanh(c)^2)
        g_out = _order(g_out, ctx.reverse)
        dz_all = np.empty_like(gates)
        dz4 = dz_all.reshape(T, B, 4, H)
        dh = g_h.copy()
        dc = g_c.copy()
        tmp = np.empty((B, H), gates.dtype)
        need = ctx.needs_input_grad
        for t in range(T - 1, -1, -1):
            dh += g_out[t]
            dc += np.multiply(dh, o_slope[t], out=tmp)
            np.multiply(dc[:, None, :], by_dc[t], out=dz4[t, :, :3])
            np.multiply(dh, by_dh[t], out=dz4[t, :, 3])
            dc *= f[t]
            if t or need[1]:  # the last product is h0's gradient: skipped when unwanted
                dh = dz_all[t] @ w_hh
        flat = dz_all.reshape(T * B, G)
        gw = flat.T @ hs[:T].reshape(T * B, H) if need[3] else None
        gb = flat.sum(0) if ctx.has_bias and need[4] else None
        return _ordered(dz_all, ctx.reverse), dh if need[1] else None, dc, gw, gb


class GRULayer(Function):
    """(out (T,B,H), h_T) of one GRU direction; xg = x W_ih^T + b_ih (T,B,3H) given."""

    @staticmethod
    def forward(ctx, xg, h0, w_hh, b_hh=None, reverse=False):
        T, B, G = xg.shape
        H = G // 3
        dt = xg.dtype
        xs = _order(xg, reverse)
        hs = np.empty((T + 1, B, H), dt)
        acts = np.empty((T, B, G), dt)  # r, z, n after their activations
        hns = np.empty((T, B, H), dt)  # h W_hn^T + b_hn (r multiplies it)
        hs[0] = h0
        w_t = w_hh.T
        hg = np.empty((B, G), dt)
        for t in range(T):
            np.matmul(hs[t], w_t, out=hg)
            if b_hh is not None:
                hg += b_hh
            a, x = acts[t], xs[t]
            np.add(x[:, :2 * H], hg[:, :2 * H], out=a[:, :2 * H])
            _sigmoid_(a[:, :2 * H])
            hns[t] = hg[:, 2 * H:]
            n = np.multiply(a[:, :H], hns[t], out=a[:, 2 * H:])
            n += x[:, 2 * H:]
            np.tanh(n, out=n)
            h = np.subtract(hs[t], n, out=hs[t + 1])  # h' = n + z (h - n)
            h *= a[:, H:2 * H]
            h += n
        ctx.save_for_backward(w_hh, hs, acts, hns)
        ctx.reverse, ctx.has_bias = reverse, b_hh is not None
        ctx.xg, ctx.b_hh = xg, b_hh  # for create_graph: the layer is rebuilt from ops
        return _order(hs[1:], reverse).copy(), hs[T].copy()

    @staticmethod
    def backward(ctx, g_out, g_h):
        w_hh, hs, acts, hns = ctx.saved_tensors
        T, B, G = acts.shape
        H = G // 3
        g_out = _order(g_out, ctx.reverse)
        dx_all = np.empty_like(acts)  # gradients of xg's r, z, n pre-activations
        dhg_all = np.empty_like(acts)  # gradients of h W_hh^T + b_hh
        dh = g_h.copy()
        need = ctx.needs_input_grad
        for t in range(T - 1, -1, -1):
            dh += g_out[t]
            a = acts[t]
            r, z, n = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
            dx, dg = dx_all[t], dhg_all[t]
            dn = np.multiply(dh, 1 - z, out=dx[:, 2 * H:])
            dn *= 1 - n * n  # d n pre-activation
            np.multiply(dh, hs[t] - n, out=dx[:, H:2 * H])
            dx[:, H:2 * H] *= z * (1 - z)  # d z pre-activation
            np.multiply(dn, hns[t], out=dx[:, :H])
            dx[:, :H] *= r * (1 - r)  # d r pre-activation
            dg[:, :2 * H] = dx[:, :2 * H]
            np.multiply(dn, r, out=dg[:, 2 * H:])
            if t or need[1]:  # the last step's is h0's gradient: skipped when unwanted
                dh = dh * z
                dh += dg @ w_hh
        flat = dhg_all.reshape(T * B, G)
        gw = flat.T @ hs[:T].reshape(T * B, H) if need[2] else None
        gb = flat.sum(0) if ctx.has_bias and need[3] else None
        return _ordered(dx_all, ctx.reverse), dh if need[1] else None, gw, gb


def lstm_layer(xg: Tensor, h0: Tensor, c0: Tensor, w_hh: Tensor, b_hh: Tensor | None,
               reverse: bool) -> tuple[Tensor, Tensor, Tensor]:
    """One LSTM direction over the sequence: (out, h_n, c_n); see LSTMLayer."""
    return LSTMLayer.apply(xg, h0, c0, w_hh, b_hh, reverse=reverse)


def gru_layer(xg: Tensor, h0: Tensor, w_hh: Tensor, b_hh: Tensor | None,
              reverse: bool) -> tuple[Tensor, Tensor]:
    """One GRU direction over the sequence: (out, h_n); see GRULayer."""
    return GRULayer.apply(xg, h0, w_hh, b_hh, reverse=reverse)


def layer_fused_here(x: Tensor) -> bool:
    """Whether a whole layer runs as one op: numpy arrays and no observer to show gates to."""
    return hooks.state.observer is None and type(x._data) is np.ndarray
