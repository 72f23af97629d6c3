"""MultiheadAttention with PyTorch's parameters, masks and return values.

With need_weights the attention is spelled out in engine ops (matmul, softmax, dropout) so
the weights it returns are part of the graph; without, it is one scaled_dot_product_attention
node. add_bias_kv and add_zero_attn append a learned and a zero key/value to every sequence.
"""

from __future__ import annotations

import math
from typing import Any

from autograd_core import creation
from autograd_core.backend import get_array_module
from autograd_core.nn import init
from autograd_core.nn.linear import NonDynamicallyQuantizableLinear
from autograd_core.nn.module import Module
from autograd_core.nn.parameter import Parameter
from autograd_core.ops.attention import scaled_dot_product_attention
from autograd_core.ops.dropout import dropout
from autograd_core.ops.join import cat, chunk
from autograd_core.ops.linalg import matmul
from autograd_core.ops.linear import linear
from autograd_core.ops.padding import pad
from autograd_core.ops.softmax import softmax
from autograd_core.tensor import Tensor


def _float_mask(mask: Tensor | None, dtype: Any, name: str) -> Tensor | None:
    """PyTorch's canonical mask: bool True (= not allowed) becomes -inf, float passes through."""
    if mask is None:
        return None
    m = mask._data
    if m.dtype == bool:
        xp = get_array_module(m)
        return Tensor._make(xp.where(m, dtype.type(-xp.inf), dtype.type(0)))
    if m.dtype.kind != "f":
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return mask


