"""`torch.nn.modules` as a package path: `nn.modules.dropout.Dropout` is `nn.Dropout`.

Scripts and checkpoints name layers by these paths (`torch.nn.modules.linear.Linear`); each
submodule re-exports the layers PyTorch keeps there, and this package every layer class.
"""

from autograd_core.nn.modules import (
    activation,
    adaptive,
    batchnorm,
    container,
    conv,
    distance,
    dropout,
    flatten,
    fold,
    instancenorm,
    linear,
    loss,
    module,
    normalization,
    padding,
    pixelshuffle,
    pooling,
    rnn,
    sparse,
    transformer,
    upsampling,
    utils,
)
from autograd_core.nn.modules.activation import *
from autograd_core.nn.modules.adaptive import *
from autograd_core.nn.modules.batchnorm import *
from autograd_core.nn.modules.container import *
from autograd_core.nn.modules.conv import *
from autograd_core.nn.modules.distance import *
from autograd_core.nn.modules.dropout import *
from autograd_core.nn.modules.flatten import *
from autograd_core.nn.modules.fold import *
from autograd_core.nn.modules.instancenorm import *
from autograd_core.nn.modules.linear import *
from autograd_core.nn.modules.loss import *
from autograd_core.nn.modules.module import *
from autograd_core.nn.modules.normalization import *
from autograd_core.nn.modules.padding import *
from autograd_core.nn.modules.pixelshuffle import *
from autograd_core.nn.modules.pooling import *
from autograd_core.nn.modules.rnn import *
from autograd_core.nn.modules.sparse import *
from autograd_core.nn.modules.transformer import *
from autograd_core.nn.modules.upsampling import *

__all__ = [name for m in (activation, adaptive, batchnorm, container, conv, dropout, flatten, fold,
                          instancenorm, linear, loss, module, normalization, padding,
                          pixelshuffle, pooling, rnn, sparse, transformer, upsampling)
           for name in m.__all__]
