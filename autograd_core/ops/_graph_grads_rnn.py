"""Graph formulas (create_graph=True) of the fused LSTM and GRU layers (ops/recurrent_seq.py).

See _graph_grads.py for the contract. A fused layer's hand-written backward works on arrays;
for a differentiable gradient the layer is *recomputed*: the same recurrence is rebuilt from
primitive ops (the composed cell nn.LSTM runs when a trace observer is attached) on inputs
linked to the graph, and differentiated with `grad(..., create_graph=True)`.
"""

from __future__ import annotations

from typing import Any

from autograd_core._graph_walk import formula
from autograd_core.ops._graph_grads_nn import differentiate
from autograd_core.ops.join import stack
from autograd_core.ops.recurrent_seq import GRULayer, LSTMLayer
from autograd_core.ops.unary import clone, sigmoid, tanh
from autograd_core.tensor import Tensor

__all__: list[str] = []


def _linked_inputs(ctx: Any, arrays: dict[int, Any]) -> dict[int, Tensor]:
    return {i: clone(ctx.input(i, a)) for i, a in arrays.items() if a is not None}


def _steps(T: int, reverse: bool) -> range:
    return range(T - 1, -1, -1) if reverse else range(T)


@formula(LSTMLayer)
def _lstm_layer(ctx, g_out, g_h, g_c):
    w_hh, hs, cs = ctx.saved[:3]
    ins = _linked_inputs(ctx, {0: ctx.xg, 1: hs[0], 2: cs[0], 3: w_hh, 4: ctx.b_hh})
    xg, h, c, w, b = ins[0], ins[1], ins[2], ins[3], ins.get(4)
    H = w.shape[1]
    outs: list[Any] = [None] * xg.shape[0]
    for t in _steps(xg.shape[0], ctx.reverse):
        z = xg[t] + h @ w.T
        if b is not None:
            z = z + b
        i, f = sigmoid(z[:, :H]), sigmoid(z[:, H:2 * H])
        g, o = tanh(z[:, 2 * H:3 * H]), sigmoid(z[:, 3 * H:])
        c = f * c + i * g
        h = o * tanh(c)
        outs[t] = h
    return differentiate(ctx, ins, [stack(outs), h, c], [g_out, g_h, g_c])


@formula(GRULayer)
def _gru_layer(ctx, g_out, g_h):
    w_hh, hs = ctx.saved[:2]
    ins = _linked_inputs(ctx, {0: ctx.xg, 1: hs[0], 2: w_hh, 3: ctx.b_hh})
    xg, h, w, b = ins[0], ins[1], ins[2], ins.get(3)
    H = w.shape[1]
    outs: list[Any] = [None] * xg.shape[0]
    for t in _steps(xg.shape[0], ctx.reverse):
        x, hg = xg[t], h @ w.T
        if b is not None:
            hg = hg + b
        r = sigmoid(x[:, :H] + hg[:, :H])
        u = sigmoid(x[:, H:2 * H] + hg[:, H:2 * H])
        n = tanh(x[:, 2 * H:] + r * hg[:, 2 * H:])
        h = n + u * (h - n)
        outs[t] = h
    return differentiate(ctx, ins, [stack(outs), h], [g_out, g_h])
