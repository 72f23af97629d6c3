"""Exports, each checked by a tool that reads the format."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pytest

from autograd_core import trace

CHROME_SCHEMA = json.loads((Path(__file__).parent / "chrome_trace.schema.json").read_text())


def test_networkx_view_follows_the_layout_convention(recorded: trace.Recorder) -> None:
    cap = recorded.captures[0]
    g = trace.to_networkx(cap)
    assert nx.is_directed_acyclic_graph(g)
    assert g.nodes["loss"]["kind"] == "loss" and g.out_degree("loss") == 0
    assert g.nodes["param:head.weight"]["kind"] == "param"
    assert g.has_edge("param:head.weight", "head/Linear#0")  # data-flow direction
    node = g.nodes["encoder.layers.2/Linear#0"]
    assert node["group"] == "encoder.layers.2" and node["label"] == "Linear"
    assert node["record"] is cap.node_by_key("encoder.layers.2/Linear#0")
    assert all(d["kind"] in ("op", "param", "input", "output", "loss")
               for _, d in g.nodes(data=True))


def test_graphml_reads_back_equal(recorded: trace.Recorder, tmp_path: Path) -> None:
    cap = recorded.captures[1]
    path = tmp_path / "g.graphml"
    trace.export_graphml(cap, path)
    back = nx.read_graphml(path)
    for reader_default in ("node_default", "edge_default"):  # added by networkx's reader
        back.graph.pop(reader_default, None)
    want = trace.graphml_graph(cap)
    assert nx.utils.graphs_equal(back, want)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pyparsing, inside pydot
def test_dot_parses_and_renders(recorded: trace.Recorder, tmp_path: Path) -> None:
    cap = recorded.captures[0]
    path = tmp_path / "g.dot"
    trace.export_dot(cap, path)
    pydot = pytest.importorskip("pydot")
    (graph,) = pydot.graph_from_dot_file(str(path))
    clusters = {sg.get_name().strip('"') for sg in graph.get_subgraphs()}
    assert "cluster_encoder" in clusters and "cluster_head" in clusters
    inner = [sg.get_name().strip('"') for top in graph.get_subgraphs()
             for sg in top.get_subgraphs()]
    assert "cluster_encoder.layers" in inner  # module paths nest
    assert len(graph.get_edges()) == len({(e.src, e.dst) for e in cap.edges})
    if shutil.which("dot"):
        out = subprocess.run(["dot", "-Tsvg", str(path)], capture_output=True, check=True)
        assert b"<svg" in out.stdout


def test_json_export_is_standard_json(recorded: trace.Recorder, tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    trace.export_json(recorded.session, path)
    data = json.loads(path.read_text(), parse_constant=lambda c: pytest.fail(c))
    assert len(data["captures"]) == 3
    assert data["captures"][0]["nodes"][0]["kind"] in ("param", "input")


def test_chrome_trace_matches_schema_with_flows(recorded: trace.Recorder,
                                                tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    path = tmp_path / "t.json"
    trace.export_chrome_trace(recorded.session, path)
    data = json.loads(path.read_text())
    jsonschema.validate(data, CHROME_SCHEMA)
    events = data["traceEvents"]
    ops = [e for e in events if e.get("cat") == "op"]
    bwd = [e for e in events if e.get("cat") == "backward"]
    assert ops and bwd and {e["tid"] for e in ops} != {e["tid"] for e in bwd}
    starts = {e["id"] for e in events if e["ph"] == "s"}
    ends = {e["id"] for e in events if e["ph"] == "f"}
    assert starts == ends and len(starts) == len(bwd)
    # Ops nest inside their module's slice on the same track.
    mod = next(e for e in events if e.get("cat") == "module" and e["name"] == "head")
    head_op = next(e for e in ops if e["args"]["module"] == "head")
    assert mod["ts"] <= head_op["ts"] and head_op["ts"] + head_op["dur"] <= mod["ts"] + \
        mod["dur"] + 1e-3


def test_chrome_trace_iterations_say_how_their_times_were_read(recorded: trace.Recorder,
                                                               tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    trace.export_chrome_trace(recorded.session, path)
    iterations = [e for e in json.loads(path.read_text())["traceEvents"]
                  if e.get("cat") == "iteration"]
    assert iterations and all(e["args"]["clock"] == "wall" and e["args"]["pauses"] ==
                              "excluded" and e["args"]["threads"] == 0 for e in iterations)
