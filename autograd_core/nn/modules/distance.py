"""`torch.nn.modules.distance` as a module path: the distance layers (re-exported)."""

from autograd_core.nn.loss import PairwiseDistance

__all__ = ["PairwiseDistance"]
