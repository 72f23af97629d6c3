"""`torch.sparse` basics as a dense fallback: sparse tensors are stored dense here.

`sparse_coo_tensor(indices, values, size)` builds the dense tensor (duplicates summed, as
`coalesce` would), `to_sparse()` returns a dense copy and `spmm` / `sparse.mm` are `mm`.
Cost: memory and time of the dense matrix (a 10,000 x 10,000 float32 adjacency is 400 MB
and a dense matmul), where PyTorch stores and multiplies only the non-zeros. Results equal
PyTorch's; `is_sparse` is False.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FloatTensor", "mm", "sparse_coo_tensor", "spmm", "sum"]


def sparse_coo_tensor(indices: Any, values: Any, size: Any = None, *, dtype: Any = None,
                      device: Any = None, requires_grad: bool = False,
                      check_invariants: bool | None = None, is_coalesced: bool | None = None
                      ) -> Any:
    """The dense tensor with `values` at the columns of `indices` (ndim x nnz), summed.

    Example:
        adj = sparse_coo_tensor([[0, 1], [1, 0]], [1.0, 1.0], (2, 2))   # dense 2x2
    """
    from autograd_core import creation, grad_mode
    from autograd_core.backend import get_array_module
    from autograd_core.tensor import Tensor

    idx = indices if isinstance(indices, Tensor) else creation.tensor(indices)
    vals = values if isinstance(values, Tensor) else creation.tensor(values, dtype=dtype)
    if vals.requires_grad and grad_mode.is_grad_enabled():
        raise TypeError("sparse_coo_tensor: values that require grad are not supported by "
                        "the dense fallback (the gradient would not reach them)")
    if size is None:
        size = tuple(int(m) + 1 for m in idx._data.max(axis=1)) + tuple(vals.shape[1:])
    out = creation.zeros(tuple(size), dtype=dtype or vals.dtype, device=device or vals.device)
    xp = get_array_module(out._data)
    xp.add.at(out._data, tuple(idx._data.astype("int64")), vals._data.astype(out._data.dtype))
    out.requires_grad_(requires_grad)
    return out


def mm(mat1: Any, mat2: Any, reduce: str = "sum") -> Any:
    """mat1 @ mat2 (dense here); only the default reduce='sum'."""
    if reduce != "sum":
        raise TypeError(f"sparse.mm: reduce='{reduce}' is not supported (only 'sum')")
    return mat1.mm(mat2)


def spmm(mat1: Any, mat2: Any) -> Any:
    """`torch.spmm`: mat1 @ mat2 (dense here)."""
    return mat1.mm(mat2)


def sum(input: Any, dim: Any = None, dtype: Any = None) -> Any:
    """`torch.sparse.sum`: the sum over all elements, or over `dim`."""
    out = input.sum() if dim is None else input.sum(dim)
    return out if dtype is None else out.to(dtype)


def FloatTensor(*args: Any, **kwargs: Any) -> Any:
    """`torch.sparse.FloatTensor(indices, values, size)`: a float32 (dense) tensor."""
    from autograd_core import dtypes

    if len(args) >= 2:
        return sparse_coo_tensor(*args[:2], *args[2:3], dtype=dtypes.float32, **kwargs)
    from autograd_core.creation import zeros

    return zeros(*args, dtype=dtypes.float32)
