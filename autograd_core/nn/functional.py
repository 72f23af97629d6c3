"""`nn.functional`: the stateless layer functions (a plain list of imports from the ops).

    import autograd_core.nn.functional as F
    loss = F.cross_entropy(F.linear(x, w, b), y)
"""

# ruff: noqa: F401  (this file is the public namespace: a plain list of re-exports)

from autograd_core.nn._ctc import ctc_loss
from autograd_core.nn._embedding_bag import bilinear, embedding_bag
from autograd_core.nn._fold import fold, unfold
from autograd_core.nn._functional_act import (
    celu,
    glu,
    hardshrink,
    hardsigmoid,
    hardswish,
    mish,
    rrelu,
    selu,
    softmin,
    softshrink,
    softsign,
    tanhshrink,
    threshold,
)
from autograd_core.nn._functional_loss import (
    cosine_embedding_loss,
    gaussian_nll_loss,
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_soft_margin_loss,
    poisson_nll_loss,
    soft_margin_loss,
)
from autograd_core.nn._functional_misc import (
    adaptive_max_pool1d_with_indices,
    adaptive_max_pool2d_with_indices,
    alpha_dropout,
    celu_,
    channel_shuffle,
    dropout3d,
    elu_,
    feature_alpha_dropout,
    fractional_max_pool2d_with_indices,
    fractional_max_pool3d_with_indices,
    gumbel_softmax,
    hardtanh_,
    leaky_relu_,
    lp_pool1d,
    lp_pool2d,
    lp_pool3d,
    max_pool1d_with_indices,
    max_pool2d_with_indices,
    max_pool3d_with_indices,
    max_unpool1d,
    max_unpool2d,
    max_unpool3d,
    multilabel_margin_loss,
    native_channel_shuffle,
    pdist,
    relu_,
    rrelu_,
    selu_,
    threshold_,
    triplet_margin_with_distance_loss,
)
from autograd_core.nn._functional_norm import (
    group_norm,
    instance_norm,
    local_response_norm,
    rms_norm,
)
from autograd_core.nn._functional_weighted import huber_loss, l1_loss, mse_loss
from autograd_core.nn._grid_sample import affine_grid, grid_sample
from autograd_core.nn._mha_functional import multi_head_attention_forward
from autograd_core.nn._volumetric import (
    adaptive_avg_pool3d,
    adaptive_max_pool3d,
    avg_pool3d,
    conv3d,
    conv_transpose3d,
    max_pool3d,
)
from autograd_core.nn.fractional import fractional_max_pool2d, fractional_max_pool3d
from autograd_core.nn.linear_cross_entropy import linear_cross_entropy
from autograd_core.ops.activation import (
    elu,
    gelu,
    hardtanh,
    leaky_relu,
    logsigmoid,
    relu,
    relu6,
    silu,
    softplus,
)
from autograd_core.ops.adaptive_pool import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
)
from autograd_core.ops.attention import scaled_dot_product_attention
from autograd_core.ops.conv import conv1d, conv2d
from autograd_core.ops.conv_transpose import conv_transpose1d, conv_transpose2d
from autograd_core.ops.distance import kl_div, pairwise_distance, triplet_margin_loss
from autograd_core.ops.dropout import dropout, dropout1d, dropout2d
from autograd_core.ops.embedding import embedding, one_hot
from autograd_core.ops.interpolate import (
    interpolate,
    upsample,
    upsample_bilinear,
    upsample_nearest,
)
from autograd_core.ops.linear import linear
from autograd_core.ops.loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    nll_loss,
    smooth_l1_loss,
)
from autograd_core.ops.normalization import batch_norm, cosine_similarity, layer_norm, normalize
from autograd_core.ops.padding import pad
from autograd_core.ops.pixel_shuffle import pixel_shuffle, pixel_unshuffle, prelu
from autograd_core.ops.pooling import (
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)
from autograd_core.ops.softmax import log_softmax, softmax
from autograd_core.ops.unary import sigmoid, tanh
