"""kl_divergence: every registered pair's value and gradients against torch (float64),
Independent recursion, dispatch to the most specific pair, register_kl, and the error for a
pair with no formula."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd_core as ag

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.oracle

A = np.array([0.3, -1.2, 2.0])
B = np.array([1.1, 0.4, 0.6])
C = np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]])
D2 = np.array([[0.4, 0.4, 0.2], [0.1, 0.1, 0.8]])
SPD = np.array([[2.0, 0.3, 0.1], [0.3, 1.5, -0.2], [0.1, -0.2, 1.0]])
SPD2 = np.array([[1.0, -0.2, 0.0], [-0.2, 0.8, 0.1], [0.0, 0.1, 1.3]])

# name -> (p builder, q builder) over (lib.distributions, leaves)
MAKERS: dict[str, Any] = {
    "normal": lambda D, t: D.Normal(t["a"], t["b"]),
    "laplace": lambda D, t: D.Laplace(t["a"], t["b"]),
    "exponential": lambda D, t: D.Exponential(t["b"]),
    "uniform": lambda D, t: D.Uniform(t["a"] - 3, t["a"] + t["b"] + 3),
    "uniform_pos": lambda D, t: D.Uniform(t["b"], t["b"] + 1),
    "bernoulli": lambda D, t: D.Bernoulli(probs=t["b"] / (1 + t["b"])),
    "categorical": lambda D, t: D.Categorical(probs=t["c"]),
    "onehot": lambda D, t: D.OneHotCategorical(logits=t["c"]),
    "mvn": lambda D, t: D.MultivariateNormal(t["a"], covariance_matrix=t["s"]),
    "independent": lambda D, t: D.Independent(D.Normal(t["c"], t["b"] + 1), 1),
}
PAIRS = [("normal", "normal"), ("laplace", "laplace"), ("exponential", "exponential"),
         ("uniform", "uniform"), ("bernoulli", "bernoulli"), ("categorical", "categorical"),
         ("onehot", "onehot"), ("mvn", "mvn"), ("independent", "independent"),
         ("exponential", "normal"), ("laplace", "normal"), ("normal", "laplace"),
         ("uniform", "normal"), ("uniform_pos", "exponential"), ("exponential", "uniform"),
         ("laplace", "exponential"), ("laplace", "uniform"), ("normal", "exponential"),
         ("normal", "uniform")]


def _kl(lib: Any, p_name: str, q_name: str) -> tuple[np.ndarray, list[np.ndarray]]:
    def leaves(a: np.ndarray, b: np.ndarray, c: np.ndarray, s: np.ndarray) -> dict[str, Any]:
        return {k: lib.tensor(v, dtype=lib.float64, requires_grad=True)
                for k, v in {"a": a, "b": b, "c": c, "s": s}.items()}

    tp, tq = leaves(A, B, C, SPD), leaves(B - 1, A * A + 0.5, D2, SPD2)
    out = lib.distributions.kl_divergence(MAKERS[p_name](lib.distributions, tp),
                                          MAKERS[q_name](lib.distributions, tq))
    finite = out[lib.isfinite(out)]
    if finite.numel() and out.requires_grad:
        finite.sum().backward()
    grads = [t.grad.numpy() if t.grad is not None else np.zeros(t.shape)
             for t in [*tp.values(), *tq.values()]]
    return out.detach().numpy(), grads


@pytest.mark.parametrize(("p_name", "q_name"), PAIRS, ids=[f"{p}-{q}" for p, q in PAIRS])
def test_kl_value_and_gradients_match_torch(p_name: str, q_name: str) -> None:
    ours, our_grads = _kl(ag, p_name, q_name)
    theirs, their_grads = _kl(torch, p_name, q_name)
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
    for mine, ref in zip(our_grads, their_grads):
        np.testing.assert_allclose(mine, ref, rtol=1e-9, atol=1e-12)


def test_kl_with_zero_probabilities_is_inf_or_zero_like_torch() -> None:
    def kl(lib: Any) -> np.ndarray:
        D = lib.distributions
        p = D.Categorical(probs=lib.tensor([[0.5, 0.5, 0.0], [0.2, 0.8, 0.0]]))
        q = D.Categorical(probs=lib.tensor([[0.5, 0.0, 0.5], [0.5, 0.5, 0.0]]))
        b = D.kl_divergence(D.Bernoulli(lib.tensor([0.0, 1.0, 0.3])),
                            D.Bernoulli(lib.tensor([0.5, 1.0, 0.0])))
        return np.concatenate([D.kl_divergence(p, q).numpy(), b.numpy()])

    np.testing.assert_allclose(kl(ag), kl(torch), rtol=1e-6)


def test_kl_of_a_pair_without_a_formula_raises_like_torch() -> None:
    for lib in (ag, torch):
        D = lib.distributions
        with pytest.raises(NotImplementedError) as info:
            D.kl_divergence(D.Categorical(logits=lib.zeros(3)), D.Normal(0.0, 1.0))
        assert str(info.value) == ("No KL(p || q) is implemented for p type Categorical and "
                                   "q type Normal")


def test_register_kl_adds_a_pair_and_the_most_specific_wins() -> None:
    D = ag.distributions

    class MyNormal(D.Normal):
        pass

    p, q = MyNormal(0.0, 1.0), D.Normal(1.0, 2.0)
    assert D.kl_divergence(p, q).item() == pytest.approx(D.kl_divergence(D.Normal(0.0, 1.0), q)
                                                         .item())

    @D.register_kl(MyNormal, D.Normal)
    def _mine(p: Any, q: Any) -> Any:
        return ag.tensor(42.0)

    try:
        assert D.kl_divergence(p, q).item() == 42.0  # the memo was cleared
        assert D.kl_divergence(q, D.Normal(0.0, 1.0)).item() != 42.0
    finally:
        from autograd_core.distributions import kl

        del kl._KL_REGISTRY[MyNormal, D.Normal]
        kl._KL_MEMOIZE.clear()


def test_exponential_family_kl_needs_the_same_family() -> None:
    """The Bregman fallback is registered for ExponentialFamily pairs, as in torch."""
    for lib in (ag, torch):
        D = lib.distributions

        class Other(D.ExponentialFamily):
            pass

        with pytest.raises(NotImplementedError, match="cannot"):
            D.kl_divergence(D.Normal(0.0, 1.0), Other(validate_args=False))
