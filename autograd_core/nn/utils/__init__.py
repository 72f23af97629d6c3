"""`nn.utils`: gradient clipping, parameter/vector conversion and `nn.utils.rnn` (packed and
padded sequences), as in torch.nn.utils."""

from autograd_core.nn.utils import rnn
from autograd_core.nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_
from autograd_core.nn.utils.convert_parameters import parameters_to_vector, vector_to_parameters
