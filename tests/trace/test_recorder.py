"""Recording: nodes, keys, module paths, phases, statistics, sampling, callbacks."""

from __future__ import annotations

import gc
import math
import weakref
from collections.abc import Callable

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import hooks, nn, trace
from autograd_core.trace.stats import device_stats, host_stats, resolve


def test_each_step_closes_one_capture_with_loss(recorded: trace.Recorder) -> None:
    caps = recorded.captures
    assert [c.index for c in caps] == [0, 1, 2]
    assert all(c.loss is not None and c.loss > 0 for c in caps)
    assert caps[1].loss < caps[0].loss  # SGD is training
    assert recorded.session.script == "net.py"


def test_module_paths_and_stable_keys(recorded: trace.Recorder) -> None:
    cap = recorded.captures[0]
    ops = {n.key: n for n in cap.ops()}
    assert "encoder.layers.0/Linear#0" in ops
    assert "encoder.layers.2/Linear#0" in ops
    assert "head/Linear#0" in ops
    assert ops["encoder.layers.1/Tanh#0"].module == "encoder.layers.1"
    params = {n.key for n in cap.nodes if n.kind == "param"}
    assert "param:encoder.layers.0.weight" in params and "param:head.bias" in params
    # Same keys, same graph in every iteration.
    assert [n.key for n in recorded.captures[2].nodes] == [n.key for n in cap.nodes]


def test_source_location_is_the_users_line(recorded: trace.Recorder) -> None:
    node = recorded.captures[0].node_by_key("head/Linear#0")
    assert node.source.split(":")[0].endswith("conftest.py")  # Net.forward, not the engine
    assert node.function == "Net.forward"


def test_records_have_io_times_phases_and_backward_links(recorded: trace.Recorder) -> None:
    cap = recorded.captures[1]
    lin = cap.node_by_key("head/Linear#0")
    assert lin.phase == "forward" and lin.time_ns > 0
    assert cap.tensors[lin.outputs[0]].shape == (5, 3)
    assert [cap.tensors[t].shape for t in lin.inputs] == [(5, 8), (3, 8), (3,)]
    assert lin.saved_bytes > 0
    bwd = cap.backward[lin.backward]
    assert bwd.forward == lin.id and bwd.name == "LinearBackward0" and bwd.time_ns > 0
    assert [g.shape for g in bwd.grads] == [(5, 8), (3, 8), (3,)]
    assert set(cap.phases) == {"forward", "backward", "update"}
    # The optimizer's update runs on raw arrays (no op records), yet it has its own span,
    # after the backward pass and inside the iteration.
    (f0, _f1), (b0, b1), (u0, u1) = (cap.phases[p] for p in ("forward", "backward", "update"))
    assert f0 < b0 <= b1 <= u0 < u1 <= cap.duration_ns
    kinds = {n.kind for n in cap.nodes}
    assert kinds == {"op", "param", "input", "loss"}


def test_statistics_match_numpy() -> None:
    a = np.random.default_rng(0).standard_normal((100, 70)).astype(np.float32)
    st = host_stats(a, full=True)
    assert st.min == pytest.approx(a.min()) and st.max == pytest.approx(a.max())
    assert st.mean == pytest.approx(a.mean(), abs=1e-5)
    assert st.std == pytest.approx(a.std(), rel=1e-4)
    assert st.norm == pytest.approx(np.linalg.norm(a), rel=1e-5)
    assert (st.nan, st.inf) == (0, 0)
    thumb_sample = st.thumb.reshape(-1)[::2]  # an even stride of the thumbnail's grid
    assert len(st.hist) == 32 and sum(st.hist) == thumb_sample.size <= 1024
    assert sum(host_stats(a[:14], full=True).hist) == 980  # small: over every value
    assert st.thumb.shape == (50, 35) and st.thumb.base is None
    np.testing.assert_array_equal(st.thumb, a[::2, ::2])
    big = np.ones((400, 300), np.float32)  # histogrammed over an even sample
    assert 0 < sum(host_stats(big, full=True).hist) <= 1024
    bad = a.copy()
    bad[0, :3] = [np.nan, np.inf, -np.inf]
    st = host_stats(bad, full=False)
    assert (st.nan, st.inf) == (1, 2) and math.isfinite(st.mean) and st.hist is None


