"""`torch.nn.modules.conv` as a module path: the conv layers (re-exported)."""

from autograd_core.nn.conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from autograd_core.nn.volumetric import Conv3d, ConvTranspose3d

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d",
           "ConvTranspose3d"]
