"""`autograd_core.utils.data`: datasets, samplers and DataLoader, as torch.utils.data."""

from autograd_core.utils.data import dataloader, dataset, distributed, sampler
from autograd_core.utils.data._collate import default_collate, default_convert
from autograd_core.utils.data._combined import ChainDataset, ConcatDataset, StackDataset
from autograd_core.utils.data.dataloader import DataLoader, WorkerInfo, get_worker_info
from autograd_core.utils.data.dataset import (
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)
from autograd_core.utils.data.distributed import DistributedSampler
from autograd_core.utils.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset", "DistributedSampler",
    "IterableDataset", "RandomSampler", "Sampler",
    "SequentialSampler", "StackDataset", "Subset", "SubsetRandomSampler", "TensorDataset",
    "WeightedRandomSampler", "WorkerInfo", "dataloader", "dataset", "default_collate",
    "default_convert", "distributed", "get_worker_info", "random_split", "sampler",
]
