"""`torch.nn.modules.pixelshuffle` as a module path: PixelShuffle, PixelUnshuffle (re-exported)."""

from autograd_core.nn.upsampling import PixelShuffle, PixelUnshuffle

__all__ = ["PixelShuffle", "PixelUnshuffle"]
