"""Recurrent layers: RNNCell, LSTMCell, GRUCell and the multi-layer RNN, LSTM, GRU.

Cells are composed of engine ops (linear, add, sigmoid, tanh, chunk), so the inspector shows
each gate; on the GPU the plain RNN step is one fused op instead (ops/recurrent.py: there,
host time per launch is what a small step costs). Parameter names, shapes, gate order
(LSTM i,f,g,o; GRU r,z,n), initialisation U(-1/sqrt(hidden), 1/sqrt(hidden)) and return
values are PyTorch's. Full-sequence layers project the whole input sequence with one linear
per layer and direction, then run only the hidden-to-hidden part per time step; on the CPU
with no trace observer attached, LSTM's and GRU's recurrence is one op per layer and
direction instead (ops/recurrent_seq.py), ~15 fewer graph nodes per step. A PackedSequence
input runs in nn/_rnn_packed.py. Not supported: LSTM proj_size.
"""

from __future__ import annotations

import math
from typing import Any

from autograd_core import creation
from autograd_core.nn import init
from autograd_core.nn._rnn_packed import run_packed
from autograd_core.nn.module import Module
from autograd_core.nn.parameter import Parameter
from autograd_core.nn.utils.rnn import PackedSequence
from autograd_core.ops._util import shape_str
from autograd_core.ops.dropout import dropout
from autograd_core.ops.join import cat, chunk, stack, unbind
from autograd_core.ops.linear import linear
from autograd_core.ops.recurrent import fused_here, rnn_cell
from autograd_core.ops.recurrent_seq import gru_layer, layer_fused_here, lstm_layer
from autograd_core.ops.unary import relu, sigmoid, tanh
from autograd_core.tensor import Tensor

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# ------------------------------------------------------------------ one time step
# `xg` is the input's projection x W_ih^T + b_ih, computed before the step.
def _rnn_step(xg: Tensor, h: Tensor, w_hh: Tensor, b_hh: Any, act: Any) -> Tensor:
    if fused_here(xg):  # the GPU: one node, three launches (ops/recurrent.py)
        return rnn_cell(xg, h, None, w_hh, None, b_hh, act is relu)
    return act(xg + linear(h, w_hh, b_hh))


def _lstm_step(xg: Tensor, state: tuple, w_hh: Tensor, b_hh: Any) -> tuple[Tensor, Tensor]:
    h, c = state
    i, f, g, o = chunk(xg + linear(h, w_hh, b_hh), 4, 1)
    c = sigmoid(f) * c + sigmoid(i) * tanh(g)
    return sigmoid(o) * tanh(c), c


def _gru_step(xg: Tensor, h: Tensor, w_hh: Tensor, b_hh: Any) -> Tensor:
    x_r, x_z, x_n = chunk(xg, 3, 1)
    h_r, h_z, h_n = chunk(linear(h, w_hh, b_hh), 3, 1)
    r = sigmoid(x_r + h_r)
    z = sigmoid(x_z + h_z)
    n = tanh(x_n + r * h_n)
    return n + z * (h - n)  # = (1 - z) * n + z * h


def _uniform_init(module: Module) -> None:
    bound = 1.0 / math.sqrt(module.hidden_size) if module.hidden_size > 0 else 0.0
    for p in module.parameters():
        init.uniform_(p, -bound, bound)


def _check_input(name: str, x: Tensor, size: int, dims: tuple) -> None:
    if x.ndim not in dims:
        raise ValueError(f"{name}: Expected input to be {dims[0]}D or {dims[1]}D, got "
                         f"{x.ndim}D instead")
    if x.shape[-1] != size:
        raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {size}, "
                           f"got {x.shape[-1]}")


