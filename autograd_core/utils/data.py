"""Datasets and batching like torch.utils.data: Dataset, TensorDataset, DataLoader, splits.

Single-process only: `num_workers` is accepted and ignored (the app already runs the whole
script in a worker process).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

from autograd_core import ops, random
from autograd_core.creation import tensor
from autograd_core.tensor import Tensor


class Dataset:
    """A map-style dataset: `__getitem__(i)` and `__len__()`."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError


class TensorDataset(Dataset):
    """Samples are the i-th rows of tensors that share their first dimension."""

    def __init__(self, *tensors: Tensor) -> None:
        if any(t.shape[0] != tensors[0].shape[0] for t in tensors):
            raise ValueError("Size mismatch between tensors")
        self.tensors = tensors

    def __getitem__(self, index: int) -> tuple:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of `dataset` at `indices`."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = list(indices)

    def __getitem__(self, index: int) -> Any:
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset: Dataset, lengths: Sequence[float], generator: Any = None) -> list:
    """Split into non-overlapping subsets of the given lengths (or fractions summing to 1)."""
    n = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        sizes = [math.floor(n * f) for f in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
    else:
        sizes = [int(s) for s in lengths]
    if sum(sizes) != n:
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    order = random.state.cpu.permutation(n).tolist()
    out, start = [], 0
    for size in sizes:
        out.append(Subset(dataset, order[start:start + size]))
        start += size
    return out


def default_collate(batch: list) -> Any:
    """Stack tensors, turn numbers into tensors, and recurse into tuples, lists and dicts."""
    first = batch[0]
    if isinstance(first, Tensor):
        return ops.stack(batch)
    if isinstance(first, (int, float, bool)):
        return tensor(batch)
    if isinstance(first, dict):
        return {k: default_collate([b[k] for b in batch]) for k in first}
    if isinstance(first, (tuple, list)):
        columns = [default_collate(list(items)) for items in zip(*batch)]
        return columns if isinstance(first, list) else tuple(columns)
    if hasattr(first, "shape"):
        return tensor(batch)
    return batch


class DataLoader:
    """Iterate a dataset in batches: `batch_size`, `shuffle`, `drop_last`, `collate_fn`."""

    def __init__(self, dataset: Dataset, batch_size: int | None = 1, shuffle: bool = False,
                 drop_last: bool = False, collate_fn: Any = None, num_workers: int = 0,
                 **_: Any) -> None:
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.collate_fn = collate_fn or default_collate

    def __len__(self) -> int:
        n = len(self.dataset)
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        n = len(self.dataset)
        order = random.state.cpu.permutation(n).tolist() if self.shuffle else range(n)
        if self.batch_size is None:
            yield from (self.dataset[i] for i in order)
            return
        order = list(order)
        for start in range(0, n, self.batch_size):
            idx = order[start:start + self.batch_size]
            if self.drop_last and len(idx) < self.batch_size:
                return
            yield self.collate_fn([self.dataset[i] for i in idx])
