"""ConcatDataset (and `a + b`), ChainDataset, StackDataset against torch.utils.data: the
same samples and lengths, batched through DataLoader, and the same errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.utils import data

torch = pytest.importorskip("torch")
td = torch.utils.data


class Stream:
    """An iterable dataset of a range, built in either library."""

    @staticmethod
    def make(lib, lo, hi):
        class _S(lib.IterableDataset):
            def __iter__(self):
                return iter(range(lo, hi))

            def __len__(self):
                return hi - lo
        return _S()


def _tensors(lib, n, offset):
    mod = ag if lib is data else torch
    return lib.TensorDataset(mod.arange(offset, offset + n))


def _plain(x):
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    return np.asarray(x.tolist() if hasattr(x, "tolist") else x).tolist()


BUILDERS = {
    "concat": lambda lib: lib.ConcatDataset([_tensors(lib, 3, 0), _tensors(lib, 4, 10)]),
    "add": lambda lib: _tensors(lib, 2, 0) + _tensors(lib, 3, 5),
    "stack_tuple": lambda lib: lib.StackDataset(_tensors(lib, 4, 0), _tensors(lib, 4, 7)),
    "stack_dict": lambda lib: lib.StackDataset(a=_tensors(lib, 3, 0), b=_tensors(lib, 3, 9)),
}


@pytest.mark.parametrize("kind", list(BUILDERS))
def test_map_style_combinations_match_torch(kind) -> None:
    ours, theirs = BUILDERS[kind](data), BUILDERS[kind](td)
    assert len(ours) == len(theirs)
    assert [_plain(ours[i]) for i in range(len(ours))] == \
        [_plain(theirs[i]) for i in range(len(theirs))]
    if kind in ("concat", "add"):
        assert _plain(ours[-1]) == _plain(theirs[-1])
        assert ours.cumulative_sizes == theirs.cumulative_sizes
    got = [_plain(b) for b in data.DataLoader(ours, batch_size=3)]
    want = [_plain(b) for b in td.DataLoader(theirs, batch_size=3)]
    assert got == want


def test_chain_dataset_and_iterable_add_stream_in_order() -> None:
    for build in (lambda lib: lib.ChainDataset([Stream.make(lib, 0, 3),
                                                Stream.make(lib, 10, 12)]),
                  lambda lib: Stream.make(lib, 0, 2) + Stream.make(lib, 5, 7)):
        ours, theirs = build(data), build(td)
        assert list(ours) == list(theirs)
        assert len(ours) == len(theirs)
        got = [_plain(b) for b in data.DataLoader(ours, batch_size=2)]
        assert got == [_plain(b) for b in td.DataLoader(theirs, batch_size=2)]


ERRORS = [
    lambda lib: lib.ConcatDataset([]),
    lambda lib: lib.ConcatDataset([Stream.make(lib, 0, 2)]),
    lambda lib: lib.ConcatDataset([_tensors(lib, 2, 0)])[-3],
    lambda lib: list(lib.ChainDataset([_tensors(lib, 2, 0)])),
    lambda lib: lib.StackDataset(_tensors(lib, 2, 0), b=_tensors(lib, 2, 0)),
    lambda lib: lib.StackDataset(),
    lambda lib: lib.StackDataset(_tensors(lib, 2, 0), _tensors(lib, 3, 0)),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors_match_torch(case) -> None:
    with pytest.raises(Exception) as theirs:
        ERRORS[case](td)
    with pytest.raises(type(theirs.value)) as ours:
        ERRORS[case](data)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("kw", [{"shuffle": False}, {"shuffle": False, "drop_last": True},
                                {"shuffle": True}, {"shuffle": True, "drop_last": True}])
def test_distributed_sampler_splits_like_torch(kw) -> None:
    n, replicas = 10, 3
    ours = [data.DistributedSampler(range(n), replicas, r, **kw) for r in range(replicas)]
    theirs = [td.DistributedSampler(range(n), replicas, r, **kw) for r in range(replicas)]
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    if not kw["shuffle"]:
        assert [list(s) for s in ours] == [list(s) for s in theirs]
    shares = [list(s) for s in ours]
    flat = sorted(i for share in shares for i in share)
    assert len(flat) == sum(len(s) for s in theirs)
    assert set(flat) <= set(range(n))
    if not kw.get("drop_last"):
        assert set(flat) == set(range(n))  # padding repeats, never drops
    ours[0].set_epoch(1)
    again = data.DistributedSampler(range(n), replicas, 0, **kw)
    again.set_epoch(1)
    assert list(ours[0]) == list(again)  # seeded by seed + epoch


def test_distributed_sampler_errors_match_torch_without_the_package() -> None:
    with pytest.raises(RuntimeError, match="Requires distributed package to be available"):
        data.DistributedSampler(range(4))
    with pytest.raises(ValueError) as theirs:
        td.DistributedSampler(range(4), 2, 2)
    with pytest.raises(ValueError) as ours:
        data.DistributedSampler(range(4), 2, 2)
    assert str(ours.value) == str(theirs.value)
    from autograd_core.utils.data.distributed import DistributedSampler
    assert DistributedSampler is data.DistributedSampler
