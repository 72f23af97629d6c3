"""`torch.nn.modules.fold` as a module path: Fold and Unfold (re-exported)."""

from autograd_core.nn.fold import Fold, Unfold

__all__ = ["Fold", "Unfold"]
