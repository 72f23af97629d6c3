"""Large scenes: the 20k-item regression test (PySide6 6.12 aborts with `none_dealloc` after
~5,000 calls of methods returning nothing; an upgrade that brings that back fails here), and
the batched overview painting the whole graph."""

from __future__ import annotations

import gc

import networkx as nx
import pytest
from PySide6.QtGui import QImage, QPainter

from app.layout import Layout
from app.ui.graph_scene import GraphScene
from app.ui.graph_view import GraphView


def grid_graph(n: int, width: int = 100) -> tuple[nx.DiGraph, Layout]:
    """n op nodes in rows of `width`, each feeding the node below; placed on a grid."""
    g = nx.DiGraph()
    positions, edges = {}, {}
    for i in range(n):
        g.add_node(i, kind="op", label="Add", group=f"block{i // 500}", shape="8x8")
        positions[i] = (70.0 + 144 * (i % width), 18.0 + 76 * (i // width))
        if i >= width:
            g.add_edge(i - width, i, shape="8x8")
            (x0, y0), (x1, y1) = positions[i - width], positions[i]
            edges[(i - width, i)] = [(x0, y0 + 18), (x1, y1 - 18)]
    size = (144.0 * width, 76.0 * (n // width + 1))
    return g, Layout(positions, edges, size)


@pytest.fixture
def new_scene():
    """GraphScenes torn down here, outside any event loop: a scene collected by the garbage
    collector in the middle of a later test's event loop could take its items with it."""
    scenes = []

    def make() -> GraphScene:
        scenes.append(GraphScene())
        return scenes[-1]

    yield make
    for scene in scenes:
        scene.finish_animation()
        scene.clear()
    scenes.clear()
    gc.collect()


def test_a_20k_item_scene_builds_repaints_and_rebuilds(qtbot, new_scene):
    graph, layout = grid_graph(10_000)  # 10k nodes + ~10k edges: 20k items
    scene = new_scene()
    scene.show_graph(graph, layout)
    assert len(scene.nodes) + len(scene.edges) >= 19_900
    for item in scene.nodes.values():  # 10k more void calls (setPos) on the same items
        item.setPos(item.pos())
    scene.show_graph(graph, layout)   # a second build reuses every item
    view = GraphView(scene)
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.fit()
    assert scene.overview
    image = QImage(800, 600, QImage.Format_ARGB32)
    painter = QPainter(image)
    view.render(painter)
    painter.end()
    assert len({image.pixel(x, 300) for x in range(0, 800, 4)}) > 1  # something was drawn
    view.setScene(None)


def test_animated_change_keeps_items_of_kept_nodes(qtbot, new_scene):
    graph, layout = grid_graph(200, width=20)
    scene = new_scene()
    scene.show_graph(graph, layout)
    kept = scene.nodes[5]
    smaller, small_layout = grid_graph(180, width=20)
    scene.show_graph(smaller, small_layout)
    assert scene.nodes[5] is kept and 190 not in scene.nodes
    scene.finish_animation()
    assert all(i.opacity() == 1.0 for i in scene.nodes.values())
    assert not [i for i in scene.items() if getattr(i, "key", None) == 190]
