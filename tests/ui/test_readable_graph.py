"""The graph reads at every zoom: at Fit a tall 50-layer model shows its op names and its
module names at 9 px or more; zoomed far out the modules, the loss and the selection are named
at a readable size; the minimap never covers a box; static exports carry a title and neither
hints nor the selection."""

from __future__ import annotations

import networkx as nx
import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage

from app.layout import layout_graph
from app.present.semantic import LABEL_PT, MIN_LABEL_PX, text_px
from app.ui.graph_scene import GraphScene
from app.ui.graph_view import GraphView

FIFTY_LAYERS = """\
import autograd_core as ag
from autograd_core import nn

ITERATIONS = 1
layers = []
for _ in range(50):
    layers += [nn.Linear(8, 8), nn.Tanh()]
model = nn.Sequential(*layers)
x = ag.randn(4, 8)


def step(i):
    loss = (model(x) ** 2).mean()
    loss.backward()
    return loss
"""


@pytest.fixture
def fifty(open_window, tmp_path):
    script = tmp_path / "fifty.py"
    script.write_text(FIFTY_LAYERS)
    window = open_window(script)
    window.view.fit()
    window.view.viewport().repaint()
    return window


def test_at_fit_a_50_layer_model_names_its_modules_at_9_px_or_more(fifty):
    view = fifty.view
    assert len(fifty.scene.frames) >= 50  # a tall graph: a column of 50 module frames
    lod, vp = view.scale_factor(), view.viewport()
    shown = view.mapToScene(vp.rect()).boundingRect()
    # Module names: frame titles drawn by the frames, or named by the view's label layer.
    titles = [(path, item.title_px(lod, vp)) for path, item in fifty.scene.frames.items()
              if shown.contains(item.title_at) and item.title_px(lod, vp) > 0]
    named = [(text, px) for text, px in view.labels.drawn if text in fifty.scene.frames]
    modules = titles + named
    assert len(modules) >= 3, (lod, view.labels.drawn)
    assert all(px >= MIN_LABEL_PX for _, px in modules), modules
    # A tall model: Fit shows it at its width with op names of 9 px or more, not a column.
    linear = next(i for i in fifty.scene.nodes.values() if i.label == "Linear")
    assert linear.label_px(lod, vp) >= MIN_LABEL_PX
    assert text_px(LABEL_PT, lod, vp.logicalDpiY()) >= MIN_LABEL_PX  # in the usual font


def test_fit_shows_a_tall_graph_at_its_width_with_readable_op_names(qtbot):
    scene = GraphScene()
    graph = _tall_graph()
    scene.show_graph(graph, layout_graph(graph), animate=False)
    view = GraphView(scene)
    qtbot.addWidget(view)
    view.resize(900, 500)
    view.show()
    qtbot.waitExposed(view)
    view.fit()
    dpi = view.viewport().logicalDpiY()
    assert text_px(LABEL_PT, view.scale_factor(), dpi) >= MIN_LABEL_PX  # op names drawn
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    assert shown.width() >= scene.itemsBoundingRect().width() * 0.95  # the full width
    assert shown.top() <= scene.itemsBoundingRect().top() + 1  # from the top, scroll down
    visible = [i for i in scene.nodes.values() if shown.contains(i.pos())]
    assert len(visible) >= 6  # a readable part, not a thin unlabelled column of 121 boxes


def test_zoomed_far_out_the_modules_and_the_loss_are_named(fifty, qtbot):
    view = fifty.view
    view.zoom_by(0.05 / view.scale_factor())
    loss = next(i for i in fifty.scene.nodes.values() if i.kind == "loss")
    view.centerOn(loss)
    view.viewport().repaint()
    texts = [text for text, _ in view.labels.drawn]
    assert loss.label in texts and any(t in fifty.scene.frames for t in texts), texts
    assert all(px >= MIN_LABEL_PX for _, px in view.labels.drawn)


