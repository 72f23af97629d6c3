"""`nn.utils`: gradient clipping and parameter/vector conversion, as in torch.nn.utils."""

from autograd_core.nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_
from autograd_core.nn.utils.convert_parameters import parameters_to_vector, vector_to_parameters
