"""Module frames follow their boxes layer by layer: sibling frames never overlap (weights hang a
layer above their op, beside a neighbour module's boxes), and each frame encloses its boxes."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from PySide6.QtCore import QRectF

from app.ui.graph_presenter import capture_graph, default_collapse, lay_out
from app.ui.graph_scene import GraphScene
from app.ui.items import NodeItem

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


@pytest.fixture(scope="module")
def transformer_scene(qapp):
    from app.ui.export import load_source

    session = load_source(str(EXAMPLES / "tiny_transformer.py"), 1)
    graph = capture_graph(session.captures[-1])
    scene = GraphScene()
    scene.show_graph(graph, lay_out(graph, default_collapse(graph)), animate=False)
    return scene


def _area(path) -> float:
    """Area of a filled path (shoelace over its fill polygons)."""
    total = 0.0
    for poly in path.toFillPolygons():
        pts = [poly[i] for i in range(poly.size())]
        total += abs(sum(a.x() * b.y() - b.x() * a.y()
                         for a, b in zip(pts, pts[1:] + pts[:1], strict=True))) / 2
    return total


def _parent(path: str) -> str:
    return path.rsplit(".", 1)[0] if "." in path else ""


def test_sibling_frames_do_not_overlap(qapp, transformer_scene):
    frames = transformer_scene.frames
    assert {"block.norm1", "block.attn", "block.norm2", "block.mlp", "out", "block"} <= set(
        frames)
    for a, b in itertools.combinations(frames, 2):
        if _parent(a) == _parent(b):
            shared = _area(frames[a].outline.intersected(frames[b].outline))
            assert shared < 1.0, f"frames {a} and {b} overlap by {shared:.0f} px²"


def test_frames_enclose_their_boxes_and_nested_frames(qapp, transformer_scene):
    scene = transformer_scene
    for item in scene.items():
        if not isinstance(item, NodeItem):
            continue
        group = scene.graph.nodes[item.key].get("group") if item.key in scene.graph else None
        box = item.rect.translated(item.pos())
        while group:
            assert scene.frames[group].outline.contains(box), (item.label, group)
            group = _parent(group)
    for path, frame in scene.frames.items():
        if "." in path:
            parent = scene.frames[_parent(path)].outline
            assert parent.contains(frame.outline.boundingRect().intersected(
                QRectF(frame.title_at.x(), frame.title_at.y() - 8, 20, 8))), path


def test_drawn_boxes_and_frames_use_the_one_box_size(qtbot):
    import networkx as nx

    from app.present.graph import NODE_SIZE, lay_out
    from app.ui.frames import BOX_PAD_X
    from app.ui.graph_scene import GraphScene

    g = nx.DiGraph([("a", "b")])
    for n in g:
        g.nodes[n].update(kind="op", label=n, group="block")
    scene = GraphScene()
    scene.show_graph(g, lay_out(g, frozenset()), animate=False)
    rect = scene.nodes["a"].rect
    assert (rect.width(), rect.height()) == NODE_SIZE
    frame = scene.frames["block"].rect
    assert frame.width() == NODE_SIZE[0] + 2 * BOX_PAD_X
