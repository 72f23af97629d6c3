"""nn.RNN / LSTM / GRU over a PackedSequence: each sequence stops at its own length.

The packed data is projected with one linear per layer and direction, as for padded input;
the time loop then runs only the sequences still going at each step (batch_sizes[t] rows,
longest first), as cuDNN does. Forward, a finished sequence's state is set aside; backward
in time, a sequence joins with its initial state at its own last step. So h_n holds each
sequence's state at its last real step, and outputs exist only for real steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core.ops.dropout import dropout
from autograd_core.ops.join import cat, stack, unbind
from autograd_core.ops.linear import linear
from autograd_core.tensor import Tensor

__all__: list[str] = []


def _rows(state: Any, start: int, stop: int) -> Any:
    if isinstance(state, tuple):
        return tuple(s[start:stop] for s in state)
    return state[start:stop]


def _join(parts: list) -> Any:
    if len(parts) == 1:
        return parts[0]
    if isinstance(parts[0], tuple):
        return tuple(cat([p[i] for p in parts], 0) for i in range(len(parts[0])))
    return cat(parts, 0)


def _forward_in_time(module: Any, xs: list, sizes: list, h0: Any, w_hh: Tensor,
                     b_hh: Any) -> tuple[list, Any]:
    lstm = isinstance(h0, tuple)
    state, done, hs = h0, [], []
    for t, xg in enumerate(xs):
        running = sizes[t]
        if t and running < sizes[t - 1]:  # sequences that ended at t-1 keep their state
            done.append(_rows(state, running, sizes[t - 1]))
            state = _rows(state, 0, running)
        state = module._step(xg, state, w_hh, b_hh)
        hs.append(state[0] if lstm else state)
    return hs, _join([state, *reversed(done)])


def _backward_in_time(module: Any, xs: list, sizes: list, h0: Any, w_hh: Tensor,
                      b_hh: Any) -> tuple[list, Any]:
    lstm = isinstance(h0, tuple)
    state: Any = None
    hs = []
    for t in range(len(xs) - 1, -1, -1):
        running = sizes[t]
        have = 0 if state is None else (state[0] if lstm else state).shape[0]
        if running > have:  # sequences whose last step is t start here, from h0
            fresh = _rows(h0, have, running)
            state = fresh if state is None else _join([state, fresh])
        state = module._step(xs[t], state, w_hh, b_hh)
        hs.append(state[0] if lstm else state)
    hs.reverse()
    return hs, state


def run_packed(module: Any, packed: Any, hx: Any) -> tuple[Any, Any]:
    """(PackedSequence output, h_n) of `module` (an RNNBase) over `packed`."""
    from autograd_core.nn.utils.rnn import PackedSequence

    data = packed.data
    if data.shape[-1] != module.input_size:
        raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                           f"{module.input_size}, got {data.shape[-1]}")
    sizes = [int(s) for s in np.asarray(packed.batch_sizes.detach().cpu().numpy())]
    batch = sizes[0]
    lstm = module.mode == "LSTM"
    if hx is not None and packed.sorted_indices is not None:  # caller's order -> packed order
        idx = packed.sorted_indices
        hx = tuple(h.index_select(1, idx) for h in hx) if lstm else hx.index_select(1, idx)
    hx = module._initial_state(_ShapeOnly(batch, data), hx)
    h0 = [unbind(t, 0) for t in hx] if lstm else [unbind(hx, 0)]
    dirs = 2 if module.bidirectional else 1
    starts = np.concatenate([[0], np.cumsum(sizes)])
    layer_in, finals = data, []
    for layer in range(module.num_layers):
        outs = []
        for d in range(dirs):
            w_ih, w_hh, b_ih, b_hh = module._weights(layer, d)
            proj = linear(layer_in, w_ih, b_ih)
            xs = [proj[int(starts[t]):int(starts[t + 1])] for t in range(len(sizes))]
            k = layer * dirs + d
            state0 = (h0[0][k], h0[1][k]) if lstm else h0[0][k]
            run = _backward_in_time if d else _forward_in_time
            hs, final = run(module, xs, sizes, state0, w_hh, b_hh)
            outs.append(cat(hs, 0))
            finals.append(final)
        layer_in = outs[0] if dirs == 1 else cat(outs, 1)
        if module.dropout and module.training and layer < module.num_layers - 1:
            layer_in = dropout(layer_in, module.dropout, True)
    if lstm:
        h_n: Any = (stack([s[0] for s in finals], 0), stack([s[1] for s in finals], 0))
    else:
        h_n = stack(finals, 0)
    if packed.unsorted_indices is not None:  # packed order -> caller's order
        idx = packed.unsorted_indices
        h_n = tuple(h.index_select(1, idx) for h in h_n) if lstm else h_n.index_select(1, idx)
    out = PackedSequence(layer_in, packed.batch_sizes, packed.sorted_indices,
                         packed.unsorted_indices)
    return out, h_n


class _ShapeOnly:
    """Stands in for a (T, B, I) input where only B, dtype and device are read."""

    def __init__(self, batch: int, like: Tensor) -> None:
        self.shape = (0, batch)
        self.dtype, self.device = like.dtype, like.device

