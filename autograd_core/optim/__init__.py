"""Optimizers (SGD, Adam, AdamW, RMSprop) and learning-rate schedulers, as in torch.optim."""

from autograd_core.optim import lr_scheduler
from autograd_core.optim.adam import Adam, AdamW
from autograd_core.optim.optimizer import Optimizer
from autograd_core.optim.rmsprop import RMSprop
from autograd_core.optim.sgd import SGD

__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler"]
