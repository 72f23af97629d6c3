"""Optimizers (SGD, the Adam family, RMSprop, Adagrad, Adadelta, LBFGS) and lr schedulers.

Each follows torch.optim's update rule, defaults, argument checks and state_dict format.
"""

from autograd_core.optim import lr_scheduler
from autograd_core.optim.adadelta import Adadelta
from autograd_core.optim.adagrad import Adagrad
from autograd_core.optim.adam import Adam, AdamW
from autograd_core.optim.adamax import Adamax
from autograd_core.optim.lbfgs import LBFGS
from autograd_core.optim.nadam import NAdam, RAdam
from autograd_core.optim.optimizer import Optimizer
from autograd_core.optim.rmsprop import RMSprop
from autograd_core.optim.sgd import SGD

__all__ = ["LBFGS", "SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "NAdam",
           "Optimizer", "RAdam", "RMSprop", "lr_scheduler"]
