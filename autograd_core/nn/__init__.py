"""Neural network building blocks with PyTorch's API: Module, Parameter, layers, losses."""



from autograd_core.nn import functional, init, modules, parallel, utils
from autograd_core.nn._ctc import CTCLoss
from autograd_core.nn.activation import (
    ELU,
    GELU,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    PReLU,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from autograd_core.nn.activation_more import (
    CELU,
    GLU,
    SELU,
    Hardshrink,
    Hardsigmoid,
    Hardswish,
    Mish,
    RReLU,
    Softmax2d,
    Softmin,
    Softshrink,
    Softsign,
    Tanhshrink,
    Threshold,
)
from autograd_core.nn.adaptive import AdaptiveLogSoftmaxWithLoss
from autograd_core.nn.attention import MultiheadAttention
from autograd_core.nn.containers import (
    ModuleDict,
    ModuleList,
    ParameterDict,
    ParameterList,
    Sequential,
)
from autograd_core.nn.conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from autograd_core.nn.dropout import Dropout, Dropout1d, Dropout2d
from autograd_core.nn.embedding_bag import Bilinear, EmbeddingBag
from autograd_core.nn.flatten import Flatten, Unflatten
from autograd_core.nn.fold import Fold, Unfold
from autograd_core.nn.fractional import FractionalMaxPool2d, FractionalMaxPool3d
from autograd_core.nn.lazy import (
    LazyBatchNorm1d,
    LazyBatchNorm2d,
    LazyBatchNorm3d,
    LazyConv1d,
    LazyConv2d,
    LazyConv3d,
    LazyConvTranspose1d,
    LazyConvTranspose2d,
    LazyConvTranspose3d,
    LazyInstanceNorm1d,
    LazyInstanceNorm2d,
    LazyInstanceNorm3d,
    LazyLinear,
    UninitializedBuffer,
    UninitializedParameter,
)
from autograd_core.nn.linear import Identity, Linear
from autograd_core.nn.linear_cross_entropy import LinearCrossEntropyLoss, LinearCrossEntropyOptions
from autograd_core.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    PairwiseDistance,
    SmoothL1Loss,
    TripletMarginLoss,
)
from autograd_core.nn.loss_more import (
    CosineEmbeddingLoss,
    GaussianNLLLoss,
    HingeEmbeddingLoss,
    MarginRankingLoss,
    MultiLabelSoftMarginLoss,
    MultiMarginLoss,
    PoissonNLLLoss,
    SoftMarginLoss,
)
from autograd_core.nn.misc_layers import (
    AlphaDropout,
    ChannelShuffle,
    Container,
    CosineSimilarity,
    Dropout3d,
    FeatureAlphaDropout,
    LPPool1d,
    LPPool2d,
    LPPool3d,
    MaxUnpool1d,
    MaxUnpool2d,
    MaxUnpool3d,
    MultiLabelMarginLoss,
    NLLLoss2d,
    SyncBatchNorm,
    TripletMarginWithDistanceLoss,
)
from autograd_core.nn.module import Module
from autograd_core.nn.normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, LayerNorm
from autograd_core.nn.normalization_more import (
    GroupNorm,
    InstanceNorm1d,
    InstanceNorm2d,
    InstanceNorm3d,
    LocalResponseNorm,
    RMSNorm,
)
from autograd_core.nn.padding import (
    CircularPad1d,
    CircularPad2d,
    CircularPad3d,
    ConstantPad1d,
    ConstantPad2d,
    ConstantPad3d,
    ReflectionPad1d,
    ReflectionPad2d,
    ReflectionPad3d,
    ReplicationPad1d,
    ReplicationPad2d,
    ReplicationPad3d,
    ZeroPad1d,
    ZeroPad2d,
    ZeroPad3d,
)
from autograd_core.nn.parallel import DataParallel
from autograd_core.nn.parameter import Buffer, Parameter
from autograd_core.nn.pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)
from autograd_core.nn.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from autograd_core.nn.sparse import Embedding
from autograd_core.nn.transformer import (
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
)
from autograd_core.nn.upsampling import (
    PixelShuffle,
    PixelUnshuffle,
    Upsample,
    UpsamplingBilinear2d,
    UpsamplingNearest2d,
)
from autograd_core.nn.volumetric import (
    AdaptiveAvgPool3d,
    AdaptiveMaxPool3d,
    AvgPool3d,
    Conv3d,
    ConvTranspose3d,
    MaxPool3d,
)
