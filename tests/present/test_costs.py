"""The cost table without Qt (app.present.costs): per-op and per-module costs, self time,
averaging over iterations, and the CSV a user opens in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest

from app.present.costs import cost_csv, cost_table, format_bytes, format_ns, last_captures
from autograd_core.trace.records import (
    BackwardRecord,
    IterationCapture,
    ModuleSpan,
    NodeRecord,
)


def _capture(index: int, scale: int = 1, with_extra: bool = True) -> IterationCapture:
    """blocks.0.mlp: MatMul (fwd 300, bwd 500), blocks.0: Add (fwd 100, bwd 50); top level:
    Mean (fwd 10, bwd 5); an extra op in some iterations (a dynamic graph)."""
    def op(i, key, name, module, fwd, saved, bwd_index):
        return NodeRecord(i, key, "op", name, module, f"model.py:{10 + i}", "forward",
                          "forward", (), (), time_ns=fwd * scale, saved_bytes=saved,
                          backward=bwd_index)

    nodes = [op(0, "blocks.0.mlp/MatMul#0", "MatMul", "blocks.0.mlp", 300, 4096, 0),
             op(1, "blocks.0/Add#0", "Add", "blocks.0", 100, 0, 1),
             op(2, "/Mean#0", "Mean", "", 10, 8, 2)]
    backward = [BackwardRecord(0, 0, "MatMulBackward0", 0, 500 * scale, ()),
                BackwardRecord(1, 1, "AddBackward0", 0, 50 * scale, ()),
                BackwardRecord(2, 2, "MeanBackward0", 0, 5 * scale, ())]
    if with_extra:
        nodes.append(op(3, "blocks.0/Tanh#0", "Tanh", "blocks.0", 1000, 64, None))
    modules = [ModuleSpan("blocks.0.mlp", 0, 350 * scale, "forward"),
               ModuleSpan("blocks.0", 0, 600 * scale, "forward"),
               ModuleSpan("", 0, 700 * scale, "forward")]
    return IterationCapture(index, "basic", 0.0, nodes=nodes, backward=backward,
                            modules=modules)


def test_one_iteration_gives_each_op_and_module_its_own_numbers():
    table = cost_table([_capture(7)])
    assert table.iterations == (7,)
    matmul = table.row("op", "blocks.0.mlp/MatMul#0")
    assert (matmul.name, matmul.forward_ns, matmul.backward_ns, matmul.total_ns) == (
        "MatMul", 300, 500, 800)
    assert (matmul.calls, matmul.saved_bytes, matmul.source) == (1, 4096, "model.py:10")
    mlp, block = table.row("module", "blocks.0.mlp"), table.row("module", "blocks.0")
    assert (mlp.forward_ns, mlp.backward_ns, mlp.self_ns) == (350, 500, 850)
    # blocks.0's span (600) plus the backward of every op inside it (500 + 50), less the child
    assert (block.forward_ns, block.backward_ns) == (600, 550)
    assert block.self_ns == pytest.approx(1150 - 850)
    assert block.saved_bytes == 4096 + 64
    assert table.row("module", "blocks") is not None  # an enclosing path is a row too
    assert table.row("module", "") is None            # the model itself is not a module row


def test_the_average_divides_by_every_iteration_even_where_an_op_did_not_run():
    table = cost_table([_capture(1), _capture(2, scale=3, with_extra=False)])
    assert table.iterations == (1, 2)
    assert table.row("op", "blocks.0.mlp/MatMul#0").forward_ns == (300 + 900) / 2
    tanh = table.row("op", "blocks.0/Tanh#0")
    assert (tanh.forward_ns, tanh.calls) == (500, 0.5)
    assert table.row("module", "blocks.0.mlp").calls == 1


def test_last_captures_keeps_the_newest_readable_ones():
    assert last_captures([1, None, 2, 3, None], 2) == [2, 3]
    assert last_captures([1, 2], 10) == [1, 2]


def test_csv_parses_back_with_a_header_and_names_as_captured():
    table = cost_table([_capture(1)])
    text = cost_csv(sorted(table.ops(), key=lambda r: -r.total_ns))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["Name"] for r in rows] == ["Tanh", "MatMul", "Add", "Mean"]
    assert float(rows[1]["Total (us)"]) == pytest.approx(0.8)
    assert rows[1]["Saved for backward (bytes)"] == "4096"
    assert rows[1]["Module"] == "blocks.0.mlp" and rows[1]["Self (us)"] == ""


def test_units_read_as_a_person_would_write_them():
    assert (format_ns(850e3), format_ns(12.3e6), format_ns(1.2e9)) == (
        "850 us", "12.3 ms", "1.2 s")
    assert (format_bytes(800), format_bytes(324 * 1024), format_bytes(1.5 * 2**20)) == (
        "800 B", "324 KiB", "1.5 MiB")


def test_a_recorded_cnn_gets_a_row_per_op_with_the_capture_s_numbers():
    """On a real recording: every op of the model gets a row, and the numbers are the
    capture's own."""
    from app.runner.record import record

    result = record("resources/examples/cnn_shapes.py", 2)
    cap = result.session.captures[-1]
    table = cost_table([cap])
    ops = {n.key: n for n in cap.nodes if n.kind == "op"}
    assert {r.key for r in table.ops()} == set(ops)
    top = max(table.ops(), key=lambda r: r.total_ns)
    node = ops[top.key]
    assert top.forward_ns == node.time_ns
    assert top.backward_ns == cap.backward[node.backward].time_ns


def test_the_row_cache_reuses_a_capture_s_rows_and_keeps_only_the_newest():
    from app.present.costs import CaptureRowsCache

    cache = CaptureRowsCache(size=2)
    caps = [_capture(i) for i in range(3)]
    first = cache(caps[0])
    assert cache(caps[0]) is first
    assert cost_table(caps, cache) == cost_table(caps)
    assert len(cache._rows) == 2 and cache(caps[0]) is not first   # dropped, then recomputed
