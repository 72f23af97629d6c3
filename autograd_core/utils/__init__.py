"""`autograd_core.utils`: the parts of torch.utils a training script reaches for."""

from autograd_core.utils import checkpoint, data
