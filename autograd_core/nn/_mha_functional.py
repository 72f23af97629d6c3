"""`F.multi_head_attention_forward`: PyTorch's functional multi-head attention, over the same
code as `nn.MultiheadAttention` (its weights passed as arguments instead of held).

Inputs are (L, N, E) or unbatched (L, E), as PyTorch's functional form takes them.
`static_k` / `static_v` (precomputed keys and values) are not supported: TypeError.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from autograd_core.nn.attention import MultiheadAttention
from autograd_core.nn.module import Module
from autograd_core.tensor import Tensor

__all__ = ["multi_head_attention_forward"]


def _attention_of(embed_dim: int, num_heads: int, weights: dict, flags: dict) -> Any:
    """A MultiheadAttention holding the given tensors as plain attributes (not registered:
    nothing here is a module's parameter)."""
    mha = MultiheadAttention.__new__(MultiheadAttention)
    Module.__init__(mha)
    values = {"embed_dim": embed_dim, "num_heads": num_heads,
              "head_dim": embed_dim // num_heads, **weights, **flags}
    for name, value in values.items():
        object.__setattr__(mha, name, value)
    return mha


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
        bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
        out_proj_bias: Tensor | None, training: bool = True,
        key_padding_mask: Tensor | None = None, need_weights: bool = True,
        attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False,
        q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
        v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
        static_v: Tensor | None = None, average_attn_weights: bool = True,
        is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention with explicit weights: (attn_output, attn_weights or None)."""
    if static_k is not None or static_v is not None:
        raise TypeError("multi_head_attention_forward(): static_k and static_v are not "
                        "supported")
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    embed_dim = query.shape[-1]
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    if embed_dim % num_heads:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    weights = {"in_proj_weight": None if use_separate_proj_weight else in_proj_weight,
               "q_proj_weight": q_proj_weight, "k_proj_weight": k_proj_weight,
               "v_proj_weight": v_proj_weight, "in_proj_bias": in_proj_bias,
               "bias_k": bias_k, "bias_v": bias_v,
               "out_proj": SimpleNamespace(weight=out_proj_weight, bias=out_proj_bias)}
    flags = {"_qkv_same_embed_dim": not use_separate_proj_weight,
             "add_zero_attn": add_zero_attn, "dropout": dropout_p, "training": training}
    mha = _attention_of(embed_dim, num_heads, weights, flags)
    unbatched = query.ndim == 2
    if unbatched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    out, attn = mha._attend(query, key, value, key_padding_mask, need_weights, attn_mask,
                            average_attn_weights)
    if unbatched:
        return out.squeeze(1), None if attn is None else attn.squeeze(0)
    return out, attn
