"""The `cuda` fixture: CuPy's device path on the numpy stand-in here, on the real GPU there."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from autograd_core import backend

_REAL_SKIP = ("the CuPy stand-in is installed (AUTOGRAD_CORE_FAKE_CUDA=1)"
              if getattr(backend.loaded_cupy(), "IS_FAKE", False)
              else backend.cuda_unavailable_reason())


def load_fake() -> Any:
    spec = importlib.util.spec_from_file_location("fake_cupy",
                                                  Path(__file__).parent / "fake_cupy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def use_cupy(monkeypatch: pytest.MonkeyPatch, cp: Any, error: str = "") -> None:
    """Make the backend see `cp` (a module, or None for 'not installed') as CuPy."""
    monkeypatch.setattr(backend, "_cupy", cp)
    monkeypatch.setattr(backend, "_cupy_checked", True)
    monkeypatch.setattr(backend, "_cupy_error", error)
    monkeypatch.setattr(backend, "_cuda_ok", False)
    monkeypatch.setattr(backend, "_device_count", 0)


@pytest.fixture
def fake_cupy() -> Any:
    """The stand-in module (tests/gpu/fake_cupy.py), freshly loaded."""
    return load_fake()


@pytest.fixture
def set_cupy(monkeypatch: pytest.MonkeyPatch) -> Any:
    """`set_cupy(cp, error='')`: the backend sees `cp` as CuPy (None: not installed)."""
    return lambda cp, error="": use_cupy(monkeypatch, cp, error)


@pytest.fixture(params=["stand-in", pytest.param("gpu", marks=[
    pytest.mark.gpu,
    pytest.mark.skipif(bool(_REAL_SKIP), reason=f"no real CUDA GPU: {_REAL_SKIP}")])])
def cuda(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The cupy module the test runs against: the numpy stand-in, or real CuPy on a GPU."""
    if request.param == "stand-in":
        use_cupy(monkeypatch, load_fake().make())
    import autograd_core as ag

    yield backend.cupy_or_none()
    ag.set_default_device("cpu")
