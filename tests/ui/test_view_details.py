"""What the user reads and sees at a glance: node labels that fit their boxes (and their full
text on hover), the minimap's miniature of the graph, and the first loss in the loss plot."""

from __future__ import annotations

import gc

import networkx as nx
import pytest
from PySide6.QtGui import QColor, QImage

from app.layout import Layout
from app.ui.graph_scene import GraphScene
from app.ui.graph_view import GraphView, summary
from app.ui.items import _metrics, fit_text
from app.ui.plots import LossPlot
from app.ui.theme import DARK


@pytest.fixture
def metrics(qapp):
    return _metrics(True, None)


def test_a_long_parameter_path_keeps_its_end(metrics):
    text = fit_text("block.norm1.weight", metrics, 80)
    assert text.startswith("…") and text.endswith("weight")
    assert metrics.horizontalAdvance(text) <= 80


def test_a_long_op_name_keeps_its_start(metrics):
    text = fit_text("ScaledDotProductAttention", metrics, 80)
    assert text.startswith("Scaled") and text.endswith("…")
    assert metrics.horizontalAdvance(text) <= 80


def test_a_short_label_is_left_alone(metrics):
    assert fit_text("Linear", metrics, 80) == "Linear"
    assert fit_text("0.weight", metrics, 80) == "0.weight"


def chain(labels: list[str]) -> tuple[nx.DiGraph, Layout]:
    g = nx.DiGraph()
    positions, edges = {}, {}
    for i, label in enumerate(labels):
        g.add_node(f"n{i}", kind="param" if "." in label else "op", label=label, shape="4x4")
        positions[f"n{i}"] = (80.0, 30.0 + 80 * i)
        if i:
            g.add_edge(f"n{i - 1}", f"n{i}", shape="4x4")
            edges[(f"n{i - 1}", f"n{i}")] = [(80.0, 48.0 + 80 * (i - 1)), (80.0, 12.0 + 80 * i)]
    return g, Layout(positions, edges, (160.0, 80.0 * len(labels)))


@pytest.fixture
def view(qtbot):
    scene = GraphScene(DARK)
    view = GraphView(scene)
    qtbot.addWidget(view)
    view.resize(600, 400)
    yield view
    scene.finish_animation()
    scene.clear()
    gc.collect()


def test_boxes_show_elided_labels_and_the_hover_shows_them_whole(view):
    graph, layout = chain(["block.attn.in_proj_weight", "ScaledDotProductAttention"])
    view.graph_scene.show_graph(graph, layout, animate=False)
    param, op = view.graph_scene.nodes["n0"], view.graph_scene.nodes["n1"]
    assert param.fitted_text()[0] == "…in_proj_weight"
    assert op.fitted_text()[0].startswith("ScaledDot")
    assert "block.attn.in_proj_weight" in summary(view.graph_scene, "n0")
    assert "ScaledDotProductAttention" in summary(view.graph_scene, "n1")


def count_color(image: QImage, color: str) -> int:
    rgb = QColor(color).rgb()
    return sum(image.pixel(x, y) == rgb for y in range(image.height())
               for x in range(image.width()))


def test_the_minimap_draws_the_graph_that_arrives_after_it_was_first_shown(view, qtbot):
    view.graph_scene.set_theme(DARK)  # as the window does before any graph arrives
    view.show()
    qtbot.waitExposed(view)
    view.minimap.grab()  # painted (and cached) while the scene is still empty
    graph, layout = chain(["Linear", "Relu", "Linear", "CrossEntropy"])
    view.graph_scene.show_graph(graph, layout, animate=False)
    view.fit()
    assert count_color(view.minimap.grab().toImage(), DARK.kinds["op"]) > 50
    before = count_color(view.minimap.grab().toImage(), DARK.kinds["op"])
    view.graph_scene.show_graph(*chain(["Linear"] * 8), animate=False)  # a bigger graph
    assert count_color(view.minimap.grab().toImage(), DARK.kinds["op"]) != before


def test_the_loss_plot_shows_the_first_loss_as_a_point(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(400, 260)
    plot.show()
    qtbot.waitExposed(plot)
    qtbot.waitUntil(lambda: plot.tabs is not None)  # built from the event loop
    view = plot.loss_view  # the plot itself: the style sheet paints handles in this colour
    empty = count_color(view.grab().toImage(), DARK.selection)
    plot.set_points([(0, 1.1)])
    assert empty == 0
    qtbot.waitUntil(lambda: count_color(view.grab().toImage(), DARK.selection) > 5)

