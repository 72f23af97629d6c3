"""`torch.backends`: the flags scripts set for cuDNN, CUDA matmuls and MPS.

The engine uses none of these libraries (numpy and CuPy's cuBLAS do the work), so the flags
are accepted, kept and read back, and change nothing; `is_available()` answers False for
cuDNN and MPS.
"""

from autograd_core.backends import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
