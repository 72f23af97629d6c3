"""Sampling: draws come from autograd_core's generator (manual_seed reproduces them),
sample() is outside the graph, rsample() is differentiable through the engine, and the
sample statistics of many draws sit near the true moments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd_core as ag

D = ag.distributions
N = 40_000
# Monte Carlo tolerance: 6 standard errors of a mean of N draws (sd / sqrt(N)), so a correct
# sampler fails about once in 10**9 runs.
SE = 6 / np.sqrt(N)

SAMPLERS: dict[str, Callable[[], Any]] = {
    "normal": lambda: D.Normal(ag.tensor([0.5, -2.0]), ag.tensor([1.0, 0.3])),
    "laplace": lambda: D.Laplace(ag.tensor([0.5, -2.0]), ag.tensor([1.0, 0.3])),
    "exponential": lambda: D.Exponential(ag.tensor([0.5, 4.0])),
    "uniform": lambda: D.Uniform(ag.tensor([0.0, -3.0]), ag.tensor([1.0, 5.0])),
    "bernoulli": lambda: D.Bernoulli(probs=ag.tensor([0.1, 0.7])),
    "onehot": lambda: D.OneHotCategorical(probs=ag.tensor([0.2, 0.3, 0.5])),
    "mvn": lambda: D.MultivariateNormal(ag.tensor([1.0, -1.0]),
                                        ag.tensor([[1.0, 0.6], [0.6, 2.0]])),
    "independent": lambda: D.Independent(D.Normal(ag.tensor([0.5, -2.0]), 2.0), 1),
}


@pytest.mark.parametrize("name", list(SAMPLERS))
def test_sample_mean_and_variance_are_near_the_true_ones(name: str) -> None:
    ag.manual_seed(0)
    dist = SAMPLERS[name]()
    draws = dist.sample((N,)).double().numpy()
    mean, var = dist.mean.double().numpy(), dist.variance.double().numpy()
    np.testing.assert_allclose(draws.mean(0), mean, atol=SE * np.sqrt(var).max())
    # the variance of a sample variance needs the 4th moment: 10% covers these laws at N
    np.testing.assert_allclose(draws.var(0), var, rtol=0.1)
    assert dist.support.check(ag.tensor(draws)).all()


def test_categorical_frequencies_match_probs() -> None:
    ag.manual_seed(1)
    probs = np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]])
    draws = D.Categorical(probs=ag.tensor(probs)).sample((N,)).numpy()
    assert draws.shape == (N, 2) and draws.dtype == np.int64
    freq = np.stack([(draws == k).mean(0) for k in range(3)], -1)
    np.testing.assert_allclose(freq, probs, atol=SE * 0.5)  # a Bernoulli sd is <= 0.5


def test_mvn_sample_covariance_is_near_the_covariance() -> None:
    ag.manual_seed(2)
    cov = np.array([[1.0, 0.6], [0.6, 2.0]])
    draws = D.MultivariateNormal(ag.zeros(2), precision_matrix=ag.tensor(np.linalg.inv(cov))
                                 .float()).sample((N,)).double().numpy()
    np.testing.assert_allclose(np.cov(draws.T), cov, atol=0.1)


@pytest.mark.parametrize("name", list(SAMPLERS))
def test_manual_seed_reproduces_the_draws(name: str) -> None:
    def draw() -> np.ndarray:
        ag.manual_seed(123)
        return SAMPLERS[name]().sample((5,)).numpy()

    first, second = draw(), draw()
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, SAMPLERS[name]().sample((5,)).numpy()) or name == "onehot"


@pytest.mark.parametrize("make", [
    lambda s, loc: D.Normal(loc, s), lambda s, loc: D.Laplace(loc, s),
    lambda s, loc: D.Uniform(loc, loc + s), lambda s, loc: D.Exponential(s),
    lambda s, loc: D.MultivariateNormal(loc, scale_tril=ag.diag_embed(s)),
    lambda s, loc: D.Independent(D.Normal(loc, s), 1),
], ids=["normal", "laplace", "uniform", "exponential", "mvn", "independent"])
def test_rsample_is_reparameterised(make: Callable[[Any, Any], Any]) -> None:
    """d rsample / d param equals the noise the draw was made from: (x - loc) / scale."""
    loc = ag.tensor([0.5, -1.0], dtype=ag.float64, requires_grad=True)
    scale = ag.tensor([2.0, 0.5], dtype=ag.float64, requires_grad=True)
    dist = make(scale, loc)
    assert dist.has_rsample
    ag.manual_seed(3)
    x = dist.rsample((7,))
    assert x.requires_grad and x.shape == (7, 2)
    x.sum().backward()
    if isinstance(dist, D.Exponential):  # x = E / rate: dx/drate = -x / rate
        assert loc.grad is None
        expected = -x.detach() / scale.detach()
    else:  # x = loc + scale * noise (Uniform(loc, loc + scale) too): dx/dscale = noise
        np.testing.assert_allclose(loc.grad.numpy(), [7.0, 7.0])
        expected = (x.detach() - loc.detach()) / scale.detach()
    np.testing.assert_allclose(scale.grad.numpy(), expected.sum(0).numpy(), rtol=1e-12)
    assert not dist.sample().requires_grad


def test_straight_through_rsample_passes_gradients_to_probs() -> None:
    probs = ag.tensor([0.2, 0.3, 0.5], dtype=ag.float64, requires_grad=True)
    x = D.OneHotCategoricalStraightThrough(probs=probs).rsample((4,))
    assert x.sum(-1).tolist() == [1.0] * 4
    (x * ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64)).sum().backward()
    assert probs.grad is not None and np.any(probs.grad.numpy() != 0)


def test_reinforce_step_changes_the_policy() -> None:
    """The REINFORCE pattern: sample, log_prob, entropy bonus, backward into the logits."""
    ag.manual_seed(4)
    logits = ag.zeros(2, 3, requires_grad=True)
    policy = D.Categorical(logits=logits)
    action = policy.sample()
    loss = -(policy.log_prob(action) * 1.5).sum() - 0.01 * policy.entropy().sum()
    loss.backward()
    chosen = logits.grad.gather(-1, action.unsqueeze(-1)).squeeze(-1)
    assert (chosen < 0).all()  # gradient descent raises the chosen actions' logits


def test_zero_dim_draws_mix_with_tensors() -> None:
    ag.manual_seed(5)
    assert (ag.randn(()) * ag.tensor(2.0)).shape == ()
    assert ag.normal(ag.tensor(0.0), ag.tensor(1.0)).shape == ()
    assert D.Normal(0.0, 1.0).sample().shape == () and D.Laplace(0.0, 1.0).rsample().shape == ()
