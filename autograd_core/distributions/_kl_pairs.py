"""The KL(p || q) formulas for the pairs of distributions here that PyTorch has, registered
by `kl.py` (kept apart to keep each module small)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import autograd_core as ag
from autograd_core.distributions.bernoulli import Bernoulli
from autograd_core.distributions.categorical import Categorical
from autograd_core.distributions.exponential import Exponential
from autograd_core.distributions.independent import Independent
from autograd_core.distributions.laplace import Laplace
from autograd_core.distributions.multivariate_normal import (
    MultivariateNormal,
    _batch_mahalanobis,
)
from autograd_core.distributions.normal import Normal
from autograd_core.distributions.one_hot_categorical import OneHotCategorical
from autograd_core.distributions.uniform import Uniform
from autograd_core.distributions.utils import _sum_rightmost
from autograd_core.nn.functional import softplus
from autograd_core.tensor import Tensor


def _infinite_like(tensor: Tensor) -> Tensor:
    return ag.full_like(tensor, math.inf)


def _kl_bernoulli_bernoulli(p: Bernoulli, q: Bernoulli) -> Tensor:
    t1 = p.probs * (softplus(-q.logits) - softplus(-p.logits))
    t1[q.probs == 0] = math.inf
    t1[p.probs == 0] = 0
    t2 = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
    t2[q.probs == 1] = math.inf
    t2[p.probs == 1] = 0
    return t1 + t2


def _kl_categorical_categorical(p: Categorical, q: Categorical) -> Tensor:
    t = p.probs * (p.logits - q.logits)
    t[(q.probs == 0).expand_as(t)] = math.inf
    t[(p.probs == 0).expand_as(t)] = 0
    return t.sum(-1)


def _kl_onehot_onehot(p: OneHotCategorical, q: OneHotCategorical) -> Tensor:
    return _kl_categorical_categorical(p._categorical, q._categorical)


def _kl_exponential_exponential(p: Exponential, q: Exponential) -> Tensor:
    rate_ratio = q.rate / p.rate
    return -rate_ratio.log() + rate_ratio - 1


def _kl_laplace_laplace(p: Laplace, q: Laplace) -> Tensor:
    scale_ratio = p.scale / q.scale
    loc_abs_diff = (p.loc - q.loc).abs()
    t3 = scale_ratio * ag.exp(-loc_abs_diff / p.scale)
    return -scale_ratio.log() + loc_abs_diff / q.scale + t3 - 1


def _kl_normal_normal(p: Normal, q: Normal) -> Tensor:
    var_ratio = (p.scale / q.scale).pow(2)
    t1 = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


def _kl_mvn_mvn(p: MultivariateNormal, q: MultivariateNormal) -> Tensor:
    if p.event_shape != q.event_shape:
        raise ValueError("KL-divergence between two Multivariate Normals with                "
                         "          different event shapes cannot be computed")
    p_tril, q_tril = p._unbroadcasted_scale_tril, q._unbroadcasted_scale_tril
    half_term1 = (q_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
                  - p_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1))
    n = p.event_shape[0]
    batch = tuple(ag.broadcast_shapes(tuple(q_tril.shape[:-2]), tuple(p_tril.shape[:-2])))
    solved = ag.linalg.solve_triangular(q_tril.expand((*batch, n, n)),
                                        p_tril.expand((*batch, n, n)), upper=False)
    term2 = solved.reshape((*batch, n * n)).pow(2).sum(-1)  # trace(X X^T)
    term3 = _batch_mahalanobis(q_tril, q.loc - p.loc)
    return half_term1 + 0.5 * (term2 + term3 - n)


def _kl_uniform_uniform(p: Uniform, q: Uniform) -> Tensor:
    result = ((q.high - q.low) / (p.high - p.low)).log()
    result[(q.low > p.low) | (q.high < p.high)] = math.inf
    return result


def _kl_exponential_normal(p: Exponential, q: Normal) -> Tensor:
    var_normal = q.scale.pow(2)
    rate_sqr = p.rate.pow(2)
    t1 = 0.5 * ag.log(rate_sqr * var_normal * 2 * math.pi)
    t2 = rate_sqr.reciprocal()
    t3 = q.loc / p.rate
    t4 = q.loc.pow(2) * 0.5
    return t1 - 1 + (t2 - t3 + t4) / var_normal


def _kl_laplace_normal(p: Laplace, q: Normal) -> Tensor:
    var_normal = q.scale.pow(2)
    scale_sqr_var_ratio = p.scale.pow(2) / var_normal
    t1 = 0.5 * ag.log(2 * scale_sqr_var_ratio / math.pi)
    t2 = 0.5 * p.loc.pow(2)
    t3 = p.loc * q.loc
    t4 = 0.5 * q.loc.pow(2)
    return -t1 + scale_sqr_var_ratio + (t2 - t3 + t4) / var_normal - 1


def _kl_normal_laplace(p: Normal, q: Laplace) -> Tensor:
    loc_diff = p.loc - q.loc
    scale_ratio = p.scale / q.scale
    loc_diff_scale_ratio = loc_diff / p.scale
    t1 = ag.log(scale_ratio)
    t2 = math.sqrt(2 / math.pi) * p.scale * ag.exp(-0.5 * loc_diff_scale_ratio.pow(2))
    t3 = loc_diff * ag.erf(math.sqrt(0.5) * loc_diff_scale_ratio)
    return -t1 + (t2 + t3) / q.scale - 0.5 * (1 + math.log(0.5 * math.pi))


def _kl_uniform_exponential(p: Uniform, q: Exponential) -> Tensor:
    result = q.rate * (p.high + p.low) / 2 - ((p.high - p.low) * q.rate).log()
    result[p.low < q.support.lower_bound] = math.inf
    return result


def _kl_uniform_normal(p: Uniform, q: Normal) -> Tensor:
    common_term = p.high - p.low
    t1 = (math.sqrt(math.pi * 2) * q.scale / common_term).log()
    t2 = common_term.pow(2) / 12
    t3 = ((p.high + p.low - 2 * q.loc) / 2).pow(2)
    return t1 + 0.5 * (t2 + t3) / q.scale.pow(2)


def _kl_infinity_rate(p: Exponential, q: Any) -> Tensor:
    return _infinite_like(p.rate)


def _kl_infinity_loc(p: Any, q: Any) -> Tensor:
    return _infinite_like(p.loc)


_PAIRS: list[tuple[type, type, Callable[..., Tensor]]] = [
    (Bernoulli, Bernoulli, _kl_bernoulli_bernoulli),
    (Categorical, Categorical, _kl_categorical_categorical),
    (Exponential, Exponential, _kl_exponential_exponential),
    (Laplace, Laplace, _kl_laplace_laplace),
    (MultivariateNormal, MultivariateNormal, _kl_mvn_mvn),
    (Normal, Normal, _kl_normal_normal),
    (OneHotCategorical, OneHotCategorical, _kl_onehot_onehot),
    (Uniform, Uniform, _kl_uniform_uniform),
    (Exponential, Uniform, _kl_infinity_rate),
    (Exponential, Normal, _kl_exponential_normal),
    (Laplace, Exponential, _kl_infinity_loc),
    (Laplace, Uniform, _kl_infinity_loc),
    (Laplace, Normal, _kl_laplace_normal),
    (Normal, Exponential, _kl_infinity_loc),
    (Normal, Uniform, _kl_infinity_loc),
    (Normal, Laplace, _kl_normal_laplace),
    (Uniform, Exponential, _kl_uniform_exponential),
    (Uniform, Normal, _kl_uniform_normal),
]


def _register_pairs(register_kl: Callable[..., Any],
                    kl_divergence: Callable[..., Tensor]) -> None:
    """Register every pair above, and Independent/Independent (which recurses into
    `kl_divergence`, so it is built here with it)."""
    for type_p, type_q, fun in _PAIRS:
        register_kl(type_p, type_q)(fun)

    def _kl_independent_independent(p: Independent, q: Independent) -> Tensor:
        if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
            raise NotImplementedError
        result = kl_divergence(p.base_dist, q.base_dist)
        return _sum_rightmost(result, p.reinterpreted_batch_ndims)

    register_kl(Independent, Independent)(_kl_independent_independent)
