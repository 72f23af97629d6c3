"""`torch.utils.data.distributed.DistributedSampler`: this replica's share of the dataset.

`distributed` is not available here, so `num_replicas` and `rank` must be given (a script
usually passes them); left out, PyTorch's "Requires distributed package" error is raised, as
PyTorch's own sampler does without the package. The shuffled order is a seeded permutation
(seed + epoch), the same on every replica; it is not PyTorch's permutation (the generators
differ), but the split, padding and drop_last follow PyTorch's.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from autograd_core.utils.data.sampler import Sampler

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler):
    """Indices for replica `rank` of `num_replicas`, padded (or cut) to equal shares."""

    def __init__(self, dataset: Any, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            raise RuntimeError("Requires distributed package to be available")
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, "
                             f"{num_replicas - 1}]")
        self.dataset, self.num_replicas, self.rank = dataset, num_replicas, rank
        self.epoch, self.drop_last, self.shuffle, self.seed = 0, drop_last, shuffle, seed
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def __iter__(self) -> Iterator[int]:
        n = len(self.dataset)
        if self.shuffle:
            from autograd_core.random import Generator
            from autograd_core.random_creation import randperm

            g = Generator()
            g.manual_seed(self.seed + self.epoch)
            indices = randperm(n, generator=g).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            pad = self.total_size - len(indices)
            if pad <= len(indices):
                indices += indices[:pad]
            else:
                indices += (indices * math.ceil(pad / len(indices)))[:pad]
        else:
            indices = indices[:self.total_size]
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """A new shuffle for each epoch (the same on every replica)."""
        self.epoch = epoch
