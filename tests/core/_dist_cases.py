"""Shared cases for the distribution tests: each builds the same distribution in
autograd_core and in torch from float64 parameters that require grad."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

RNG = np.random.default_rng(7)
X423 = RNG.normal(size=(4, 2, 3))
X53 = RNG.normal(size=(5, 3))
SPD = np.array([[2.0, 0.3, 0.1], [0.3, 1.5, -0.2], [0.1, -0.2, 1.0]])

# name -> (parameters as numpy arrays, builder(lib.distributions, params), value maker)
CASES: dict[str, tuple[dict[str, np.ndarray], Callable[..., Any], Callable[..., Any]]] = {
    "normal": ({"loc": np.array([0.1, -0.5, 2.0]), "scale": np.array([1.2, 0.7, 0.3])},
               lambda D, p: D.Normal(p["loc"], p["scale"]),
               lambda lib: lib.tensor([[0.3, -1.0, 2.1], [1.0, 0.0, 1.5]], dtype=lib.float64)),
    "laplace": ({"loc": np.array([0.1, -0.5, 2.0]), "scale": np.array([1.2, 0.7, 0.3])},
                lambda D, p: D.Laplace(p["loc"], p["scale"]),
                lambda lib: lib.tensor([[0.3, -1.0, 2.1], [1.0, 0.0, 1.5]], dtype=lib.float64)),
    "exponential": ({"rate": np.array([0.5, 1.0, 3.0])},
                    lambda D, p: D.Exponential(p["rate"]),
                    lambda lib: lib.tensor([[0.3, 1.0, 2.1], [0.0, 4.0, 0.5]],
                                           dtype=lib.float64)),
    "uniform": ({"low": np.array([0.0, -1.0, 2.0]), "high": np.array([1.0, 3.0, 2.5])},
                lambda D, p: D.Uniform(p["low"], p["high"]),
                lambda lib: lib.tensor([[0.3, -1.0, 2.1], [0.0, 2.9, 2.4]], dtype=lib.float64)),
    "bernoulli_probs": ({"probs": np.array([0.1, 0.5, 0.8])},
                        lambda D, p: D.Bernoulli(probs=p["probs"]),
                        lambda lib: lib.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]],
                                               dtype=lib.float64)),
    "bernoulli_logits": ({"logits": np.array([-2.0, 0.3, 1.5])},
                         lambda D, p: D.Bernoulli(logits=p["logits"]),
                         lambda lib: lib.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]],
                                                dtype=lib.float64)),
    "categorical_probs": ({"probs": RNG.uniform(0.1, 1.0, (2, 4))},
                          lambda D, p: D.Categorical(probs=p["probs"]),
                          lambda lib: lib.tensor([[0, 3], [2, 1], [1, 1]])),
    "categorical_logits": ({"logits": RNG.normal(size=(2, 4))},
                           lambda D, p: D.Categorical(logits=p["logits"]),
                           lambda lib: lib.tensor([[0, 3], [2, 1], [1, 1]])),
    "onehot": ({"probs": RNG.uniform(0.1, 1.0, (2, 4))},
               lambda D, p: D.OneHotCategorical(probs=p["probs"]),
               lambda lib: lib.tensor([[0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0]],
                                      dtype=lib.float64)),
    "mvn_cov": ({"loc": RNG.normal(size=(2, 3)), "covariance_matrix": SPD},
                lambda D, p: D.MultivariateNormal(p["loc"],
                                                  covariance_matrix=p["covariance_matrix"]),
                lambda lib: lib.tensor(X423, dtype=lib.float64)),
    "mvn_tril": ({"loc": RNG.normal(size=(3,)), "scale_tril": np.linalg.cholesky(SPD)},
                 lambda D, p: D.MultivariateNormal(p["loc"], scale_tril=p["scale_tril"]),
                 lambda lib: lib.tensor(X53, dtype=lib.float64)),
    "mvn_precision": ({"loc": RNG.normal(size=(3,)), "precision_matrix": SPD},
                      lambda D, p: D.MultivariateNormal(p["loc"],
                                                        precision_matrix=p["precision_matrix"]),
                      lambda lib: lib.tensor(X53, dtype=lib.float64)),
    "independent_normal": ({"loc": RNG.normal(size=(2, 3)), "scale": RNG.uniform(0.5, 2, (2, 3))},
                           lambda D, p: D.Independent(D.Normal(p["loc"], p["scale"]), 1),
                           lambda lib: lib.tensor(X423, dtype=lib.float64)),
}


def build(lib: Any, name: str) -> tuple[Any, dict[str, Any]]:
    """The case's distribution in `lib` and its leaf parameters (float64, requires_grad)."""
    params, make, _ = CASES[name]
    leaves = {k: lib.tensor(v, dtype=lib.float64, requires_grad=True) for k, v in params.items()}
    return make(lib.distributions, leaves), leaves


def value(lib: Any, name: str) -> Any:
    return CASES[name][2](lib)
