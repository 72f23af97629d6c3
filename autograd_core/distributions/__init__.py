"""Probability distributions (torch.distributions): sampling from autograd_core's own
generator (so `manual_seed` reproduces it), reparameterised `rsample` through the engine,
differentiable log_prob/entropy/moments, `kl_divergence` and the `constraints` used for
argument validation.

Example:
    >>> import autograd_core as torch
    >>> m = torch.distributions.Categorical(logits=torch.zeros(3))
    >>> m.log_prob(m.sample()).exp()
    tensor(0.3333)
"""

from autograd_core.distributions import constraints
from autograd_core.distributions.bernoulli import Bernoulli
from autograd_core.distributions.categorical import Categorical
from autograd_core.distributions.distribution import Distribution
from autograd_core.distributions.exp_family import ExponentialFamily
from autograd_core.distributions.exponential import Exponential
from autograd_core.distributions.independent import Independent
from autograd_core.distributions.kl import kl_divergence, register_kl
from autograd_core.distributions.laplace import Laplace
from autograd_core.distributions.multivariate_normal import MultivariateNormal
from autograd_core.distributions.normal import Normal
from autograd_core.distributions.one_hot_categorical import (
    OneHotCategorical,
    OneHotCategoricalStraightThrough,
)
from autograd_core.distributions.uniform import Uniform

__all__ = [
    "Bernoulli",
    "Categorical",
    "Distribution",
    "Exponential",
    "ExponentialFamily",
    "Independent",
    "Laplace",
    "MultivariateNormal",
    "Normal",
    "OneHotCategorical",
    "OneHotCategoricalStraightThrough",
    "Uniform",
    "constraints",
    "kl_divergence",
    "register_kl",
]
