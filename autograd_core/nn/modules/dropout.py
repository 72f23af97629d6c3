"""`torch.nn.modules.dropout` as a module path: Dropout, Dropout1d, Dropout2d (re-exported)."""

from autograd_core.nn.dropout import Dropout, Dropout1d, Dropout2d

__all__ = ["Dropout", "Dropout1d", "Dropout2d"]