def test_device_path_agrees_with_host_path() -> None:
    # The GPU code path is array-module generic; on numpy it must give the host numbers.
    a = np.random.default_rng(1).standard_normal((130, 9)).astype(np.float32)
    a[3, 3] = np.nan
    pend = device_stats(a, np, full=True)
    resolve([pend], np)
    host = host_stats(a, full=True)
    got = pend.result
    for field in ("min", "max", "mean", "std", "norm"):
        assert getattr(got, field) == pytest.approx(getattr(host, field), rel=1e-5)
    assert (got.nan, got.inf) == (1, 0)
    assert got.hist == host.hist and 0 < sum(got.hist) < a.size  # a sample, NaN left out
    np.testing.assert_array_equal(got.thumb, host.thumb)


def test_levels_off_basic_full(net: nn.Module, step_factory: Callable) -> None:
    make_step = step_factory

    for level, has_stats, has_hist in (("off", False, False), ("basic", True, False),
                                       ("full", True, True)):
        with trace.record(net, stats=level) as rec:
            rec.wrap(make_step(net))(0)
        cap = rec.captures[0]
        st = cap.tensors[cap.ops()[0].outputs[0]].stats
        assert (st is not None) == has_stats and cap.level == level
        if has_stats:
            assert (st.hist is not None) == has_hist
            assert cap.health.param_grad_norms and cap.health.update_ratios


def test_a_capture_keeps_no_tensor_alive() -> None:
    with trace.record(stats="full") as rec:
        x = ag.randn(50, 50, requires_grad=True)
        y = (x * 2).tanh()
        refs = [weakref.ref(x), weakref.ref(y)]
        y.sum().backward()
        rec.next_iteration()
    del x, y
    gc.collect()
    assert all(r() is None for r in refs)
    assert rec.captures[0].nodes  # the records survive the tensors


def test_raw_ops_and_auto_split_without_step() -> None:
    w = ag.randn(4, 4, requires_grad=True)
    with trace.record(stats="basic") as rec:
        for _ in range(3):
            loss = (ag.randn(2, 4) @ w).sum()
            loss.backward()
            with ag.no_grad():
                w -= 0.1 * w.grad
            w.grad = None
    assert len(rec.captures) == 3  # a graph op after backward starts the next iteration
    assert [n.key for n in rec.captures[0].ops()] == [n.key for n in rec.captures[2].ops()]


def test_dynamic_graph_keeps_keys_of_shared_ops() -> None:
    w = ag.randn(3, 3, requires_grad=True)
    with trace.record(stats="off") as rec:
        for steps in (2, 4):
            h = ag.ones(1, 3)
            for _ in range(steps):
                h = (h @ w).tanh()
            h.sum().backward()
            rec.next_iteration()
    a, b = rec.captures
    assert {n.key for n in a.ops()} < {n.key for n in b.ops()}
    d = trace.diff(a, b)
    assert sorted(d.added) == ["/MatMul#2", "/MatMul#3", "/Tanh#2", "/Tanh#3"]
    assert not d.removed


def test_sampling_every_nth_and_structure_between(net: nn.Module,
                                                  step_factory: Callable) -> None:
    make_step = step_factory

    with trace.record(net, stats="basic", every=3) as rec:
        step = rec.wrap(make_step(net))
        for i in range(7):
            step(i)
    assert [c.index for c in rec.captures] == list(range(7))
    assert [c.level for c in rec.captures] == ["basic", "off", "off"] * 2 + ["basic"]
    with trace.record(net, stats="basic", every=3, between="skip") as rec:
        step = rec.wrap(make_step(net))
        for i in range(7):
            step(i)
    assert [c.index for c in rec.captures] == [0, 3, 6]


def test_window_bounds_the_session() -> None:
    w = ag.randn(2, requires_grad=True)
    with trace.record(stats="off", window=5) as rec:
        for _ in range(40):
            (w * w).sum().backward()
            rec.next_iteration()
    assert len(rec.session) == 5 and rec.session.dropped == 35
    assert [c.index for c in rec.captures] == [35, 36, 37, 38, 39]


