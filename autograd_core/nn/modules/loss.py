"""`torch.nn.modules.loss` as a module path: the loss layers (re-exported)."""

from autograd_core.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
    TripletMarginLoss,
)

__all__ = [
    "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "HuberLoss", "KLDivLoss", "L1Loss",
    "MSELoss",
    "NLLLoss", "SmoothL1Loss", "TripletMarginLoss",
]

# The margin and likelihood losses, in their own file.
from autograd_core.nn import loss_more as _more
from autograd_core.nn.loss_more import *  # noqa: F403

__all__ += _more.__all__

from autograd_core.nn._ctc import CTCLoss  # noqa: E402
from autograd_core.nn.misc_layers import (  # noqa: E402
    MultiLabelMarginLoss,
    TripletMarginWithDistanceLoss,
)

__all__ += ["CTCLoss", "MultiLabelMarginLoss", "TripletMarginWithDistanceLoss"]
