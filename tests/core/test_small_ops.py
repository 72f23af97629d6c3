"""The API around chain_matmul, triangular_solve, cholesky_solve, put, the Bessel functions and
random.fork_rng, against PyTorch: deprecation warnings, return types, errors, gradients at
the special points. (Values and gradients of each op are rows of tests/core/test_ops_table.py.)
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from typing import Any

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.ops import linalg_legacy

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.oracle


def _caught(fn: Any) -> list[tuple[type, str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [(w.category, str(w.message).split(" (Triggered internally")[0]) for w in caught]


def _raises_alike(ours: Any, theirs: Any) -> None:
    with pytest.raises(Exception) as t:
        theirs()
    with pytest.raises(Exception) as o:
        ours()
    assert (type(o.value), str(o.value)) == (type(t.value), str(t.value))


def test_deprecated_ops_warn_once_per_process_as_torch() -> None:
    def run() -> None:
        a = ag.ones(2, 2, dtype=ag.float64)
        for _ in range(2):
            ag.chain_matmul(a, a)
            ag.triangular_solve(a, a)

    linalg_legacy._warned.clear()  # a fresh process, as far as the once-only warnings go
    assert _caught(run) == [(UserWarning, linalg_legacy._CHAIN_MATMUL_DEPRECATED),
                            (UserWarning, linalg_legacy._TRIANGULAR_SOLVE_DEPRECATED)]
    assert _caught(run) == []


def test_deprecation_texts_are_torchs() -> None:
    # In a child process: torch's once-per-process warnings may have fired here already.
    code = ("import warnings, torch\nwarnings.simplefilter('always')\n"
            "with warnings.catch_warnings(record=True) as c:\n"
            "    warnings.simplefilter('always')\n"
            "    a = torch.eye(2, dtype=torch.float64)\n"
            "    torch.chain_matmul(a, a); torch.triangular_solve(a, a)\n"
            "print(repr([str(w.message).split(' (Triggered')[0] for w in c]))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert eval(out) == [linalg_legacy._CHAIN_MATMUL_DEPRECATED,
                         linalg_legacy._TRIANGULAR_SOLVE_DEPRECATED]


def test_triangular_solve_returns_torchs_named_pair() -> None:
    A = [[2.0, 1.0], [0.0, 4.0]]
    b = [[1.0], [2.0]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = ag.triangular_solve(ag.tensor(b, dtype=ag.float64), ag.tensor(A, dtype=ag.float64))
        theirs = torch.triangular_solve(torch.tensor(b, dtype=torch.float64),
                                        torch.tensor(A, dtype=torch.float64))
    assert repr(ours) == repr(theirs)
    assert ours.solution.tolist() == theirs.solution.tolist()
    assert ours.cloned_coefficient.tolist() == A


@pytest.mark.parametrize("name", ["triangular_solve", "cholesky_solve"])
@pytest.mark.parametrize("shapes", [((2,), (2, 2)), ((2, 1), (2, 3)), ((3, 1), (2, 2))])
def test_solver_errors_are_torchs(name: str, shapes: tuple) -> None:
    def call(m: Any) -> Any:
        b, A = (m.ones(*s, dtype=m.float64) for s in shapes)
        return getattr(m, name)(b, A)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _raises_alike(lambda: call(ag), lambda: call(torch))


def test_solver_dtype_mismatch_and_chain_matmul_errors_are_torchs() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _raises_alike(lambda: ag.cholesky_solve(ag.ones(2, 1), ag.eye(2, dtype=ag.float64)),
                      lambda: torch.cholesky_solve(torch.ones(2, 1),
                                                   torch.eye(2, dtype=torch.float64)))
        _raises_alike(lambda: ag.chain_matmul(), lambda: torch.chain_matmul())
        _raises_alike(lambda: ag.chain_matmul(ag.ones(2, 3), ag.ones(3)),
                      lambda: torch.chain_matmul(torch.ones(2, 3), torch.ones(3)))
        _raises_alike(lambda: ag.chain_matmul(ag.ones(2, 3), ag.ones(2, 3)),
                      lambda: torch.chain_matmul(torch.ones(2, 3), torch.ones(2, 3)))
        a = ag.ones(2, 3)
        single = ag.chain_matmul(a)
        assert single is not a and single.tolist() == a.tolist()


def test_bessel_functions_at_the_special_points() -> None:
    xs = [0.0, -0.0, 8.0, -8.0, 1e-30, 720.0, float("inf"), float("nan")]
    for name in ("i0", "i0e", "i1", "i1e"):
        for dtype in ("float64", "float32"):
            x_ag = ag.tensor(xs, dtype=getattr(ag, dtype), requires_grad=True)
            x_t = torch.tensor(xs, dtype=getattr(torch, dtype), requires_grad=True)
            y_ag, y_t = getattr(ag.special, name)(x_ag), getattr(torch.special, name)(x_t)
            np.testing.assert_allclose(y_ag.detach().numpy(), y_t.detach().numpy(), rtol=2e-6)
            y_ag.sum().backward()
            y_t.sum().backward()
            # at 0 the derivative of i1 and i1e is 1/2, as PyTorch special-cases it
            # (float32: i0e' = i1e - i0e cancels, so only ~4 digits are common)
            np.testing.assert_allclose(x_ag.grad.numpy()[:6], x_t.grad.numpy()[:6],
                                       rtol=2e-6 if dtype == "float64" else 2e-4)
    assert str(ag.i0(ag.tensor([1, 2])).dtype) == str(torch.i0(torch.tensor([1, 2])).dtype)
    assert ag.special.i1(ag.zeros(1, requires_grad=True)).grad_fn.name() == "SpecialI1Backward0"


def test_i0_in_place_and_put_forms() -> None:
    for m in (ag, torch):
        x = m.tensor([0.5, 1.0], dtype=m.float64)
        assert x.i0_() is x
    np.testing.assert_allclose(x.numpy(), np.i0([0.5, 1.0]))
    values = {}
    for m in (ag, torch):
        x = m.zeros(2, 2)
        y = m.put(x, m.tensor([1, -1]), m.tensor([5.0, 6.0]))
        x.put_(m.tensor([0]), m.tensor([7.0]))
        values[m] = (y.tolist(), x.tolist())
    assert values[ag] == values[torch]


def test_fork_rng_restores_the_global_generator() -> None:
    ag.manual_seed(3)
    expected = ag.rand(4).tolist()
    ag.manual_seed(3)
    with ag.random.fork_rng(devices=[]):
        inside = ag.rand(4).tolist()
        ag.manual_seed(99)  # even a reseed inside is undone
    assert inside == expected
    assert ag.rand(4).tolist() == expected
    with ag.random.fork_rng(enabled=False):
        ag.rand(1)
    assert ag.rand(4).tolist() != expected  # not forked: the draw above moved it on
    with ag.random.fork_rng(device_type="meta"):
        pass
    _raises_alike(lambda: ag.random.fork_rng(device_type="tpu").__enter__(),
                  lambda: torch.random.fork_rng(device_type="tpu").__enter__())


def test_out_is_refused_by_name() -> None:
    a = ag.eye(2)
    with pytest.raises(TypeError, match="argument 'out' is not supported"):
        ag.cholesky_solve(a, a, out=ag.empty(2, 2))
