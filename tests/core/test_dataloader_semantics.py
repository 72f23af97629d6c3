"""DataLoader and samplers against PyTorch: the batches a training loop sees, and the errors.

Every deterministic configuration is run through both libraries on the same data and the
batches compared value for value; random ones are checked for what a user relies on
(a permutation, repeatable with a seeded generator, reshuffled each epoch).
"""

from __future__ import annotations

import collections

import numpy as np
import pytest

import autograd_core as ag
from autograd_core.utils import data as agd

torch = pytest.importorskip("torch")
tud = torch.utils.data

Pair = collections.namedtuple("Pair", "a b")


def _plain(batch):
    """A batch from either library as plain Python (tensors -> (dtype name, values))."""
    if hasattr(batch, "tolist") and hasattr(batch, "dtype"):
        return (str(batch.dtype), batch.tolist())
    if isinstance(batch, dict):
        return {k: _plain(v) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return (type(batch).__name__, [_plain(b) for b in batch])
    return batch


class _MapData:
    """The same map-style dataset for both libraries (samples built by `make`)."""

    def __init__(self, lib, n=10):
        self.lib, self.n = lib, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return (self.lib.tensor([float(i), i * 2.0]), i)


def _both(**kwargs):
    ours = agd.DataLoader(_MapData(ag), **{k: v(agd) if callable(v) else v
                                          for k, v in kwargs.items()})
    theirs = tud.DataLoader(_MapData(torch), **{k: v(tud) if callable(v) else v
                                               for k, v in kwargs.items()})
    return ours, theirs


DETERMINISTIC = [
    {},
    {"batch_size": 4},
    {"batch_size": 4, "drop_last": True},
    {"batch_size": 3, "sampler": [9, 0, 4, 4, 1]},
    {"batch_size": 2, "sampler": lambda m: m.SequentialSampler(range(5))},
    {"batch_sampler": [[3, 1], [0], [9, 8, 7]]},
    {"batch_sampler": lambda m: m.BatchSampler(range(7), 3, False)},
    {"batch_sampler": lambda m: m.BatchSampler(m.SequentialSampler(range(7)), 3, True)},
    {"batch_size": None},
    {"batch_size": None, "sampler": [5, 2]},
    {"batch_size": 4, "collate_fn": lambda m: (lambda b: [s[1] for s in b])},
    {"batch_size": 4, "num_workers": 2, "prefetch_factor": 3, "persistent_workers": True},
    {"batch_size": 4, "pin_memory": True},
    {"batch_size": 4, "num_workers": 1, "timeout": 5.0},
]


@pytest.mark.parametrize("kwargs", DETERMINISTIC, ids=lambda k: ",".join(k) or "defaults")
def test_deterministic_loaders_give_torchs_batches_and_length(kwargs):
    ours, theirs = _both(**kwargs)
    assert [_plain(b) for b in ours] == [_plain(b) for b in theirs]
    assert len(ours) == len(theirs)


ERRORS = [
    ({"sampler": [1, 2], "shuffle": True}, ValueError),
    ({"batch_sampler": [[1]], "batch_size": 2}, ValueError),
    ({"batch_sampler": [[1]], "shuffle": True}, ValueError),
    ({"batch_sampler": [[1]], "sampler": [1]}, ValueError),
    ({"batch_sampler": [[1]], "drop_last": True}, ValueError),
    ({"batch_size": None, "drop_last": True}, ValueError),
    ({"batch_size": 0}, ValueError),
    ({"batch_size": -2}, ValueError),
    ({"batch_size": 2.0}, ValueError),
    ({"num_workers": -1}, ValueError),
    ({"timeout": -1}, ValueError),
    ({"prefetch_factor": 2}, ValueError),
    ({"persistent_workers": True}, ValueError),
    ({"multiprocessing_context": "spawn"}, ValueError),
    ({"no_such_option": 1}, TypeError),
]


@pytest.mark.parametrize(("kwargs", "error"), ERRORS, ids=lambda k: str(k))
def test_bad_argument_combinations_raise_torchs_error(kwargs, error):
    with pytest.raises(error) as theirs:
        tud.DataLoader(_MapData(torch), **kwargs)
    with pytest.raises(error) as ours:
        agd.DataLoader(_MapData(ag), **kwargs)
    assert str(ours.value) == str(theirs.value)


class _Stream:
    def __init__(self, lib, n=5, sized=True):
        base = lib.utils.data.IterableDataset
        self.ds = type("S", (base,), {"__iter__": lambda s: iter(range(n)),
                                      **({"__len__": lambda s: n} if sized else {})})()


@pytest.mark.parametrize("kwargs", [{"batch_size": 2}, {"batch_size": 2, "drop_last": True},
                                    {"batch_size": None}, {}])
def test_iterable_datasets_batch_in_stream_order(kwargs):
    ours = agd.DataLoader(_Stream(ag).ds, **kwargs)
    theirs = tud.DataLoader(_Stream(torch).ds, **kwargs)
    assert [_plain(b) for b in ours] == [_plain(b) for b in theirs]
    assert len(ours) == len(theirs)


@pytest.mark.parametrize("kwargs", [{"shuffle": True}, {"sampler": [0]},
                                    {"batch_sampler": [[0]]}])
def test_iterable_datasets_refuse_order_options(kwargs):
    with pytest.raises(ValueError) as theirs:
        tud.DataLoader(_Stream(torch).ds, **kwargs)
    with pytest.raises(ValueError, match="expected unspecified") as ours:
        agd.DataLoader(_Stream(ag).ds, **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_timeout_without_workers_fails_on_iteration_as_in_torch():
    ours, theirs = _both(timeout=5.0)
    with pytest.raises(AssertionError) as t_err:
        iter(theirs)
    with pytest.raises(AssertionError) as o_err:
        iter(ours)
    assert str(o_err.value) == str(t_err.value)


def test_unsized_iterable_dataset_has_no_len():
    with pytest.raises(TypeError):
        len(agd.DataLoader(_Stream(ag, sized=False).ds, batch_size=2))


# ----------------------------------------------------------------------------- collate
COLLATE = [
    [1, 2], [1.0, 2.0], [True, False], ["a", "b"], [b"a", b"b"], [1, 2.5], [2.5, 1],
    [np.ones(2), np.zeros(2)], [np.float32(1), np.float32(2)], [np.int64(1), np.int64(3)],
    [np.array(1.0), np.array(2.0)], [(1, 2.0), (3, 4.0)], [[1, 2], [3, 4]],
    [{"x": 1, "y": (1, np.ones(1))}, {"x": 2, "y": (3, np.zeros(1))}],
    [Pair(1, 2.0), Pair(3, 4.0)],
]


@pytest.mark.parametrize("batch", COLLATE, ids=repr)
def test_default_collate_matches_torch(batch):
    assert _plain(agd.default_collate(batch)) == _plain(tud.default_collate(batch))


def test_default_collate_keeps_namedtuple_type_and_stacks_tensors():
    out = agd.default_collate([Pair(ag.ones(2), 1), Pair(ag.zeros(2), 2)])
    assert isinstance(out, Pair) and out.a.shape == (2, 2) and out.b.tolist() == [1, 2]


@pytest.mark.parametrize("batch", [[[1], [1, 2]], [object()], [np.array(["a"])], [None]],
                         ids=repr)
def test_default_collate_errors_match_torch(batch):
    with pytest.raises((TypeError, RuntimeError)) as theirs:
        tud.default_collate(batch)
    with pytest.raises(type(theirs.value)) as ours:
        agd.default_collate(batch)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("value", [np.ones(2), (np.ones(2), 1), 3, {"k": np.zeros(1)}],
                         ids=repr)
def test_default_convert_matches_torch(value):
    assert _plain(agd.default_convert(value)) == _plain(tud.default_convert(value))


# ----------------------------------------------------------------------------- samplers
SAMPLER_ERRORS = [
    ("RandomSampler", (range(3),), {"replacement": 1}),
    ("RandomSampler", (range(3),), {"num_samples": 0}),
    ("RandomSampler", (range(3),), {"num_samples": -1}),
    ("BatchSampler", ([1], 0, False), {}),
    ("BatchSampler", ([1], 2, 1), {}),
    ("WeightedRandomSampler", ([1.0, 2.0], -1), {}),
    ("WeightedRandomSampler", ([1.0, 2.0], 2), {"replacement": 1}),
    ("WeightedRandomSampler", ([[1.0, 2.0]], 2), {}),
]


@pytest.mark.parametrize(("name", "args", "kwargs"), SAMPLER_ERRORS, ids=str)
def test_sampler_argument_errors_match_torch(name, args, kwargs):
    with pytest.raises((TypeError, ValueError)) as theirs:
        getattr(tud, name)(*args, **kwargs)
    with pytest.raises(type(theirs.value)) as ours:
        getattr(agd, name)(*args, **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_shuffle_is_a_permutation_repeatable_with_a_seeded_generator_and_new_each_epoch():
    def epoch(loader):
        return [int(v) for _, idx in loader for v in idx.tolist()]

    gen = ag.Generator().manual_seed(7)
    loader = agd.DataLoader(_MapData(ag), batch_size=3, shuffle=True, generator=gen)
    first, second = epoch(loader), epoch(loader)
    assert sorted(first) == list(range(10)) and first != list(range(10))
    assert first != second
    again = agd.DataLoader(_MapData(ag), batch_size=3, shuffle=True,
                           generator=ag.Generator().manual_seed(7))
    assert epoch(again) == first


def test_global_seed_makes_shuffling_repeatable():
    def run():
        ag.manual_seed(3)
        return [i.tolist() for _, i in agd.DataLoader(_MapData(ag), batch_size=4, shuffle=True)]

    assert run() == run()


def test_random_sampler_with_replacement_and_num_samples():
    gen = ag.Generator().manual_seed(0)
    draws = list(agd.RandomSampler(range(3), replacement=True, num_samples=50, generator=gen))
    assert len(draws) == 50 and set(draws) <= {0, 1, 2} and len(set(draws)) == 3
    more = list(agd.RandomSampler(range(4), num_samples=10, generator=gen))
    assert len(more) == 10 and sorted(more[:4]) == [0, 1, 2, 3] and sorted(more[4:8]) == [0, 1,
                                                                                         2, 3]
    assert len(agd.RandomSampler(range(4), num_samples=10)) == 10


def test_subset_and_weighted_samplers():
    picked = list(agd.SubsetRandomSampler([5, 7, 9], generator=ag.Generator().manual_seed(1)))
    assert sorted(picked) == [5, 7, 9]
    weighted = list(agd.WeightedRandomSampler([0.0, 1.0, 0.0, 3.0], 200,
                                              generator=ag.Generator().manual_seed(2)))
    assert set(weighted) == {1, 3} and weighted.count(3) > weighted.count(1)
    unique = list(agd.WeightedRandomSampler([1.0] * 5, 5, replacement=False))
    assert sorted(unique) == [0, 1, 2, 3, 4]
    with pytest.raises(RuntimeError, match="without replacement"):
        list(agd.WeightedRandomSampler([1.0, 1.0], 3, replacement=False))


def test_batch_sampler_length_and_batches_match_torch():
    for drop_last in (False, True):
        ours = agd.BatchSampler(range(10), 4, drop_last)
        theirs = tud.BatchSampler(range(10), 4, drop_last)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


def test_workers_run_in_process_with_worker_init_fn_and_worker_info():
    seen = []

    def init(worker_id):
        info = agd.get_worker_info()
        seen.append((worker_id, info.id, info.num_workers, info.dataset is ds))

    ds = _MapData(ag, 6)
    loader = agd.DataLoader(ds, batch_size=4, num_workers=3, worker_init_fn=init)
    assert [len(b[1]) for b in loader] == [4, 2]
    assert seen == [(0, 0, 1, True)]
    assert agd.get_worker_info() is None


def test_module_paths_as_in_torch():
    from autograd_core.utils.data.dataloader import DataLoader, default_collate
    from autograd_core.utils.data.sampler import BatchSampler, RandomSampler

    assert DataLoader is agd.DataLoader and RandomSampler is agd.RandomSampler
    assert BatchSampler is agd.BatchSampler and default_collate is agd.default_collate
    assert ag.utils.data.DataLoader is DataLoader


def test_random_split_with_generator_is_repeatable():
    a1, _ = agd.random_split(range(10), [0.5, 0.5], generator=ag.Generator().manual_seed(4))
    a2, _ = agd.random_split(range(10), [0.5, 0.5], generator=ag.Generator().manual_seed(4))
    assert a1.indices == a2.indices


def test_mingpt_style_endless_sampler_yields_batches_without_drawing_everything():
    ds = _MapData(ag, 10)
    sampler = agd.RandomSampler(ds, replacement=True, num_samples=int(1e10))
    loader = agd.DataLoader(ds, sampler=sampler, shuffle=False, pin_memory=True, batch_size=4,
                            num_workers=2)
    feats, idx = next(iter(loader))
    assert feats.shape == (4, 2) and len(idx) == 4 and all(0 <= i < 10 for i in idx.tolist())
    assert len(loader) == 2_500_000_000


class _Samples:
    """A map-style dataset whose samples are of one kind (dict, numpy, namedtuple, str)."""

    def __init__(self, kind):
        self.kind = kind

    def __len__(self):
        return 5

    def __getitem__(self, i):
        return {
            "dict": {"x": np.full(2, i, np.float32), "label": i, "name": f"s{i}"},
            "numpy": np.arange(3) * i,
            "namedtuple": Pair(float(i), [i, i + 1]),
            "str": f"sample {i}",
        }[self.kind]


@pytest.mark.parametrize("kind", ["dict", "numpy", "namedtuple", "str"])
@pytest.mark.parametrize("batch_size", [2, None])
def test_sample_kinds_batch_like_torch(kind, batch_size):
    ours = agd.DataLoader(_Samples(kind), batch_size=batch_size)
    theirs = tud.DataLoader(_Samples(kind), batch_size=batch_size)
    assert [_plain(b) for b in ours] == [_plain(b) for b in theirs]
