"""Namespaces scripts touch on the CPU, against torch: accelerator, backends, amp, cuda seeds,
legacy tensor types, format(), compile, sparse, DataParallel, distributed and onnx."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn

torch = pytest.importorskip("torch")
no_gpu = pytest.mark.skipif(ag.cuda.is_available() or torch.cuda.is_available(),
                            reason="compares the answers of a machine without a GPU")


def _raises_alike(ours, theirs, exc=Exception):
    """Both calls raise the same class with the same message."""
    with pytest.raises(exc) as t:
        theirs()
    with pytest.raises(exc) as o:
        ours()
    assert (type(o.value), str(o.value)) == (type(t.value), str(t.value))


def _warnings(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    return result, [(w.category, str(w.message)) for w in caught]


# ------------------------------------------------------------------ devices and flags
@no_gpu
def test_accelerator_answers_like_torch_without_a_gpu():
    for name in ("is_available", "current_accelerator", "device_count"):
        assert getattr(ag.accelerator, name)() == getattr(torch.accelerator, name)()
    _raises_alike(ag.accelerator.current_device_index, torch.accelerator.current_device_index)
    _raises_alike(ag.accelerator.synchronize, torch.accelerator.synchronize)


def test_backend_flags_have_torchs_defaults_and_can_be_set():
    for name in ("enabled", "benchmark", "deterministic", "allow_tf32"):
        assert getattr(ag.backends.cudnn, name) == getattr(torch.backends.cudnn, name), name
    assert ag.backends.cudnn.is_available() is torch.backends.cudnn.is_available() is False
    assert ag.backends.cudnn.version() is None
    assert ag.backends.mps.is_available() is torch.backends.mps.is_available()
    matmul = ag.backends.cuda.matmul
    assert matmul.allow_tf32 == torch.backends.cuda.matmul.allow_tf32
    saved = (ag.backends.cudnn.benchmark, matmul.allow_tf32)
    try:
        ag.backends.cudnn.benchmark = True
        matmul.allow_tf32 = True
        import autograd_core.backends.cudnn as cudnn  # the module path scripts import

        assert cudnn.benchmark is True and ag.backends.cuda.matmul.allow_tf32 is True
    finally:
        ag.backends.cudnn.benchmark, matmul.allow_tf32 = saved

    def unknown(m):
        return lambda: setattr(m, "allow_everything", True)

    _raises_alike(unknown(matmul), unknown(torch.backends.cuda.matmul), AttributeError)


@no_gpu
def test_cuda_seeds_do_nothing_without_a_gpu():
    assert ag.cuda.manual_seed(3) is torch.cuda.manual_seed(3) is None
    assert ag.cuda.manual_seed_all(3) is torch.cuda.manual_seed_all(3) is None
    assert ag.cuda.is_bf16_supported() is False


# ------------------------------------------------------------------ amp
def _regression(lib, dtype):
    rng = np.random.default_rng(0)
    w = lib.tensor(rng.standard_normal((3, 1)), dtype=dtype, requires_grad=True)
    x = lib.tensor(rng.standard_normal((8, 3)), dtype=dtype)
    y = lib.tensor(rng.standard_normal((8, 1)), dtype=dtype)
    return w, lambda: ((x @ w - y) ** 2).mean()


def _scaled_steps(lib, scaler, poison_at=(), steps=6):
    w, loss_fn = _regression(lib, lib.float64)
    opt = lib.optim.SGD([w], lr=0.1)
    scales = []
    for i in range(steps):
        opt.zero_grad()
        loss = loss_fn() * (float("inf") if i in poison_at else 1.0)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        scales.append(scaler.get_scale())
    return w.detach().numpy(), scales, scaler.state_dict()


@pytest.mark.parametrize("poison_at", [(), (1, 4)])
def test_grad_scaler_on_the_cpu_scales_like_torch(poison_at):
    kwargs = dict(init_scale=1024.0, growth_interval=2)
    ours = _scaled_steps(ag, ag.amp.GradScaler("cpu", **kwargs), poison_at)
    theirs = _scaled_steps(torch, torch.amp.GradScaler("cpu", **kwargs), poison_at)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    assert ours[1] == theirs[1]
    assert ours[2] == theirs[2]


def test_disabled_grad_scaler_passes_through():
    ours = _scaled_steps(ag, ag.amp.GradScaler(enabled=False))
    theirs = _scaled_steps(torch, torch.amp.GradScaler(enabled=False))
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    assert ours[1] == theirs[1] == [1.0] * 6 and ours[2] == theirs[2] == {}
    loss = ag.ones(())
    assert ag.amp.GradScaler(enabled=False).scale(loss) is loss


@no_gpu
def test_cuda_grad_scaler_without_a_gpu_warns_and_disables_like_torch():
    ours, our_warnings = _warnings(lambda: ag.cuda.amp.GradScaler())
    theirs, their_warnings = _warnings(lambda: torch.cuda.amp.GradScaler())
    assert our_warnings == their_warnings and len(our_warnings) == 2
    assert ours.is_enabled() is theirs.is_enabled() is False
    _, our_warnings = _warnings(lambda: ag.amp.GradScaler())
    _, their_warnings = _warnings(lambda: torch.amp.GradScaler())
    assert our_warnings == their_warnings


def test_grad_scaler_misuse_raises_like_torch():
    _raises_alike(lambda: ag.amp.GradScaler("cpu", growth_factor=1.0),
                  lambda: torch.amp.GradScaler("cpu", growth_factor=1.0))

    def unscale_twice(lib):
        w, loss_fn = _regression(lib, lib.float64)
        opt = lib.optim.SGD([w], lr=0.1)
        scaler = lib.amp.GradScaler("cpu")
        scaler.scale(loss_fn()).backward()
        scaler.unscale_(opt)
        return lambda: scaler.unscale_(opt)

    _raises_alike(unscale_twice(ag), unscale_twice(torch))


def test_autocast_keeps_float32_as_a_context_and_a_decorator():
    _, loss_fn = _regression(ag, ag.float32)
    with ag.autocast(device_type="cpu", dtype=ag.bfloat16):
        inside = loss_fn()
    assert inside.dtype == ag.float32
    assert inside.item() == loss_fn().item()

    @ag.amp.autocast(device_type="cpu")
    def decorated():
        return loss_fn()

    assert decorated().dtype == ag.float32


def test_autocast_arguments_are_checked_like_torch():
    _raises_alike(lambda: ag.autocast(device_type=1), lambda: torch.autocast(device_type=1))
    _raises_alike(lambda: ag.autocast("fpga"), lambda: torch.autocast("fpga"))
    _raises_alike(lambda: ag.autocast("fpga", dtype=ag.bfloat16),
                  lambda: torch.autocast("fpga", dtype=torch.bfloat16))
    _, ours = _warnings(lambda: ag.autocast("cpu", dtype=ag.float64))
    _, theirs = _warnings(lambda: torch.autocast("cpu", dtype=torch.float64))
    assert ours == theirs and ours


@no_gpu
def test_cuda_autocast_without_a_gpu_warns_like_torch():
    _, ours = _warnings(lambda: ag.cuda.amp.autocast())
    _, theirs = _warnings(lambda: torch.cuda.amp.autocast())
    assert ours == theirs and len(ours) == 2


# ------------------------------------------------------------------ dtypes and tensors
def test_half_precision_dtype_names():
    assert repr(ag.bfloat16) == repr(torch.bfloat16) == "torch.bfloat16"
    assert ag.bfloat16 != ag.float32 and ag.half is ag.float16
    assert ag.bfloat16.is_floating_point
    # stored and computed as float32 here (numpy has no bfloat16): the module docstring says so
    assert ag.ones(2, dtype=ag.bfloat16).dtype == ag.float32


def test_device_and_layout_flags_match_torch():
    ours, theirs = ag.ones(2), torch.ones(2)
    for name in ("is_xpu", "is_mps", "is_meta", "is_sparse", "is_quantized", "is_cuda"):
        assert getattr(ours, name) is getattr(theirs, name), name


@pytest.mark.parametrize("spec", [".4f", "", "8.2e", "+.1%", ">10"])
def test_format_of_a_0d_tensor_matches_torch(spec):
    assert format(ag.tensor(3.14159265), spec) == format(torch.tensor(3.14159265), spec)
    int_spec = spec if "." not in spec else ""
    assert format(ag.tensor(7), int_spec) == format(torch.tensor(7), int_spec)


def test_format_spec_on_a_vector_raises_like_torch():
    _raises_alike(lambda: format(ag.ones(2), ".4f"), lambda: format(torch.ones(2), ".4f"))
    assert f"{ag.ones(2)}" == str(ag.ones(2))


LEGACY = [("FloatTensor", ([1, 2],)), ("LongTensor", ([1.7, -2.5],)),
          ("IntTensor", ([[1, 2], [3, 4]],)), ("BoolTensor", ([0, 2],)),
          ("ByteTensor", ([1, 255],)), ("DoubleTensor", ([0.1],)), ("HalfTensor", ([1.5],)),
          ("ShortTensor", ([3],)), ("CharTensor", ([-3],))]


@pytest.mark.parametrize("name,args", LEGACY, ids=[n for n, _ in LEGACY])
def test_legacy_constructors_match_torch(name, args):
    ours, theirs = getattr(ag, name)(*args), getattr(torch, name)(*args)
    assert str(ours.dtype) == str(theirs.dtype)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    shaped = getattr(ag, name)(2, 3)
    assert shaped.shape == (2, 3) and str(shaped.dtype) == str(theirs.dtype)
    assert getattr(ag, name)(size=(4,)).shape == (4,)
    assert isinstance(ours, getattr(ag, name))
    assert ours.type() == theirs.type()


def test_legacy_types_convert_and_check_like_torch():
    x = ag.ones(2)
    assert isinstance(x, ag.FloatTensor) and not isinstance(x, ag.DoubleTensor)
    assert x.type(ag.DoubleTensor).dtype == ag.float64
    assert x.type(ag.LongTensor).type() == "torch.LongTensor"
    assert ag.FloatTensor(x) is x
    _raises_alike(lambda: ag.FloatTensor(ag.ones(2, dtype=ag.float64)),
                  lambda: torch.FloatTensor(torch.ones(2, dtype=torch.float64)))
    assert repr(ag.cuda.FloatTensor) == repr(torch.cuda.FloatTensor)


@no_gpu
def test_cuda_legacy_types_say_cuda_is_missing_like_torch():
    _raises_alike(lambda: ag.cuda.FloatTensor([1.0]), lambda: torch.cuda.FloatTensor([1.0]))
    _raises_alike(lambda: ag.cuda.LongTensor(2, 3), lambda: torch.cuda.LongTensor(2, 3))


def test_compile_returns_the_function_or_module_unchanged():
    model = nn.Linear(2, 2)
    assert ag.compile(model) is model

    def f(x):
        return x * 2

    assert ag.compile(f) is f
    assert ag.compile(mode="max-autotune", fullgraph=True)(f) is f

    @ag.compile
    def g(x):
        return x + 1

    assert g(ag.ones(1)).item() == 2.0
    assert ag.compiler.is_compiling() is torch.compiler.is_compiling() is False


# ------------------------------------------------------------------ sampling and sparse
def test_multinomial_with_and_without_replacement():
    probs = ag.tensor([[0.1, 0.0, 0.6, 0.3], [0.25, 0.25, 0.25, 0.25]])
    draws = ag.multinomial(probs, 4)
    assert draws.shape == (2, 4) and draws.dtype == ag.int64
    for row in draws.numpy():  # without replacement: each category once
        assert sorted(row.tolist()) == [0, 1, 2, 3]
    assert draws.numpy()[0][3] == 1  # the zero-probability category comes last, as in torch
    many = ag.multinomial(ag.tensor([0.2, 0.8]), 20000, replacement=True).numpy()
    assert abs(many.mean() - 0.8) < 0.02
    gen = ag.Generator().manual_seed(5)
    first = ag.multinomial(probs, 3, generator=gen)
    gen.manual_seed(5)
    assert (ag.multinomial(probs, 3, generator=gen).numpy() == first.numpy()).all()
    for args in (([0.5, 0.5], 3), ([0.5, -1.0], 1, True), ([0.0, 0.0], 1, True),
                 ([0.5, float("nan")], 1, True), ([0.5, 0.5], 0), (1.0, 1), ([1, 2], 1, True)):
        _raises_alike(lambda a=args: ag.multinomial(ag.tensor(a[0]), *a[1:]),
                      lambda a=args: torch.multinomial(torch.tensor(a[0]), *a[1:]))
    _raises_alike(lambda: ag.multinomial(ag.ones(2, 2, 2), 1),
                  lambda: torch.multinomial(torch.ones(2, 2, 2), 1))


def test_sparse_dense_fallback_matches_torch():
    idx, vals = [[0, 1, 1, 2], [2, 0, 0, 1]], [1.0, 2.0, 3.0, 4.0]
    ours = ag.sparse_coo_tensor(idx, vals, (3, 3))
    theirs = torch.sparse_coo_tensor(idx, vals, (3, 3))
    np.testing.assert_array_equal(ours.to_dense().numpy(), theirs.to_dense().numpy())
    rng = np.random.default_rng(0)
    b = rng.standard_normal((3, 2))
    expected = torch.spmm(theirs, torch.tensor(b, dtype=torch.float32)).numpy()
    for result in (ag.spmm(ours, ag.tensor(b, dtype=ag.float32)),
                   ag.sparse.mm(ours, ag.tensor(b, dtype=ag.float32)),
                   ag.spmm(ag.tensor(ours.numpy()).to_sparse(), ag.tensor(b, dtype=ag.float32))):
        np.testing.assert_allclose(result.numpy(), expected, rtol=1e-6)
    adj = ag.tensor(np.eye(3)).to_sparse()
    x = ag.tensor(b, requires_grad=True)
    ag.spmm(adj, x).sum().backward()  # gradients flow through the dense product
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((3, 2)))


# ------------------------------------------------------------------ parallel, distributed, onnx
def test_data_parallel_forwards_to_the_module_like_torch_without_gpus():
    ours = nn.DataParallel(nn.Linear(3, 2))
    theirs = torch.nn.DataParallel(torch.nn.Linear(3, 2))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: ag.tensor(v.detach().numpy())
                          for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    np.testing.assert_allclose(ours(ag.tensor(x)).detach().numpy(),
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-6)
    assert ours.device_ids == theirs.device_ids == []
    from autograd_core.nn.parallel import DataParallel  # the module path scripts import

    assert DataParallel is nn.DataParallel


def test_distributed_is_single_process():
    import autograd_core.distributed as dist

    assert dist.is_available() is False  # torch's CPU build has gloo: ours has no backend
    assert dist.is_initialized() is torch.distributed.is_initialized() is False
    _raises_alike(dist.get_rank, torch.distributed.get_rank)
    _raises_alike(lambda: nn.parallel.DistributedDataParallel(nn.Linear(2, 2)),
                  lambda: torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(2, 2)))


def test_onnx_export_says_it_is_not_supported():
    import autograd_core.onnx

    with pytest.raises(NotImplementedError, match=r"onnx\.export"):
        autograd_core.onnx.export(nn.Linear(2, 2), ag.ones(1, 2), "model.onnx")


# ------------------------------------------------------------------ global switches
def test_matmul_precision_and_determinism_switches_read_back_like_torch():
    before = torch.get_float32_matmul_precision()
    try:
        assert ag.get_float32_matmul_precision() == before == "highest"
        for lib in (ag, torch):
            lib.set_float32_matmul_precision("high")
        assert ag.get_float32_matmul_precision() == torch.get_float32_matmul_precision()
        _, ours = _warnings(lambda: ag.set_float32_matmul_precision("low"))
        _, theirs = _warnings(lambda: torch.set_float32_matmul_precision("low"))
        assert [m for _, m in ours] == [m.split(" (Triggered")[0] for _, m in theirs]
        assert ag.get_float32_matmul_precision() == "high"
    finally:
        ag.set_float32_matmul_precision("highest")
        torch.set_float32_matmul_precision(before)
    assert ag.are_deterministic_algorithms_enabled() is \
        torch.are_deterministic_algorithms_enabled() is False
    ag.use_deterministic_algorithms(True, warn_only=True)
    try:
        assert ag.are_deterministic_algorithms_enabled()
        assert ag.is_deterministic_algorithms_warn_only_enabled()
    finally:
        ag.use_deterministic_algorithms(False)


def test_custom_fwd_and_bwd_leave_a_function_unchanged():
    class Double(ag.autograd.Function):
        @staticmethod
        @ag.amp.custom_fwd(device_type="cpu", cast_inputs=ag.float32)
        def forward(ctx, x):
            return x * 2

        @staticmethod
        @ag.amp.custom_bwd(device_type="cpu")
        def backward(ctx, g):
            return g * 2

    x = ag.ones(3, requires_grad=True)
    Double.apply(x).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0, 2.0]
    with pytest.raises(TypeError):  # device_type is required, as in torch
        ag.amp.custom_fwd(lambda ctx, x: x)
    _, ours = _warnings(lambda: ag.cuda.amp.custom_fwd(lambda ctx, x: x))
    _, theirs = _warnings(lambda: torch.cuda.amp.custom_fwd(lambda ctx, x: x))
    assert ours == theirs
