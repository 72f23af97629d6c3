"""`nn.utils`: gradient clipping, parameter/vector conversion, weight and spectral norm (hook
and parametrization forms), `nn.utils.parametrize`, conv/linear-BatchNorm fusion,
`stateless.functional_call` and `nn.utils.rnn` (packed and padded sequences), as in
torch.nn.utils."""

from autograd_core.nn.utils import fusion, parametrizations, parametrize, rnn, stateless
from autograd_core.nn.utils._init_helpers import (
    convert_conv2d_weight_memory_format,
    convert_conv3d_weight_memory_format,
    skip_init,
)
from autograd_core.nn.utils.clip_grad import (
    clip_grad_norm,
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
)
from autograd_core.nn.utils.convert_parameters import parameters_to_vector, vector_to_parameters
from autograd_core.nn.utils.fusion import (
    fuse_conv_bn_eval,
    fuse_conv_bn_weights,
    fuse_linear_bn_eval,
    fuse_linear_bn_weights,
)
from autograd_core.nn.utils.weight_norm import (
    remove_spectral_norm,
    remove_weight_norm,
    spectral_norm,
    weight_norm,
)
