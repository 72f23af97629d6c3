"""default_collate and default_convert: how a DataLoader turns samples into a batch.

Follows torch.utils.data._utils.collate: the first sample's type decides; tuples come back
as lists (PyTorch keeps that for backward compatibility), namedtuples and dicts keep their type.
"""

from __future__ import annotations

import collections.abc
import copy
from typing import Any

import numpy as np

from autograd_core import dtypes, ops
from autograd_core.creation import as_tensor, tensor
from autograd_core.tensor import Tensor

_ERR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        "found {}")


def _is_namedtuple(obj: Any) -> bool:
    return isinstance(obj, tuple) and hasattr(obj, "_fields")


def default_collate(batch: list) -> Any:
    """Stack a list of samples into a batch (tensors stacked on a new first dimension).

    Example:
        >>> default_collate([(1, 2.0), (3, 4.0)])
        [tensor([1, 3]), tensor([2., 4.], dtype=torch.float64)]
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return ops.stack(batch, 0)
    if isinstance(elem, (np.ndarray, np.generic)):
        return _collate_numpy(batch, elem)
    if isinstance(elem, float):
        return tensor(batch, dtype=dtypes.float64)
    if isinstance(elem, int):  # bool included: tensor() infers torch.bool for them
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(elem, {k: default_collate([d[k] for d in batch]) for k in elem})
    if _is_namedtuple(elem):
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        return _collate_sequence(batch, elem)
    raise TypeError(_ERR.format(type(elem)))


def _collate_numpy(batch: list, elem: Any) -> Any:
    if elem.dtype.char in "SaUO":  # strings and objects have no tensor dtype
        raise TypeError(_ERR.format(elem.dtype))
    if isinstance(elem, np.ndarray) and elem.ndim:
        return ops.stack([as_tensor(b) for b in batch], 0)
    return as_tensor(np.asarray(batch))


def _collate_sequence(batch: list, elem: Any) -> Any:
    size = len(elem)
    if any(len(b) != size for b in batch):
        raise RuntimeError("each element in list of batch should be of equal size")
    columns = [default_collate(list(samples)) for samples in zip(*batch)]
    if isinstance(elem, tuple):
        return columns
    if isinstance(elem, collections.abc.MutableSequence):
        clone = copy.copy(elem)
        clone[:] = columns
        return clone
    try:
        return type(elem)(columns)
    except TypeError:  # the sequence type cannot be built from a list
        return columns


def _rebuild_mapping(elem: Any, values: dict) -> Any:
    if isinstance(elem, collections.abc.MutableMapping):
        clone = copy.copy(elem)
        clone.update(values)
        return clone
    try:
        return type(elem)(values)
    except TypeError:  # the mapping type cannot be built from a dict
        return values


def default_convert(data: Any) -> Any:
    """Without batching: numpy arrays become tensors, containers are walked, the rest kept."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, (np.ndarray, np.generic)):
        return data if data.dtype.char in "SaUO" else as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {k: default_convert(v) for k, v in data.items()})
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            return type(data)([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data
