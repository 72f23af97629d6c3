"""utils.data: what a training loop sees from TensorDataset, DataLoader and random_split."""

import pytest

import autograd_core as ag
from autograd_core.utils.data import DataLoader, TensorDataset, random_split


def _data():
    return TensorDataset(ag.arange(10.0).reshape(10, 1), ag.arange(10))


def test_loader_batches_in_order_with_a_short_last_batch():
    batches = list(DataLoader(_data(), batch_size=4))
    assert [b[0].shape for b in batches] == [(4, 1), (4, 1), (2, 1)]
    assert batches[2][1].tolist() == [8, 9]
    assert len(DataLoader(_data(), batch_size=4)) == 3


def test_drop_last_and_shuffle_cover_every_sample_once():
    ag.manual_seed(0)
    loader = DataLoader(_data(), batch_size=3, shuffle=True, drop_last=True)
    seen = [int(v) for _, y in loader for v in y.tolist()]
    assert len(seen) == 9 and len(set(seen)) == 9 and len(loader) == 3
    assert seen != sorted(seen)


def test_random_split_by_fractions_partitions_the_dataset():
    a, b = random_split(_data(), [0.7, 0.3])
    assert (len(a), len(b)) == (7, 3)
    labels = [a[i][1].item() for i in range(7)] + [b[i][1].item() for i in range(3)]
    assert sorted(labels) == list(range(10))


def test_mismatched_tensors_are_refused():
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(ag.ones(3), ag.ones(4))


def test_loading_batches_is_not_recorded_as_the_models_graph():
    # A recorded loop over a DataLoader: indexing samples and stacking them into a batch is
    # data loading; the capture holds the model's ops only (and the observer comes back).
    from autograd_core import hooks, trace

    X, y = ag.randn(64, 3), ag.randn(64, 1)
    loader = DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True)
    model = ag.nn.Linear(3, 1)
    with trace.record(model) as rec:
        observer = hooks.get_observer()
        for xb, yb in loader:
            assert hooks.get_observer() is observer
            loss = ((model(xb) - yb) ** 2).mean()
            loss.backward()
            rec.next_iteration(loss)
    ops = {n.op for cap in rec.session.captures for n in cap.nodes if n.kind == "op"}
    assert len(rec.session.captures) == 4
    assert "Stack" not in ops and not any("Index" in op or "Select" in op for op in ops), ops
    assert "Linear" in ops
