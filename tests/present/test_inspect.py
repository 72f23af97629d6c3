"""What the inspector says, without Qt: names instead of indices, the source with context,
pictures of a tensor's values, the advice on the statistics level, a node's history."""

from __future__ import annotations

import math

import numpy as np

from app.present.inspect import (
    input_names,
    node_history,
    pictures_note,
    producer_text,
    source_context,
    thumbnail_rgb,
)
from autograd_core.trace.records import (
    BackwardRecord,
    Health,
    IterationCapture,
    NodeRecord,
    TensorMeta,
    TensorStats,
)


def _node(i, key, kind, op, module, inputs, outputs, backward=None, time_ns=1000):
    return NodeRecord(i, key, kind, op, module, "model.py:7" if kind == "op" else "", "step",
                      "forward", inputs, outputs, time_ns=time_ns, backward=backward)


def _capture(index=0, norm=2.0, grad=0.5, time_ns=1000):
    stats = TensorStats(0.0, 1.0, 0.5, 0.1, norm, 0, 0)
    nodes = [_node(0, "input:0", "input", "Input", "", (), (0,)),
             _node(1, "param:fc.weight", "param", "Parameter", "fc", (), (1,)),
             _node(2, "fc/Linear#0", "op", "Linear", "fc", (0, 1), (2,), backward=0,
                   time_ns=time_ns)]
    tensors = {t: TensorMeta(t, (2, 2), "float32", "cpu", stats) for t in range(3)}
    back = [BackwardRecord(0, 2, "LinearBackward0", 0, 500, (None, None))]
    return IterationCapture(index, "basic", 0.0, nodes=nodes, tensors=tensors, backward=back,
                            health=Health(param_grad_norms={"fc.weight": grad}))


def test_inputs_and_backward_nodes_are_named_not_numbered():
    cap = _capture()
    assert input_names(cap.nodes[2], cap) == ["input 0", "fc.weight"]
    assert producer_text(cap.backward[0], cap) == "Linear in fc at model.py:7"
    stray = BackwardRecord(1, 99, "XBackward0", 0, 1, ())
    assert "not in this capture" in producer_text(stray, cap)


def test_source_context_shows_the_line_and_its_neighbours(tmp_path):
    script = tmp_path / "model.py"
    script.write_text("\n".join(f"line{n}" for n in range(1, 21)))
    lines = source_context("model.py:10", around=2, roots=[tmp_path])
    assert [(s.number, s.text, s.current) for s in lines] == [
        (8, "line8", False), (9, "line9", False), (10, "line10", True), (11, "line11", False),
        (12, "line12", False)]
    assert source_context("model.py:99", roots=[tmp_path]).startswith("model.py has no line")
    assert "not on this machine" in source_context("gone.py:3", roots=[tmp_path])
    secret = tmp_path / "secret.txt"
    secret.write_text("password\n")
    assert "not on this machine" in source_context(f"{secret}:1")  # only .py files are read
    assert source_context("") == "no source line recorded"


def test_thumbnails_map_onto_the_colour_scale_with_nan_in_red():
    rgb, lo, hi = thumbnail_rgb(np.array([[0.0, 2.0], [1.0, math.nan]]), ("#000000", "#ffffff"))
    assert (lo, hi) == (0.0, 2.0) and rgb.shape == (2, 2, 3) and rgb.dtype == np.uint8
    assert rgb[0, 0].tolist() == [0, 0, 0] and rgb[0, 1].tolist() == [255, 255, 255]
    assert rgb[1, 0].tolist() == [128, 128, 128] and rgb[1, 1].tolist() == [228, 0, 43]


def test_the_note_says_which_level_records_the_pictures():
    basic = TensorStats(0, 1, 0.5, 0.1, 1, 0, 0)
    assert "'full'" in pictures_note(basic, "basic") and "Record: full" in pictures_note(
        basic, "basic")
    assert "Record: basic" in pictures_note(None, "off")
    full = TensorStats(0, 1, 0.5, 0.1, 1, 0, 0, hist=(1,) * 32, hist_lo=0.0, hist_hi=1.0)
    assert pictures_note(full, "full") == ""


def test_a_node_history_follows_its_key_across_captures():
    caps = [_capture(0, norm=1.0, grad=0.1, time_ns=2_000_000), None,
            _capture(3, norm=math.nan, grad=0.3, time_ns=4_000_000)]
    assert node_history(caps, "fc/Linear#0", "time") == ([0, 3], [2.0, 4.0])
    xs, ys = node_history(caps, "fc/Linear#0", "norm")
    assert xs == [0, 3] and ys[0] == 1.0 and math.isnan(ys[1])  # a NaN stays visible
    assert node_history(caps, "param:fc.weight", "grad") == ([0, 3], [0.1, 0.3])
    assert node_history(caps, "fc/Linear#0", "backward") == ([0, 3], [0.0005, 0.0005])
    assert node_history(caps, "gone", "time") == ([], [])
