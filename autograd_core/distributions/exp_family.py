"""`ExponentialFamily` (torch.distributions.ExponentialFamily): the base of Normal, Bernoulli
and Exponential, with the generic entropy from the log-normaliser's gradient."""

from __future__ import annotations

from typing import Any

import autograd_core as ag
from autograd_core.distributions.distribution import Distribution
from autograd_core.tensor import Tensor

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """Distributions p(x) = h(x) exp(<t(x), theta> - F(theta)): subclasses give the natural
    parameters theta, the log-normaliser F and E[log h(x)] (`_mean_carrier_measure`)."""

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        raise NotImplementedError

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self) -> Any:
        raise NotImplementedError

    def entropy(self) -> Tensor:
        """H = F(theta) - <theta, grad F(theta)> - E[log h(x)] (a Bregman divergence)."""
        result: Any = -self._mean_carrier_measure
        nparams = [p.detach().requires_grad_() for p in self._natural_params]
        lg_normal = self._log_normalizer(*nparams)
        gradients = ag.autograd.grad(lg_normal.sum(), nparams, create_graph=True)
        result = result + lg_normal
        for nparam, grad in zip(nparams, gradients):
            result = result - (nparam * grad).reshape((*self._batch_shape, -1)).sum(-1)
        return result
