"""`torch.onnx`: importable, but exporting is not supported (there is no ONNX exporter)."""

from __future__ import annotations

from typing import Any

__all__ = ["export"]


def export(*args: Any, **kwargs: Any) -> None:
    """Raise NotImplementedError: models cannot be exported to ONNX from autograd_core."""
    raise NotImplementedError(
        "torch.onnx.export is not supported by autograd_core: it has no ONNX exporter "
        "(save the weights with autograd_core.save and export from PyTorch)")