def _tall_graph(layers: int = 60) -> nx.DiGraph:
    g = nx.DiGraph()
    prev = None
    for i in range(layers):
        w = f"w{i}"
        g.add_node(w, kind="param", label="weight", group=f"layer{i}")
        g.add_node(f"op{i}", kind="op", label="Linear", group=f"layer{i}")
        g.add_edge(w, f"op{i}")
        if prev:
            g.add_edge(prev, f"op{i}")
        prev = f"op{i}"
    g.add_node("loss", kind="loss", label="loss")
    g.add_edge(prev, "loss")
    return g


def test_the_minimap_never_covers_a_box(qtbot):
    scene = GraphScene()
    graph = _tall_graph()
    scene.show_graph(graph, layout_graph(graph), animate=False)
    view = GraphView(scene)
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    qtbot.waitExposed(view)
    seen_visible = False
    for zoom in (1.0, 0.4, 0.1):
        view.zoom_by(zoom / view.scale_factor())
        for y in range(0, int(scene.sceneRect().height()), 400):
            view.centerOn(scene.sceneRect().center().x(), y)
            if not view.minimap.isVisible():
                continue
            seen_visible = True
            mini = view.minimap.geometry()
            top_left = view.viewport().mapFrom(view, mini.topLeft())
            area = view.mapToScene(QRect(top_left, mini.size())).boundingRect()
            covered = [i.key for i in scene.nodes.values()
                       if i.rect.translated(i.pos()).intersects(area)]
            assert covered == [], (zoom, y, covered)
    assert seen_visible  # it is there to navigate the tall graph, just never over a box


def test_exports_have_a_title_and_no_hint_or_selection(spiral_window, tmp_path):
    from app.layout import GroupNode
    from app.present.graph import collapse_at_depth
    from app.ui.export import export_graph

    w = spiral_window
    w.presenter.set_collapsed(collapse_at_depth(w.scene.graph, 1))
    assert any(isinstance(k, GroupNode) for k in w.scene.nodes)
    w.presenter.set_overlay("time")
    key = next(k for k in w.scene.nodes if not isinstance(k, GroupNode))
    w.model.select_node(key)
    assert w.scene.nodes[key].isSelected()
    svg = tmp_path / "g.svg"
    export_graph(w.scene, svg)
    text = svg.read_text()
    assert "spiral_mlp.py" in text and "iteration" in text and "Forward time" in text
    assert "double-click" not in text and (" ops<" in text or " op<" in text), text[-3000:]
    png = tmp_path / "g.png"
    export_graph(w.scene, png, scale=1.0)
    image = QImage(str(png))
    selection = QColor(w.scene.theme.selection).rgb()
    hits = sum(1 for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)
               if image.pixel(x, y) == selection)
    assert hits == 0  # the selection highlight is not part of a picture
    assert w.scene.nodes[key].isSelected()  # ... and the window keeps it


def test_op_names_stay_9_px_while_boxes_shrink_then_modules_take_over(qtbot):
    from app.present.semantic import MIN_BOX_LOD

    scene = GraphScene()
    graph = _tall_graph(12)
    scene.show_graph(graph, layout_graph(graph), animate=False)
    view = GraphView(scene)
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    qtbot.waitExposed(view)
    op = scene.nodes["op3"]
    for zoom in (0.9, 0.7, 0.55):  # the usual font would be 10, 8 and 6 px here
        view.zoom_by(zoom / view.scale_factor())
        view.grab()  # paints the view as it stands
        assert op.label_px(view.scale_factor(), view.viewport()) >= MIN_LABEL_PX
        assert view.labels.drawn == []  # boxes carry their names: no module labels on top
    view.zoom_by(0.4 / view.scale_factor())
    view.grab()
    assert view.scale_factor() < MIN_BOX_LOD and op.label_px(view.scale_factor()) == 0
    assert {t for t, _ in view.labels.drawn} & {f"layer{i}" for i in range(12)}
