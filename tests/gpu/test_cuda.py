"""autograd_core.cuda and tensors on 'cuda': what a user sees, with and without a GPU.

The `cuda` fixture runs each test on the numpy stand-in for CuPy (always) and on the real
GPU (where one is usable, marked `gpu`). The error-path tests fake a missing CuPy or GPU.
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np
import pytest

import autograd_core as ag
import autograd_core.nn.functional as F
from autograd_core import nn, optim


# ------------------------------------------------------------------ CUDA missing
def test_without_cupy_cuda_requests_say_what_to_install(set_cupy: Any) -> None:
    set_cupy(None, "ModuleNotFoundError: No module named 'cupy'")
    assert not ag.cuda.is_available() and ag.cuda.device_count() == 0
    for make in (lambda: ag.zeros(2, device="cuda"), lambda: ag.tensor([1.0]).cuda(),
                 lambda: ag.set_default_device("cuda"), ag.cuda.synchronize):
        with pytest.raises(RuntimeError, match=r"CuPy is not installed.*gpu-cuda12.*gpu-cuda13"):
            make()
    assert ag.get_default_device() == ag.device("cpu")


def test_cupy_that_fails_to_import_names_its_error(set_cupy: Any) -> None:
    set_cupy(None, "ImportError: libcudart.so.13: cannot open shared object file")
    with pytest.raises(RuntimeError, match=r"not installed \(ImportError: libcudart"):
        ag.zeros(1, device="cuda")


def test_cupy_without_a_gpu_says_the_gpu_is_missing(fake_cupy: Any, set_cupy: Any,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fake_cupy.Device, "count", 0)
    set_cupy(fake_cupy.make())
    assert not ag.cuda.is_available()
    with pytest.raises(RuntimeError, match="CuPy is installed, but it found no GPU"):
        ag.randn(3, device="cuda")


def test_cupy_with_a_broken_driver_says_so(fake_cupy: Any, set_cupy: Any) -> None:
    cp = fake_cupy.make()

    def no_driver() -> int:
        raise RuntimeError("cudaErrorInsufficientDriver: CUDA driver version is insufficient")

    cp.cuda.runtime = types.SimpleNamespace(getDeviceCount=no_driver)
    set_cupy(cp)
    with pytest.raises(RuntimeError, match=r"driver or GPU is missing.*InsufficientDriver"):
        ag.ones(1, device="cuda")


# ------------------------------------------------------------------ devices
def test_device_objects_and_moves(cuda: Any) -> None:
    x = ag.tensor([1.0, 2.0], device="cuda")
    assert repr(x.device) == "device(type='cuda', index=0)" and x.is_cuda
    assert str(x.device) == "cuda:0" and x.device == "cuda:0" and x.device == ag.device("cuda")
    assert isinstance(x._data, cuda.ndarray)
    back = x.cpu()
    assert back.device == ag.device("cpu") and back.tolist() == [1.0, 2.0]
    assert x.cuda() is x and back.to("cuda").device.type == "cuda"
    assert "device='cuda:0'" in repr(x)
    with pytest.raises(TypeError, match=r"Use Tensor\.cpu"):
        x.numpy()
    with pytest.raises(RuntimeError, match="invalid device ordinal"):
        ag.zeros(1, device="cuda:7")


def test_an_op_on_two_devices_names_both(cuda: Any) -> None:
    a, b = ag.ones(3, device="cuda"), ag.ones(3)
    with pytest.raises(RuntimeError, match=r"same device.*cuda:0 and cpu"):
        a + b
    with pytest.raises(RuntimeError, match=r"same device.*cpu and cuda:0"):
        b * a


def test_gradients_flow_across_to(cuda: Any) -> None:
    w = ag.tensor([1.0, -2.0, 3.0], requires_grad=True)  # a CPU leaf
    y = (w.to("cuda") * ag.tensor([2.0, 2.0, 2.0], device="cuda")).tanh().sum()
    y.backward()
    assert w.grad.device == ag.device("cpu")
    np.testing.assert_allclose(w.grad.numpy(), 2 * (1 - np.tanh(2 * w.detach().numpy()) ** 2),
                               rtol=1e-6)
    g = ag.randn(4, device="cuda", requires_grad=True)
    (g.cpu() ** 2).sum().backward()
    assert g.grad.device.type == "cuda"
    np.testing.assert_allclose(g.grad.cpu().numpy(), 2 * g.detach().cpu().numpy(), rtol=1e-6)


def test_default_device_and_factories(cuda: Any) -> None:
    ag.set_default_device("cuda")
    for t in (ag.zeros(2, 3), ag.ones(2), ag.randn(4), ag.rand(2), ag.arange(5),
              ag.tensor([1, 2]), ag.full((2,), 7.0), ag.eye(2), ag.randint(0, 5, (3,))):
        assert t.device.type == "cuda", t
    assert ag.randn(4).dtype == ag.float32 and ag.arange(3).dtype == ag.int64


def test_manual_seed_repeats_cuda_draws(cuda: Any) -> None:
    ag.cuda.manual_seed(7)
    a = ag.randn(5, device="cuda").cpu().tolist()
    ag.manual_seed(7)
    b = ag.randn(5, device="cuda").cpu().tolist()
    ag.cuda.manual_seed_all(7)
    c = ag.randn(5, device="cuda").cpu().tolist()
    assert a == b == c


def test_mlp_step_on_cuda_keeps_float32_and_the_device(cuda: Any) -> None:
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
    ref = [p.detach().clone() for p in model.parameters()]
    assert model.to("cuda") is model
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x, y = ag.randn(5, 8, device="cuda"), ag.randint(0, 3, (5,), device="cuda")
    for _ in range(2):
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.device.type == "cuda" and loss.dtype == ag.float32
    for p, r in zip(model.parameters(), ref):
        assert p.device.type == "cuda" and p.dtype == ag.float32
        assert p.grad.device.type == "cuda" and p.grad.dtype == ag.float32
        assert not np.allclose(p.detach().cpu().numpy(), r.numpy())  # it trained
    model.cpu()
    assert all(p.device.type == "cpu" and p.grad.device.type == "cpu"
               for p in model.parameters())


def test_same_training_on_cpu_and_cuda(cuda: Any) -> None:
    """One seed, one model, both devices: the losses agree to float32 rounding."""
    losses = {}
    for dev in ("cpu", "cuda"):
        ag.manual_seed(3)
        model = nn.Sequential(nn.Linear(6, 12), nn.Tanh(), nn.Linear(12, 4))
        model.to(dev)
        opt = optim.Adam(model.parameters(), lr=0.01)
        rng = np.random.default_rng(0)
        x = ag.tensor(rng.standard_normal((16, 6)).astype(np.float32), device=dev)
        y = ag.tensor(rng.integers(0, 4, 16), device=dev)
        out = []
        for _ in range(3):
            loss = F.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            out.append(loss.item())
        losses[dev] = out
    np.testing.assert_allclose(losses["cuda"], losses["cpu"], rtol=1e-4)


def test_memory_and_sync_helpers(cuda: Any) -> None:
    ag.cuda.synchronize()
    ag.cuda.empty_cache()
    ag.cuda.reset_peak_memory_stats()
    before = ag.cuda.memory_allocated()
    x = ag.zeros(1 << 20, device="cuda")
    assert isinstance(ag.cuda.get_device_name(), str) and ag.cuda.device_count() >= 1
    assert ag.cuda.max_memory_allocated() >= ag.cuda.memory_allocated()
    if not getattr(cuda, "IS_FAKE", False):  # the stand-in has no memory pool
        assert ag.cuda.memory_allocated() >= before + x.nbytes
        peak = ag.cuda.max_memory_allocated()
        del x
        assert ag.cuda.memory_allocated() <= peak - (1 << 22)
        assert ag.cuda.max_memory_allocated() == peak
        ag.cuda.reset_peak_memory_stats()
        assert ag.cuda.max_memory_allocated() < peak
    start, end = ag.cuda.Event(enable_timing=True), ag.cuda.Event(enable_timing=True)
    start.record()
    ag.ones(1000, device="cuda").sum()
    end.record()
    end.synchronize()
    assert start.elapsed_time(end) >= 0.0 and end.query()


@pytest.mark.gpu
@pytest.mark.skipif(not ag.cuda.is_available(), reason="needs a CUDA GPU")
def test_tf32_is_off_on_the_gpu() -> None:
    """A float32 matmul is exact to float32 rounding, not TF32's 10-bit mantissa."""
    import os

    assert os.environ.get("CUPY_TF32", "0") == "0"
    rng = np.random.default_rng(0)
    a = rng.standard_normal((256, 256)).astype(np.float32)
    b = rng.standard_normal((256, 256)).astype(np.float32)
    got = (ag.tensor(a, device="cuda") @ ag.tensor(b, device="cuda")).cpu().numpy()
    want = a.astype(np.float64) @ b.astype(np.float64)
    assert np.abs(got - want).max() < 1e-3  # TF32 errs by ~1e-2 here