def test_callbacks_see_each_op_and_backward_node_as_it_happens() -> None:
    events: list[tuple[str, str]] = []
    with trace.record(on_op=lambda r: events.append(("op", r.key)),
                      on_backward=lambda b: events.append(("bwd", b.name))) as rec:
        x = ag.randn(3, requires_grad=True)
        (x.exp() * 2).sum().backward()
        rec.next_iteration()
    assert events[:3] == [("op", "/Exp#0"), ("op", "/Mul#0"), ("op", "/Sum#0")]
    assert [e[1] for e in events[3:]] == ["SumBackward0", "MulBackward0", "ExpBackward0"]
    assert rec.captures[0].node_by_key("/Exp#0") is not None


def test_observer_is_detached_after_the_block() -> None:
    with trace.record():
        assert hooks.get_observer() is not None
    assert hooks.get_observer() is None


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="stats"):
        trace.Recorder(stats="some")
    with pytest.raises(ValueError):
        trace.HealthConfig(vanish=1.0, explode=0.5)


def test_small_tensors_measured_together_match_the_direct_path() -> None:
    from autograd_core.trace.small_stats import SmallBatch

    rng = np.random.default_rng(2)
    arrays = [rng.standard_normal(shape).astype(dt) for shape, dt in
              (((3, 4), np.float32), ((100,), np.float64), ((64, 64), np.float32))]
    arrays.append(np.array([1.0, np.nan, np.inf, -2.0], np.float32))
    originals = [a.copy() for a in arrays]
    for full in (False, True):
        batch = SmallBatch(full)
        slots = [batch.add(a) for a in arrays]
        for a in arrays:
            a += 1  # changed after it was recorded: the record keeps the values it saw
        batch.resolve()
        for slot, orig in zip(slots, originals, strict=True):
            got, want = slot.to_stats(), host_stats(orig, full)
            for field in ("min", "max", "mean", "std", "norm"):
                assert getattr(got, field) == pytest.approx(getattr(want, field), rel=1e-5)
            assert (got.nan, got.inf) == (want.nan, want.inf)
            assert got.hist == want.hist
        for a in arrays:
            a -= 1


def test_recorded_statistics_are_the_values_the_op_produced() -> None:
    w = ag.randn(30, 20, requires_grad=True)
    with trace.record(stats="basic") as rec:
        y = (w * 3).tanh()
        y.sum().backward()
        rec.next_iteration()
    cap = rec.captures[0]
    tanh = cap.node_by_key("/Tanh#0")
    st = cap.tensors[tanh.outputs[0]].stats
    want = host_stats(y.detach().numpy(), False)
    assert (st.min, st.max, st.norm) == pytest.approx((want.min, want.max, want.norm), rel=1e-5)


def test_histograms_binned_per_capture_match_the_direct_path() -> None:
    big = ag.randn(300, 40, requires_grad=True)  # above the small-tensor size: direct stats
    small = ag.tensor([[1.0, float("nan")], [0.5, -3.0]], requires_grad=True)
    with trace.record(stats="full") as rec:
        y = (big * 2).tanh()
        z = small * 2
        (y.sum() + z.sum()).backward()
        rec.next_iteration()
    cap = rec.captures[0]
    for key, value in (("/Tanh#0", y), ("/Mul#1", z)):
        st = cap.tensors[cap.node_by_key(key).outputs[0]].stats
        want = host_stats(value.detach().numpy(), True)
        assert st.hist == want.hist and (st.nan, st.inf) == (want.nan, want.inf)
        np.testing.assert_array_equal(st.thumb, want.thumb)


def test_small_integer_tensors_are_measured_like_the_direct_path() -> None:
    from autograd_core.trace.small_stats import SmallBatch, small_slot

    labels = np.array([3, 0, 9, 9, 2], np.int64)
    mask = np.array([True, False, True])
    for full in (False, True):
        batch = SmallBatch(full)
        slots = [small_slot(batch, a) for a in (labels, mask)]
        batch.resolve()
        for slot, a in zip(slots, (labels, mask), strict=True):
            got, want = slot.to_stats(), host_stats(a, full)
            assert (got.min, got.max, got.mean, got.norm) == pytest.approx(
                (want.min, want.max, want.mean, want.norm))
            assert got.hist == want.hist
