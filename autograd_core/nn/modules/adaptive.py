"""`torch.nn.modules.adaptive` as a module path: AdaptiveLogSoftmaxWithLoss (re-exported)."""

from autograd_core.nn.adaptive import AdaptiveLogSoftmaxWithLoss

__all__ = ["AdaptiveLogSoftmaxWithLoss"]
