"""torch.distributions: log_prob, entropy, moments, cdf/icdf and their gradients w.r.t. the
parameters agree with PyTorch in float64; shapes of samples, support enumeration, expand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd_core as ag
from tests.core._dist_cases import CASES, build, value

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.oracle

CONTINUOUS_CDF = ["normal", "laplace", "exponential", "uniform"]
MOMENTS = ["mean", "variance", "stddev", "mode"]


def _outputs(lib: Any, name: str, compute: Callable[[Any, Any], Any]
             ) -> tuple[np.ndarray, dict[str, Any]]:
    """compute(dist, lib) as numpy, and the gradients of its (finite) sum per parameter."""
    dist, leaves = build(lib, name)
    out = compute(dist, lib)
    finite = out[lib.isfinite(out)] if out.is_floating_point() else None
    if finite is not None and out.requires_grad:
        finite.sum().backward()
    grads = {k: None if t.grad is None else t.grad.numpy() for k, t in leaves.items()}
    return out.detach().numpy(), grads


def _assert_same(name: str, compute: Callable[[Any, Any], Any]) -> None:
    ours, our_grads = _outputs(ag, name, compute)
    theirs, their_grads = _outputs(torch, name, compute)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12, equal_nan=True)
    for key, grad in their_grads.items():
        if grad is None:
            assert our_grads[key] is None or not np.any(our_grads[key]), key
        else:
            np.testing.assert_allclose(our_grads[key], grad, rtol=1e-9, atol=1e-12,
                                       err_msg=key)


@pytest.mark.parametrize("name", list(CASES))
def test_log_prob_matches_torch(name: str) -> None:
    _assert_same(name, lambda d, lib: d.log_prob(value(lib, name)))


@pytest.mark.parametrize("name", list(CASES))
def test_entropy_and_perplexity_match_torch(name: str) -> None:
    _assert_same(name, lambda d, lib: d.entropy())
    _assert_same(name, lambda d, lib: d.perplexity())


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("name", list(CASES))
def test_moments_match_torch(name: str, moment: str) -> None:
    _assert_same(name, lambda d, lib: getattr(d, moment).to(lib.float64))


@pytest.mark.parametrize("name", CONTINUOUS_CDF)
def test_cdf_and_icdf_match_torch(name: str) -> None:
    _assert_same(name, lambda d, lib: d.cdf(value(lib, name)))
    probs = [[0.1, 0.5, 0.9], [0.3, 0.7, 0.01]]
    _assert_same(name, lambda d, lib: d.icdf(lib.tensor(probs, dtype=lib.float64)))


@pytest.mark.parametrize("name", list(CASES))
def test_shapes_and_flags_match_torch(name: str) -> None:
    ours, _ = build(ag, name)
    theirs, _ = build(torch, name)
    assert ours.batch_shape == theirs.batch_shape
    assert ours.event_shape == theirs.event_shape
    assert ours.has_rsample == theirs.has_rsample
    assert ours.has_enumerate_support == theirs.has_enumerate_support
    assert repr(ours) == repr(theirs)
    for shape in [(), (5,), (2, 3)]:
        sample = ours.sample(shape)
        assert sample.shape == theirs.sample(shape).shape
        assert str(sample.dtype) == str(theirs.sample(shape).dtype)
        assert not sample.requires_grad
    assert type(ours.batch_shape) is ag.Size and type(ours.event_shape) is ag.Size


@pytest.mark.parametrize("name", [n for n in CASES if "mvn" in n or "categorical" in n])
def test_lazy_parameters_match_torch(name: str) -> None:
    """probs from logits (and back), the three matrix forms of a MultivariateNormal."""
    attrs = (["probs", "logits"] if "categorical" in name
             else ["scale_tril", "covariance_matrix", "precision_matrix"])
    for attr in attrs:
        _assert_same(name, lambda d, lib, attr=attr: getattr(d, attr))


@pytest.mark.parametrize("name", ["categorical_probs", "onehot", "bernoulli_logits"])
def test_enumerate_support_matches_torch(name: str) -> None:
    for expand in (True, False):
        ours = build(ag, name)[0].enumerate_support(expand=expand)
        theirs = build(torch, name)[0].enumerate_support(expand=expand)
        assert ours.shape == theirs.shape and str(ours.dtype) == str(theirs.dtype)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("name", list(CASES))
def test_expand_matches_torch(name: str) -> None:
    def expanded(lib: Any, name: str) -> Any:
        dist, _ = build(lib, name)
        return dist.expand((4, *dist.batch_shape))

    ours, theirs = expanded(ag, name), expanded(torch, name)
    assert ours.batch_shape == theirs.batch_shape and ours.event_shape == theirs.event_shape
    assert type(ours) is type(ours.expand(ours.batch_shape))
    np.testing.assert_allclose(ours.entropy().detach().numpy(),
                               theirs.entropy().detach().numpy(), rtol=1e-12)


def test_scalar_parameters_give_empty_batch_shape() -> None:
    D = ag.distributions
    for dist in (D.Normal(0.0, 1.0), D.Laplace(1, 2.0), D.Exponential(2.0),
                 D.Uniform(0.0, 1.0), D.Bernoulli(0.3)):
        assert dist.batch_shape == ag.Size() and dist.sample().shape == ag.Size()
        assert dist.mean.dtype == ag.float32  # numbers take the default dtype, as in torch


def test_numbers_take_the_tensor_parameter_dtype() -> None:
    d = ag.distributions.Normal(ag.zeros(2, dtype=ag.float64), 1.0)
    assert d.scale.dtype == ag.float64 and d.scale.shape == (2,)
