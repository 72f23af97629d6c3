"""`torch.nn.modules.upsampling` as a module path: re-exports of the upsampling layers."""

from autograd_core.nn.upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d

__all__ = ["Upsample", "UpsamplingBilinear2d", "UpsamplingNearest2d"]
