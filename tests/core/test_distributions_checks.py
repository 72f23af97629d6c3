"""Argument and sample validation (class and message as torch), constructor errors, the
constraints module's checks and reprs, and how the package is reached."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd_core as ag

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.oracle


def _error(lib: Any, make: Callable[[Any, Any], Any]) -> tuple[type, str]:
    with pytest.raises(Exception) as info:  # the class is compared by the caller
        make(lib.distributions, lib)
    return type(info.value), str(info.value)


BAD: dict[str, Callable[[Any, Any], Any]] = {
    "normal scale": lambda D, t: D.Normal(t.tensor([0.0, 1.0]), t.tensor([1.0, -1.0])),
    "normal nan loc": lambda D, t: D.Normal(t.tensor([float("nan")]), t.tensor([1.0])),
    "scalar scale": lambda D, t: D.Laplace(0.0, 0.0),
    "exponential rate": lambda D, t: D.Exponential(t.tensor([-1.0, 2.0])),
    "uniform order": lambda D, t: D.Uniform(t.tensor([1.0]), t.tensor([0.0])),
    "bernoulli probs": lambda D, t: D.Bernoulli(probs=t.tensor([1.5])),
    "both probs and logits": lambda D, t: D.Bernoulli(probs=0.5, logits=0.0),
    "neither": lambda D, t: D.Categorical(),
    "categorical simplex": lambda D, t: D.Categorical(probs=t.tensor([0.5, -0.5, 1.0])),
    "categorical 0-d": lambda D, t: D.Categorical(probs=t.tensor(1.0)),
    "logits 0-d": lambda D, t: D.Categorical(logits=t.tensor(1.0)),
    "mvn two matrices": lambda D, t: D.MultivariateNormal(t.zeros(2), t.eye(2),
                                                          scale_tril=t.eye(2)),
    "mvn no matrix": lambda D, t: D.MultivariateNormal(t.zeros(2)),
    "mvn 0-d loc": lambda D, t: D.MultivariateNormal(t.tensor(0.0), t.eye(2)),
    "mvn 1-d cov": lambda D, t: D.MultivariateNormal(t.zeros(2), t.ones(2)),
    "mvn 1-d tril": lambda D, t: D.MultivariateNormal(t.zeros(2), scale_tril=t.ones(2)),
    "mvn not pd": lambda D, t: D.MultivariateNormal(t.zeros(2), t.tensor([[1.0, 2.0],
                                                                           [2.0, 1.0]])),
    "mvn not tril": lambda D, t: D.MultivariateNormal(t.zeros(2), scale_tril=t.ones(2, 2)),
    "independent ndims": lambda D, t: D.Independent(D.Normal(t.zeros(3), 1.0), 2),
    "log_prob not a tensor": lambda D, t: D.Normal(0.0, 1.0).log_prob(0.5),
    "log_prob shape": lambda D, t: D.Normal(t.zeros(3), 1.0).log_prob(t.zeros(2)),
    "log_prob event shape": lambda D, t: D.MultivariateNormal(t.zeros(3), t.eye(3))
    .log_prob(t.zeros(2)),
    "exponential support": lambda D, t: D.Exponential(1.0).log_prob(t.tensor([-1.0, 1.0])),
    "bernoulli support": lambda D, t: D.Bernoulli(0.3).log_prob(t.tensor(0.5)),
    "categorical support": lambda D, t: D.Categorical(logits=t.zeros(3)).log_prob(
        t.tensor([3])),
    "uniform support": lambda D, t: D.Uniform(0.0, 1.0).log_prob(t.tensor(2.0)),
    "onehot support": lambda D, t: D.OneHotCategorical(logits=t.zeros(3)).log_prob(
        t.tensor([1.0, 1.0, 0.0])),
    "cdf support": lambda D, t: D.Exponential(2.0).cdf(t.tensor(-0.5)),
    "set_default_validate_args": lambda D, t: D.Distribution.set_default_validate_args(2),
    "no mode": lambda D, t: D.Distribution(validate_args=False).mode,
    "independent enumerate": lambda D, t: D.Independent(D.Bernoulli(t.ones(2) / 2), 1)
    .enumerate_support(),
}


@pytest.mark.parametrize("case", list(BAD))
def test_invalid_arguments_raise_like_torch(case: str) -> None:
    ours, theirs = _error(ag, BAD[case]), _error(torch, BAD[case])
    assert ours[0] is theirs[0]
    # a message naming the class names its module: autograd_core's, not torch's
    assert ours[1].replace("autograd_core.", "torch.") == theirs[1]


def test_validate_args_false_skips_the_checks() -> None:
    D = ag.distributions
    d = D.Normal(ag.tensor([0.0]), ag.tensor([-1.0]), validate_args=False)
    assert ag.isnan(d.log_prob(ag.tensor([0.0]))).all()
    assert D.Exponential(1.0, validate_args=False).log_prob(ag.tensor(-1.0)).item() == 1.0


def test_set_default_validate_args_turns_checks_off_and_on() -> None:
    D = ag.distributions
    try:
        D.Distribution.set_default_validate_args(False)
        assert D.Normal(0.0, -1.0).scale.item() == -1.0
        with pytest.raises(ValueError, match="constraint GreaterThan"):
            D.Normal(0.0, -1.0, validate_args=True)
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError, match="Expected parameter scale"):
        D.Normal(0.0, -1.0)


CHECKS: dict[str, tuple[Callable[[Any], Any], list[Any]]] = {
    "real": (lambda c: c.real, [0.0, float("inf"), float("nan")]),
    "positive": (lambda c: c.positive, [-1.0, 0.0, 2.0]),
    "nonnegative": (lambda c: c.nonnegative, [-1.0, 0.0, 2.0]),
    "unit_interval": (lambda c: c.unit_interval, [-0.1, 0.0, 1.0, 1.1]),
    "boolean": (lambda c: c.boolean, [0.0, 1.0, 0.5]),
    "nonnegative_integer": (lambda c: c.nonnegative_integer, [-1.0, 0.0, 2.0, 2.5]),
    "positive_integer": (lambda c: c.positive_integer, [0.0, 1.0, 2.5]),
    "integer_interval": (lambda c: c.integer_interval(0, 3), [-1.0, 0.0, 3.0, 4.0, 1.5]),
    "interval": (lambda c: c.interval(-1.0, 1.0), [-1.0, 1.0, 1.5]),
    "half_open_interval": (lambda c: c.half_open_interval(-1.0, 1.0), [-1.0, 1.0]),
    "greater_than": (lambda c: c.greater_than(1.0), [1.0, 2.0]),
    "greater_than_eq": (lambda c: c.greater_than_eq(1.0), [1.0, 0.5]),
    "less_than": (lambda c: c.less_than(1.0), [1.0, 0.5]),
    "simplex": (lambda c: c.simplex, [[0.5, 0.5], [0.7, 0.7], [1.5, -0.5]]),
    "one_hot": (lambda c: c.one_hot, [[0.0, 1.0], [1.0, 1.0]]),
    "real_vector": (lambda c: c.real_vector, [[0.0, 1.0], [float("nan"), 1.0]]),
    "independent": (lambda c: c.independent(c.positive, 1), [[1.0, 2.0], [1.0, -2.0]]),
    "multinomial": (lambda c: c.multinomial(3), [[1.0, 2.0], [2.0, 2.0], [-1.0, 0.0]]),
    "lower_triangular": (lambda c: c.lower_triangular, [[[1.0, 0.0], [2.0, 1.0]],
                                                         [[1.0, 1.0], [0.0, 1.0]]]),
    "lower_cholesky": (lambda c: c.lower_cholesky, [[[1.0, 0.0], [2.0, 1.0]],
                                                     [[1.0, 0.0], [2.0, -1.0]]]),
    "corr_cholesky": (lambda c: c.corr_cholesky, [[[1.0, 0.0], [0.6, 0.8]],
                                                   [[1.0, 0.0], [2.0, 1.0]]]),
    "square": (lambda c: c.square, [[[1.0, 0.0], [2.0, 1.0]]]),
    "symmetric": (lambda c: c.symmetric, [[[1.0, 2.0], [2.0, 1.0]],
                                           [[1.0, 2.0], [0.0, 1.0]]]),
    "positive_definite": (lambda c: c.positive_definite, [[[2.0, 0.5], [0.5, 1.0]],
                                                           [[1.0, 2.0], [2.0, 1.0]]]),
    "positive_semidefinite": (lambda c: c.positive_semidefinite, [[[1.0, 1.0], [1.0, 1.0]],
                                                                   [[1.0, 2.0], [2.0, 1.0]]]),
    "cat": (lambda c: c.cat([c.positive, c.real], dim=-1, lengths=[1, 2]),
            [[1.0, -1.0, 5.0], [-1.0, 0.0, 0.0]]),
    "stack": (lambda c: c.stack([c.positive, c.real], dim=-1), [[1.0, -1.0], [-1.0, 0.0]]),
}


@pytest.mark.parametrize("name", list(CHECKS))
def test_constraints_check_and_repr_like_torch(name: str) -> None:
    pick, values = CHECKS[name]
    ours, theirs = pick(ag.distributions.constraints), pick(torch.distributions.constraints)
    mine = ours.check(ag.tensor(values))
    ref = theirs.check(torch.tensor(values))
    np.testing.assert_array_equal(mine.numpy(), ref.numpy())
    assert str(mine.dtype) == str(ref.dtype)
    assert repr(ours) == repr(theirs)
    assert (ours.is_discrete, ours.event_dim) == (theirs.is_discrete, theirs.event_dim)


def test_dependent_constraints_like_torch() -> None:
    for lib in (ag, torch):
        c = lib.distributions.constraints
        assert c.is_dependent(c.dependent) and not c.is_dependent(c.real)
        assert c.is_dependent(lib.distributions.Uniform.support)
        assert repr(lib.distributions.Uniform(0.0, 2.0).support) == (
            "Interval(lower_bound=0.0, upper_bound=2.0)")
        assert c.dependent(is_discrete=True, event_dim=1).event_dim == 1
        with pytest.raises(NotImplementedError, match="cannot be determined statically"):
            _ = c.dependent.event_dim
        with pytest.raises(ValueError, match="Cannot determine validity"):
            c.dependent.check(lib.zeros(1))


def test_public_names_of_the_package_and_constraints_are_torch_names() -> None:
    ours = {n for n in dir(ag.distributions) if not n.startswith("_")}
    assert ours - set(dir(torch.distributions)) == set()
    for name in ag.distributions.__all__:
        assert hasattr(torch.distributions, name), name
    assert set(ag.distributions.constraints.__all__) == set(torch.distributions.constraints
                                                            .__all__)
    assert set(ag.distributions.utils.__all__) == set(torch.distributions.utils.__all__)


def test_reachable_as_an_attribute_and_as_an_import() -> None:
    script = ("import autograd_core as torch\n"
              "d = torch.distributions.Normal(0.0, 1.0)\n"
              "import autograd_core.distributions as dist\n"
              "from autograd_core.distributions import constraints, kl_divergence\n"
              "assert dist is torch.distributions and constraints is dist.constraints\n"
              "print(kl_divergence(d, d).item())\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "0.0"
