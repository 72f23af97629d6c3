"""`autograd_core.jit`: the no-op TorchScript layer a script decorating helpers needs, with
PyTorch's eager answers where there are some (is_scripting, annotate, fork/wait, errors)."""

from __future__ import annotations

import typing
from typing import Any

import numpy as np
import pytest

import autograd_core as ag
import autograd_core.jit as jit
from autograd_core import nn

torch = pytest.importorskip("torch")


def test_reachable_both_ways_and_names_are_torchs() -> None:
    assert ag.jit is jit
    assert set(jit.__all__) <= set(dir(torch.jit))
    assert all(hasattr(jit, name) for name in jit.__all__)
    assert {n for n in vars(jit) if not n.startswith("_")} <= set(dir(torch.jit))
    assert jit.Final is torch.jit.Final is typing.Final


def test_script_and_decorators_return_what_they_decorate() -> None:
    @jit.script
    def double(x: Any) -> Any:
        return x * 2

    class M(nn.Module):
        @jit.export
        def extra(self, x: Any) -> Any:
            return x + 1

        @jit.ignore
        def helper(self, x: Any) -> Any:
            return x - 1

        @jit.ignore(drop=True)
        def dropped(self, x: Any) -> Any:
            return x

        @jit.unused
        def unused(self, x: Any) -> Any:
            return x

    m = M()
    assert jit.script(m) is m
    assert double(ag.tensor([1.0])).tolist() == [2.0]
    assert m.extra(1) == 2 and m.helper(1) == 0 and m.dropped(3) == 3 and m.unused(4) == 4
    assert jit.interface(M) is M and jit.script_if_tracing(double) is double


def test_eager_answers_match_torchs() -> None:
    for mod in (torch.jit, jit):
        assert mod.is_scripting() is False and mod.is_tracing() is False
        assert mod.annotate(list[int], [1]) == [1]
        future = mod.fork(lambda a, b=0: a + b, 2, b=3)
        assert future.done() and mod.wait(future) == 5 and future.value() == 5
        assert future.then(lambda f: f.value() * 10).wait() == 50


def _raises_alike(ours: Any, theirs: Any) -> None:
    with pytest.raises(Exception) as t:
        theirs()
    with pytest.raises(Exception) as o:
        ours()
    assert (type(o.value), str(o.value)) == (type(t.value), str(t.value))


def _boom(x: Any) -> None:
    raise ValueError("boom")


def test_errors_match_torchs() -> None:
    _raises_alike(lambda: jit.ignore(3), lambda: torch.jit.ignore(3))
    _raises_alike(lambda: jit.fork(_boom, 1), lambda: torch.jit.fork(_boom, 1))
    _raises_alike(lambda: jit.trace(lambda x: x), lambda: torch.jit.trace(lambda x: x))


def test_trace_runs_once_and_returns_the_original() -> None:
    calls = []

    def f(x: Any, y: Any) -> Any:
        calls.append(1)
        return x @ y

    assert jit.trace(f, (ag.ones(2, 3), ag.ones(3, 4))) is f
    assert len(calls) == 1
    with pytest.raises(RuntimeError) as traced:  # a shape error surfaces at trace, as in torch
        jit.trace(f, (ag.ones(2, 3), ag.ones(2, 4)))
    with pytest.raises(RuntimeError) as eager:
        f(ag.ones(2, 3), ag.ones(2, 4))
    assert str(traced.value) == str(eager.value)
    with pytest.raises(RuntimeError):
        torch.jit.trace(f, (torch.ones(2, 3), torch.ones(2, 4)))
    model = nn.Linear(3, 2)
    x = ag.randn(4, 3)
    assert jit.trace(model, x) is model  # one Tensor is one argument
    assert jit.trace(model, example_kwarg_inputs={"input": x}) is model
    assert jit.trace_module(model, {"forward": (x,)}) is model
    np.testing.assert_allclose(model(x).detach().numpy(), x.numpy() @ model.weight.detach()
                               .numpy().T + model.bias.detach().numpy(), rtol=1e-6)


@pytest.mark.parametrize("call", [
    lambda: jit.save(nn.Linear(1, 1), "m.pt"),
    lambda: jit.load("m.pt"),
])
def test_serialization_says_torchscript_is_not_supported(call: Any) -> None:
    with pytest.raises(RuntimeError, match="TorchScript serialization is not supported by "
                                           "autograd_core"):
        call()


@pytest.mark.parametrize("name", ["freeze", "optimize_for_inference"])
def test_freezing_says_torchscript_is_not_supported(name: str) -> None:
    with pytest.raises(RuntimeError, match=f"torch.jit.{name}: TorchScript is not supported by "
                                           "autograd_core"):
        getattr(jit, name)(nn.Linear(1, 1))
