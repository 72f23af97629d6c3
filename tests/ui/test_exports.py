"""Exports from the window and headless: images decode with the expected size and are not
blank, SVG parses, PDF has its header, the data formats load."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from PySide6.QtGui import QImage

from app.cli import main
from app.ui import export


def _not_blank(image: QImage) -> bool:
    small = image.scaled(64, 64)
    colours = {small.pixel(x, y) for x in range(64) for y in range(64)}
    return len(colours) > 8


def test_graph_exports_from_the_window(spiral_window, tmp_path):
    scene = spiral_window.scene
    natural = export.graph_size(scene)
    size = export.export_png(scene, tmp_path / "g.png", scale=1.5).size
    image = QImage(str(tmp_path / "g.png"))
    assert (image.width(), image.height()) == (size.width(), size.height())
    assert abs(image.width() - natural.width() * 1.5) <= 1
    assert _not_blank(image)
    export.export_svg(scene, tmp_path / "g.svg")
    root = ET.parse(tmp_path / "g.svg").getroot()
    assert root.tag.endswith("svg") and "Linear" in (tmp_path / "g.svg").read_text()
    export.export_pdf(scene, tmp_path / "g.pdf")
    assert (tmp_path / "g.pdf").read_bytes().startswith(b"%PDF-")
    shot = export.save_window(spiral_window, tmp_path / "window.png")
    window_image = QImage(str(tmp_path / "window.png"))
    assert window_image.width() == shot.width() and _not_blank(window_image)


def test_capture_exports_from_the_window(spiral_window, tmp_path):
    cap = spiral_window.model.capture()
    for name in ("c.dot", "c.graphml", "c.json", "c.trace.json"):
        export.export_data(cap, tmp_path / name)
    assert (tmp_path / "c.dot").read_text().lstrip().startswith(("digraph", "strict digraph"))
    assert nx.read_graphml(tmp_path / "c.graphml").number_of_nodes() == len(cap.nodes)
    assert json.loads((tmp_path / "c.json").read_text())
    trace = json.loads((tmp_path / "c.trace.json").read_text())
    assert trace["traceEvents"] if isinstance(trace, dict) else trace


@pytest.fixture(scope="module")
def session_file(tmp_path_factory):
    from app.runner.record import record
    from autograd_core import trace

    path = tmp_path_factory.mktemp("s") / "run.gscope"
    result = record("resources/examples/spiral_mlp.py", iterations=2)
    trace.save(result.session, path)
    return path


@pytest.mark.parametrize("suffix", ["png", "svg", "pdf", "dot", "graphml", "json",
                                    "trace.json"])
def test_headless_export_command(session_file, tmp_path, suffix, capsys):
    out = tmp_path / f"out.{suffix}"
    code = main(["export", str(session_file), "-o", str(out), "--overlay", "time",
                 "--iteration", "1", "--collapse", "1"])
    assert code == 0, capsys.readouterr().err
    assert out.stat().st_size > 100
    if suffix == "png":
        image = QImage(str(out))
        assert image.width() > 200 and _not_blank(image)


def test_headless_export_rejects_a_missing_iteration(session_file, tmp_path, capsys):
    code = main(["export", str(session_file), "-o", str(tmp_path / "x.png"),
                 "--iteration", "99"])
    assert code == 1 and "iteration 99" in capsys.readouterr().err
