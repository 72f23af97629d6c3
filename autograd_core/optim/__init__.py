"""Optimizers, lr schedulers (`lr_scheduler`) and weight averaging (`swa_utils`).

Optimizers: SGD, Adam, AdamW, Adamax, NAdam, RAdam, RMSprop, Rprop, Adagrad, Adadelta, ASGD,
LBFGS and SparseAdam (which, as in torch, refuses the dense gradients this engine makes).
Each follows torch.optim's update rule, defaults, argument checks and state_dict format.
`swa_utils` (AveragedModel, SWALR, update_bn) loads on first use: it brings in `nn`.
"""

from autograd_core.optim import lr_scheduler
from autograd_core.optim.adadelta import Adadelta
from autograd_core.optim.adagrad import Adagrad
from autograd_core.optim.adam import Adam, AdamW
from autograd_core.optim.adamax import Adamax
from autograd_core.optim.asgd import ASGD
from autograd_core.optim.lbfgs import LBFGS
from autograd_core.optim.nadam import NAdam, RAdam
from autograd_core.optim.optimizer import Optimizer
from autograd_core.optim.rmsprop import RMSprop
from autograd_core.optim.rprop import Rprop
from autograd_core.optim.sgd import SGD
from autograd_core.optim.sparse_adam import SparseAdam

__all__ = ["ASGD", "LBFGS", "SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "NAdam",
           "Optimizer", "RAdam", "RMSprop", "Rprop", "SparseAdam", "lr_scheduler", "swa_utils"]


def __getattr__(name: str) -> object:
    # swa_utils imports nn (AveragedModel is a Module): load it on first use, so that
    # `import autograd_core.optim` stays as light as before
    if name == "swa_utils":
        import importlib

        return importlib.import_module("autograd_core.optim.swa_utils")
    raise AttributeError(f"module 'autograd_core.optim' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(set(globals()) | {"swa_utils"})
