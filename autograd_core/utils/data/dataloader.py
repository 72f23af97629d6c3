"""DataLoader like torch.utils.data.DataLoader: PyTorch's arguments, checks and batching.

Loading always runs in this process: `num_workers > 0` is accepted and behaves as one worker
(id 0) that reads the whole dataset, so `worker_init_fn` and `get_worker_info()` still work.
The app already runs the user's script in a worker process, and records must come from it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from autograd_core import hooks, random
from autograd_core.utils.data._collate import default_collate, default_convert
from autograd_core.utils.data.dataset import Dataset, IterableDataset
from autograd_core.utils.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
)


@dataclass
class WorkerInfo:
    """What `get_worker_info()` returns inside a loader's (in-process) worker."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: list[WorkerInfo | None] = [None]


def get_worker_info() -> WorkerInfo | None:
    """The current worker's info while a loader with num_workers > 0 iterates, else None."""
    return _worker_info[0]


def _check_worker_options(num_workers: int, timeout: float, prefetch_factor: int | None,
                          persistent_workers: bool, multiprocessing_context: Any) -> None:
    """PyTorch's checks on the multiprocessing options (they still matter in-process)."""
    if num_workers < 0:
        raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                         "disable multiprocessing.")
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                         "let num_workers > 0 to enable multiprocessing, otherwise set "
                         "prefetch_factor to None.")
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError("prefetch_factor option should be non-negative")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")
    if multiprocessing_context is not None and num_workers == 0:
        raise ValueError("multiprocessing_context can only be used with multi-process loading "
                         f"(num_workers > 0), but got num_workers={num_workers}")


def _check_iterable_options(shuffle: Any, sampler: Any, batch_sampler: Any) -> None:
    # An IterableDataset decides its own order: order options make no sense on it.
    given = [("shuffle", shuffle)] if shuffle is not None and shuffle is not False else []
    given += [(name, value) for name, value in (("sampler", sampler),
                                                ("batch_sampler", batch_sampler))
              if value is not None]
    if given:
        name, value = given[0]
        raise ValueError("DataLoader with IterableDataset: expected unspecified "
                         f"{name} option, but got {name}={value}")


def _unobserved(batches: Iterator[Any]) -> Iterator[Any]:
    """Each batch made with the engine's observer detached: indexing samples and collating
    them is data loading, not the model's graph (a recorded iteration would otherwise show a
    node per sample, and a plain script's iteration would end at the next batch's first op)."""
    while True:
        previous = hooks.set_observer(None)
        try:
            batch = next(batches)
        except StopIteration:
            return
        finally:
            hooks.set_observer(previous)
        yield batch


class DataLoader:
    """Iterate a dataset in batches, with PyTorch's arguments.

    Args:
        dataset: a map-style Dataset (indexable, with len) or an IterableDataset.
        batch_size: samples per batch; None turns batching off (samples come one by one).
        shuffle: a new random order every pass (map-style only).
        sampler: the indices to read, in order (exclusive with shuffle).
        batch_sampler: yields lists of indices (exclusive with batch_size, shuffle, sampler,
            drop_last).
        num_workers: accepted; loading runs in this process (see the module docstring).
        collate_fn: builds a batch from a list of samples (default: default_collate).
        pin_memory: no effect (there is no pinned host memory here).
        drop_last: drop the last, short batch.
        timeout: must be >= 0; no effect in-process.
        worker_init_fn: called with worker id 0 at the start of each pass when num_workers > 0.
        generator: the Generator that shuffling draws from.

    Example:
        >>> loader = DataLoader(TensorDataset(arange(10)), batch_size=4)
        >>> [len(b[0]) for b in loader]
        [4, 4, 2]
    """

    def __init__(self, dataset: Dataset, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Sampler | Iterable | None = None,
                 batch_sampler: Sampler | Iterable | None = None, num_workers: int = 0,
                 collate_fn: Any = None, pin_memory: bool = False, drop_last: bool = False,
                 timeout: float = 0, worker_init_fn: Any = None,
                 multiprocessing_context: Any = None, generator: random.Generator | None = None,
                 *, prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers,
                              multiprocessing_context)
        if isinstance(dataset, IterableDataset):
            _check_iterable_options(shuffle, sampler, batch_sampler)
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = 2 if num_workers > 0 and prefetch_factor is None \
            else prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self.generator = generator
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = self._default_sampler(sampler, shuffle)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(self.sampler, batch_size, drop_last)
        self.batch_sampler = batch_sampler
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn

    def _default_sampler(self, sampler: Any, shuffle: bool) -> Any:
        if sampler is not None:
            return sampler
        if isinstance(self.dataset, IterableDataset):
            return None  # an IterableDataset is read in its own order
        if shuffle:
            return RandomSampler(self.dataset, generator=self.generator)  # type: ignore[arg-type]
        return SequentialSampler(self.dataset)  # type: ignore[arg-type]

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self) -> Any:
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)  # type: ignore[arg-type]  # TypeError if it has none
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)
        return len(self._index_sampler)

    def __iter__(self) -> Iterator[Any]:
        if self.num_workers == 0 and self.timeout != 0:
            # PyTorch's single-process iterator refuses a timeout (its own assertion).
            raise AssertionError("_SingleProcessDataLoaderIter requires timeout == 0")
        if self.num_workers > 0:
            return _unobserved(self._as_worker())
        return _unobserved(self._batches())

    def _as_worker(self) -> Iterator[Any]:
        seed = int(random.rng_of(self.generator).integers(0, 1 << 63))
        _worker_info[0] = WorkerInfo(id=0, num_workers=1, seed=seed, dataset=self.dataset)
        try:
            if self.worker_init_fn is not None:
                self.worker_init_fn(0)
            yield from self._batches()
        finally:
            _worker_info[0] = None

    def _batches(self) -> Iterator[Any]:
        if isinstance(self.dataset, IterableDataset):
            return self._iterable_batches()
        return self._map_batches()

    def _map_batches(self) -> Iterator[Any]:
        fetch = getattr(self.dataset, "__getitems__", None)
        if not self._auto_collation:
            for idx in self.sampler:
                yield self.collate_fn(self.dataset[idx])
            return
        for indices in self.batch_sampler:  # type: ignore[union-attr]
            samples = fetch(indices) if fetch else [self.dataset[i] for i in indices]
            yield self.collate_fn(samples)

    def _iterable_batches(self) -> Iterator[Any]:
        if not self._auto_collation:
            for sample in self.dataset:  # type: ignore[attr-defined]
                yield self.collate_fn(sample)
            return
        batch: list = []
        for sample in self.dataset:  # type: ignore[attr-defined]
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)