# ------------------------------------------------------------------ cells
class RNNCellBase(Module):
    """weight_ih (gates*hidden, input), weight_hh (gates*hidden, hidden), biases (gates*hidden)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        g = num_chunks * hidden_size
        kw = {"device": device, "dtype": dtype}
        self.weight_ih = Parameter(creation.empty(g, input_size, **kw))
        self.weight_hh = Parameter(creation.empty(g, hidden_size, **kw))
        if bias:
            self.bias_ih = Parameter(creation.empty(g, **kw))
            self.bias_hh = Parameter(creation.empty(g, **kw))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _uniform_init(self)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _prepare(self, x: Tensor, hx: Any) -> tuple[Tensor, Any, bool]:
        _check_input(type(self).__name__, x, self.input_size, (1, 2))
        unbatched = x.ndim == 1
        if unbatched:
            x = x.unsqueeze(0)
            hx = None if hx is None else _map(hx, lambda t: t.unsqueeze(0))
        if hx is None:
            zeros = creation.zeros(x.shape[0], self.hidden_size, dtype=x.dtype,
                                   device=x.device)
            hx = (zeros, zeros) if isinstance(self, LSTMCell) else zeros
        return x, hx, unbatched


def _map(hx: Any, fn: Any) -> Any:
    return tuple(fn(t) for t in hx) if isinstance(hx, tuple) else fn(hx)


class RNNCell(RNNCellBase):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)  (or relu with nonlinearity='relu').

    Example:
        >>> cell = nn.RNNCell(10, 20)
        >>> h = cell(ag.randn(3, 10), h)        # (3, 20)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        p = self._parameters  # the per-step hot path: skip Module.__getattr__
        act = tanh if self.nonlinearity == "tanh" else relu
        if hx is not None and input.ndim == 2 and input.shape[1] == self.input_size:
            if fused_here(input) and hx.shape == (input.shape[0], self.hidden_size):
                return rnn_cell(input, hx, p["weight_ih"], p["weight_hh"], p["bias_ih"],
                                p["bias_hh"], act is relu)
            return _rnn_step(linear(input, p["weight_ih"], p["bias_ih"]), hx, p["weight_hh"],
                             p["bias_hh"], act)
        x, h, unbatched = self._prepare(input, hx)
        h = _rnn_step(linear(x, p["weight_ih"], p["bias_ih"]), h, p["weight_hh"],
                      p["bias_hh"], act)
        return h.squeeze(0) if unbatched else h


class LSTMCell(RNNCellBase):
    """(h', c') from gates i,f,g,o = chunks of x W_ih^T + b_ih + h W_hh^T + b_hh:
    c' = sigmoid(f) c + sigmoid(i) tanh(g), h' = sigmoid(o) tanh(c')."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: tuple | None = None) -> tuple[Tensor, Tensor]:
        x, state, unbatched = self._prepare(input, hx)
        h, c = _lstm_step(linear(x, self.weight_ih, self.bias_ih), state, self.weight_hh,
                          self.bias_hh)
        return (h.squeeze(0), c.squeeze(0)) if unbatched else (h, c)


class GRUCell(RNNCellBase):
    """r, z = sigmoid(..), n = tanh(x W_in^T + b_in + r (h W_hn^T + b_hn)),
    h' = (1 - z) n + z h (PyTorch's gate order r, z, n)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        x, h, unbatched = self._prepare(input, hx)
        h = _gru_step(linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh)
        return h.squeeze(0) if unbatched else h


# ------------------------------------------------------------------ full sequences
class RNNBase(Module):
    """Multi-layer, optionally bidirectional recurrent layer over a whole sequence.

    Parameters are weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k} (with a
    `_reverse` suffix for the backward direction), registered in PyTorch's order.
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if proj_size:
            raise NotImplementedError("LSTM proj_size is not supported by autograd_core")
        if not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if hidden_size <= 0 or num_layers <= 0:
            raise ValueError("hidden_size and num_layers must be greater than zero")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, 0
        gates = _GATES[mode] * hidden_size
        kw = {"device": device, "dtype": dtype}
        dirs = 2 if bidirectional else 1
        for layer in range(num_layers):
            in_size = input_size if layer == 0 else hidden_size * dirs
            for d in range(dirs):
                sfx = f"_l{layer}" + ("_reverse" if d else "")
                setattr(self, "weight_ih" + sfx, Parameter(creation.empty(gates, in_size, **kw)))
                setattr(self, "weight_hh" + sfx,
                        Parameter(creation.empty(gates, hidden_size, **kw)))
                if bias:
                    setattr(self, "bias_ih" + sfx, Parameter(creation.empty(gates, **kw)))
                    setattr(self, "bias_hh" + sfx, Parameter(creation.empty(gates, **kw)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _uniform_init(self)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s

    def _weights(self, layer: int, d: int) -> tuple:
        sfx = f"_l{layer}" + ("_reverse" if d else "")
        get = self._parameters.get
        return get("weight_ih" + sfx), get("weight_hh" + sfx), get("bias_ih" + sfx), \
            get("bias_hh" + sfx)

    def _step(self, xg: Tensor, state: Any, w_hh: Tensor, b_hh: Any) -> Any:
        raise NotImplementedError

    def _fused(self, xg: Tensor, state: Any, w_hh: Tensor, b_hh: Any,
               reverse: bool) -> tuple[Tensor, Any]:
        """One direction's whole recurrence as one op (ops/recurrent_seq.py): (out, state)."""
        if self.mode == "LSTM":
            out, h, c = lstm_layer(xg, state[0], state[1], w_hh, b_hh, reverse)
            return out, (h, c)
        return gru_layer(xg, state, w_hh, b_hh, reverse)

    def _run(self, input: Tensor, hx: Any) -> tuple[Tensor, Any]:
        """input (T, B, I); hx one (L*D, B, H) tensor, or an (h, c) pair for the LSTM."""
        dirs = 2 if self.bidirectional else 1
        lstm = self.mode == "LSTM"
        h0 = [unbind(t, 0) for t in hx] if lstm else [unbind(hx, 0)]
        finals: list[Any] = []
        layer_in = input
        for layer in range(self.num_layers):
            outs = []
            for d in range(dirs):
                w_ih, w_hh, b_ih, b_hh = self._weights(layer, d)
                xg_all = linear(layer_in, w_ih, b_ih)  # every step's input projection
                k = layer * dirs + d
                state = (h0[0][k], h0[1][k]) if lstm else h0[0][k]
                if self.mode in ("LSTM", "GRU") and layer_fused_here(layer_in):
                    out, state = self._fused(xg_all, state, w_hh, b_hh, bool(d))
                    outs.append(out)
                    finals.append(state)
                    continue
                xs = unbind(xg_all, 0)
                hs = []
                for xg in (reversed(xs) if d else xs):
                    state = self._step(xg, state, w_hh, b_hh)
                    hs.append(state[0] if lstm else state)
                if d:
                    hs.reverse()
                outs.append(stack(hs, 0))
                finals.append(state)
            layer_in = outs[0] if dirs == 1 else cat(outs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_in = dropout(layer_in, self.dropout, True)
        if lstm:
            return layer_in, (stack([s[0] for s in finals], 0), stack([s[1] for s in finals], 0))
        return layer_in, stack(finals, 0)

    def flatten_parameters(self) -> None:
        """Does nothing: cuDNN's weight layout has no counterpart here (PyTorch's API)."""

    def forward(self, input: Any, hx: Any = None) -> tuple[Any, Any]:
        # PyTorch indexes the LSTM's (h, c) pair, so a list works there too.
        if isinstance(hx, list) and self.mode == "LSTM":
            hx = tuple(hx)
        if isinstance(input, PackedSequence):
            return run_packed(self, input, hx)
        _check_input(type(self).__name__, input, self.input_size, (2, 3))
        unbatched = input.ndim == 2
        if unbatched:
            input = input.unsqueeze(1)
            hx = None if hx is None else _map(hx, lambda t: t.unsqueeze(1))
        elif self.batch_first:
            input = input.transpose(0, 1)
        if input.shape[0] == 0:  # (an empty batch is fine: PyTorch returns empty outputs)
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        hx = self._initial_state(input, hx)
        output, h_n = self._run(input, hx)
        if unbatched:
            return output.squeeze(1), _map(h_n, lambda t: t.squeeze(1))
        if self.batch_first:
            output = output.transpose(0, 1)
        return output, h_n

    def _initial_state(self, input: Tensor, hx: Any) -> Any:
        dirs = 2 if self.bidirectional else 1
        shape = (self.num_layers * dirs, input.shape[1], self.hidden_size)
        if hx is None:
            zeros = creation.zeros(*shape, dtype=input.dtype, device=input.device)
            return (zeros, zeros) if self.mode == "LSTM" else zeros
        for t in (hx if isinstance(hx, tuple) else (hx,)):
            if tuple(t.shape) != shape:
                raise RuntimeError(f"Expected hidden size {shape}, got {shape_str(t.shape)}")
        return hx


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) per layer.

    Returns:
        (output, h_n): output (T, B, D*H) (batch first if batch_first), h_n (L*D, B, H).

    Example:
        >>> rnn = nn.RNN(10, 20, num_layers=2)
        >>> output, h_n = rnn(ag.randn(5, 3, 10))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def _step(self, xg: Tensor, state: Any, w_hh: Tensor, b_hh: Any) -> Any:
        return _rnn_step(xg, state, w_hh, b_hh, tanh if self.nonlinearity == "tanh" else relu)


class LSTM(RNNBase):
    """Long short-term memory over a sequence; returns (output, (h_n, c_n)) like PyTorch."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)

    def _step(self, xg: Tensor, state: Any, w_hh: Tensor, b_hh: Any) -> Any:
        return _lstm_step(xg, state, w_hh, b_hh)


class GRU(RNNBase):
    """Gated recurrent unit over a sequence; returns (output, h_n) like PyTorch."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device: Any = None, dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, device=device, dtype=dtype)

    def _step(self, xg: Tensor, state: Any, w_hh: Tensor, b_hh: Any) -> Any:
        return _gru_step(xg, state, w_hh, b_hh)