class MultiheadAttention(Module):
    """Multi-head attention: softmax(q k^T / sqrt(head_dim) + mask) v per head, then out_proj.

    Args:
        embed_dim: model width E; num_heads must divide it.
        kdim, vdim: key/value widths when they differ from E (separate q/k/v_proj_weight).
        batch_first: inputs (N, L, E) instead of (L, N, E).
    Returns:
        (attn_output, attn_weights): weights (N, L, S) averaged over heads, or
        (N, heads, L, S) with average_attn_weights=False, or None with need_weights=False.

    Example:
        >>> mha = nn.MultiheadAttention(16, 4, batch_first=True)
        >>> out, w = mha(x, x, x)
    """

    bias_k: Parameter | None  # add_bias_kv's learned key and value (None without it)
    bias_v: Parameter | None

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got "
                             f"embed_dim={embed_dim} and num_heads={num_heads} instead")
        self.embed_dim, self.num_heads, self.dropout = embed_dim, num_heads, dropout
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")
        kw = {"device": device, "dtype": dtype}
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(creation.empty(3 * embed_dim, embed_dim, **kw))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = Parameter(creation.empty(embed_dim, embed_dim, **kw))
            self.k_proj_weight = Parameter(creation.empty(embed_dim, self.kdim, **kw))
            self.v_proj_weight = Parameter(creation.empty(embed_dim, self.vdim, **kw))
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(creation.empty(3 * embed_dim, **kw))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, **kw)
        if add_bias_kv:  # one learned key and value appended to every sequence
            self.bias_k = Parameter(creation.empty(1, 1, embed_dim, **kw))
            self.bias_v = Parameter(creation.empty(1, 1, embed_dim, **kw))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None and self.bias_v is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def _project(self, query: Tensor, key: Tensor, value: Tensor) -> tuple:
        b = self.in_proj_bias
        bq, bk, bv = chunk(b, 3) if b is not None else (None, None, None)
        if self._qkv_same_embed_dim:
            if query is key and key is value:  # self-attention: one projection, then split
                return chunk(linear(query, self.in_proj_weight, b), 3, -1)
            wq, wk, wv = chunk(self.in_proj_weight, 3)
        else:
            wq, wk, wv = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        return linear(query, wq, bq), linear(key, wk, bk), linear(value, wv, bv)

    def forward(self, query: Tensor, key: Tensor, value: Tensor,
                key_padding_mask: Tensor | None = None, need_weights: bool = True,
                attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        if is_causal and attn_mask is None:
            raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use "
                               "the Transformer module method `generate_square_subsequent_mask` "
                               "to create this mask.")
        unbatched = query.ndim == 2
        if unbatched:
            query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.unsqueeze(0)
        elif self.batch_first:  # work in (L, N, E) like PyTorch's functional form
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        out, weights = self._attend(query, key, value, key_padding_mask, need_weights,
                                    attn_mask, average_attn_weights)
        if unbatched:
            return out.squeeze(1), None if weights is None else weights.squeeze(0)
        if self.batch_first:
            out = out.transpose(0, 1)
        return out, weights

    def _attend(self, query: Tensor, key: Tensor, value: Tensor, kpm: Any, need_weights: bool,
                attn_mask: Any, average: bool) -> tuple[Tensor, Tensor | None]:
        tgt, n, e = query.shape
        src = key.shape[0]
        h, hd = self.num_heads, self.head_dim
        if e != self.embed_dim:
            raise AssertionError(f"was expecting embedding dimension of {self.embed_dim}, but "
                                 f"got {e}")
        q, k, v = self._project(query, key, value)
        mask = self._merged_mask(attn_mask, kpm, query.dtype, n, tgt, src)
        k, v, src, mask = self._extra_keys(k, v, n, src, mask)
        # (L, N, E) -> (N, heads, L, head_dim)
        q = q.reshape(tgt, n, h, hd).permute(1, 2, 0, 3)
        k = k.reshape(src, n, h, hd).permute(1, 2, 0, 3)
        v = v.reshape(src, n, h, hd).permute(1, 2, 0, 3)
        p = self.dropout if self.training else 0.0
        if need_weights:
            scores = matmul(q * (1.0 / math.sqrt(hd)), k.transpose(-2, -1))
            if mask is not None:
                scores = scores + mask
            weights = softmax(scores, -1)
            attn = matmul(dropout(weights, p, True) if p > 0 else weights, v)
        else:
            weights = None
            attn = scaled_dot_product_attention(q, k, v, mask, dropout_p=p)
        out = linear(attn.permute(2, 0, 1, 3).reshape(tgt, n, e), self.out_proj.weight,
                     self.out_proj.bias)
        if weights is not None and average:
            weights = weights.mean(1)
        return out, weights

    def _extra_keys(self, k: Tensor, v: Tensor, n: int, src: int, mask: Any) -> tuple:
        """add_bias_kv's learned key/value, then add_zero_attn's zero key/value, appended to
        the (S, N, E) keys and values; the mask lets every query see them (PyTorch's order)."""
        extra: list[tuple[Any, Any]] = []
        if self.bias_k is not None:
            extra.append((self.bias_k, self.bias_v))
        if self.add_zero_attn:
            zeros = creation.zeros(1, 1, self.embed_dim, dtype=k.dtype, device=k.device)
            extra.append((zeros, zeros))
        for bk, bv in extra:
            k = cat([k, bk.expand(1, n, self.embed_dim)], 0)
            v = cat([v, bv.expand(1, n, self.embed_dim)], 0)
        if extra and mask is not None:
            mask = pad(mask, (0, len(extra)))
        return k, v, src + len(extra), mask

    def _merged_mask(self, attn_mask: Any, kpm: Any, dtype: Any, n: int, tgt: int,
                     src: int) -> Tensor | None:
        """attn_mask ((L, S) or (N*heads, L, S)) plus key_padding_mask (N, S), as floats."""
        mask = _float_mask(attn_mask, dtype, "attn_mask")
        if mask is not None:
            if mask.ndim == 3:
                expected = (n * self.num_heads, tgt, src)
                if tuple(mask.shape) != expected:
                    raise RuntimeError(f"The shape of the 3D attn_mask is {tuple(mask.shape)}, "
                                       f"but should be {expected}.")
                mask = mask.reshape(n, self.num_heads, tgt, src)
            elif tuple(mask.shape) != (tgt, src):
                raise RuntimeError(f"The shape of the 2D attn_mask is {tuple(mask.shape)}, but "
                                   f"should be {(tgt, src)}.")
        kpm = _float_mask(kpm, dtype, "key_padding_mask")
        if kpm is not None:
            if tuple(kpm.shape) != (n, src):
                raise AssertionError(f"expecting key_padding_mask shape of {(n, src)}, but got "
                                     f"{tuple(kpm.shape)}")
            kpm = kpm.reshape(n, 1, 1, src)
            mask = kpm if mask is None else mask + kpm
        return mask
