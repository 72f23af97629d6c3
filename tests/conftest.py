"""Fixtures shared by every test folder: the `device` / `xp` pair (numpy, and CuPy on a GPU).

Core op tests take `device`; the nn and optim tests run once per device through the
`default_device` fixture, which this file adds to every test in tests/nn and tests/optim.
The CUDA variants carry the `gpu` marker and skip, with the reason, where no GPU is usable:
`pytest -m gpu` runs exactly them on a GPU machine. AUTOGRAD_CORE_FAKE_CUDA=1 runs them on a
numpy-backed stand-in for CuPy (tests/gpu/fake_cupy.py), to check device handling on a CPU.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import settings

_HERE = Path(__file__).parent
_DEVICE_FOLDERS = ("nn", "optim")  # test folders that run once per device


def _install_fake_cuda() -> None:
    """Make the backend see tests/gpu/fake_cupy.py as CuPy, with one device."""
    from autograd_core import backend

    spec = importlib.util.spec_from_file_location("fake_cupy", _HERE / "gpu" / "fake_cupy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    backend._cupy, backend._cupy_checked = module.make(), True


if os.environ.get("AUTOGRAD_CORE_FAKE_CUDA") == "1":
    _install_fake_cuda()

# CI runs the property tests on hypothesis's fixed seed, so a landing never depends on the
# draw; a developer's run keeps exploring new examples (a failure prints how to replay it).
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def _cuda_reason() -> str:
    """Why the CUDA variants cannot run here ('' when they can)."""
    from autograd_core import backend

    reason = backend.cuda_unavailable_reason()
    return reason.replace("CUDA was requested but ", "") if reason else ""


_CUDA_SKIP = _cuda_reason()

if not _CUDA_SKIP:
    from autograd_core import backend as _backend

    # Tests expect the CPU's IndexErrors on the GPU too; the check is a sync, off by default.
    _backend.flags.cuda_index_checks = True

DEVICES = [
    pytest.param("cpu", id="cpu"),
    pytest.param("cuda", id="cuda", marks=[
        pytest.mark.gpu, pytest.mark.skipif(bool(_CUDA_SKIP), reason=_CUDA_SKIP or "n/a")]),
]


@pytest.fixture(params=DEVICES)
def device(request: pytest.FixtureRequest) -> str:
    """The device name a core test runs on: 'cpu' always, 'cuda' where a GPU is usable."""
    return request.param


@pytest.fixture
def xp(device: str) -> Any:
    """The array module of `device`: numpy on the CPU, cupy on the GPU."""
    if device == "cpu":
        return np
    from autograd_core.backend import cupy_or_none

    return cupy_or_none()


@pytest.fixture
def default_device(device: str) -> Any:
    """Run the test with `device` as the default device (factories and tensor() use it)."""
    import autograd_core as ag

    ag.set_default_device(device)
    try:
        yield device
    finally:
        ag.set_default_device("cpu")


@pytest.hookimpl(wrapper=True)
def pytest_pycollect_makemodule(module_path: Path, parent: Any) -> Any:
    module = yield
    if module_path.parent.name in _DEVICE_FOLDERS and module_path.parent.parent == _HERE:
        module.add_marker(pytest.mark.usefixtures("default_device"))
    return module
