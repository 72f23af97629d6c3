"""Exports: the graph as PNG (at a scale), SVG and PDF; the whole window as PNG; the capture as
DOT, GraphML, JSON and Chrome trace (the trace package's writers); and `export_headless`,
which records or loads a session and renders the same view offscreen for `gradscope export`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QImage, QPageSize, QPainter, QPdfWriter
from PySide6.QtWidgets import QWidget

from app.ui.graph_scene import GraphScene
from autograd_core.trace.atomic import atomic_path

IMAGE_FORMATS = (".png", ".svg", ".pdf")
DATA_FORMATS = (".dot", ".graphml", ".trace.json", ".json")


def export_kind(path: str | os.PathLike) -> str:
    """The format of `path` by its ending ('.trace.json' before '.json'); '' if unknown."""
    name = str(path).lower()
    return next((f for f in (*IMAGE_FORMATS, *DATA_FORMATS) if name.endswith(f)), "")


LEGEND_ROOM = 76.0  # scene units kept free above the graph for the overlay legend


def _has_legend(scene: GraphScene) -> bool:
    return scene.overlay is not None and scene.overlay.name != "none"


def _source(scene: GraphScene) -> QRectF:
    """The exported part of the scene: the items, a margin, and room for the legend on top
    (drawn over the graph it hid the top right nodes)."""
    top = LEGEND_ROOM if _has_legend(scene) else 20
    return scene.itemsBoundingRect().adjusted(-20, -top, 20, 20)


def _render(scene: GraphScene, painter: QPainter, target: QRectF, legend: bool) -> None:
    scene.finish_animation()
    overview = scene.overview
    scene.set_overview(False)  # exports always draw the detailed items
    source = _source(scene)
    painter.fillRect(target, QColor(scene.theme.background))
    scene.render(painter, target, source, Qt.KeepAspectRatio)
    scene.set_overview(overview)
    if legend and _has_legend(scene):
        from app.ui.graph_view import paint_legend

        paint_legend(painter, QRectF(target.right() - 250, target.top() + 10, 236, 58),
                     scene.overlay, scene.theme)


def graph_size(scene: GraphScene) -> QSize:
    """Natural size of the drawing in scene units (1 unit = 1 pixel at scale 1)."""
    r = _source(scene)
    return QSize(max(int(r.width()), 1), max(int(r.height()), 1))


def export_png(scene: GraphScene, path: str | os.PathLike, scale: float = 2.0) -> QSize:
    """Render the graph into a PNG `scale` times its natural size; returns the image size."""
    size = graph_size(scene) * scale
    image = QImage(size, QImage.Format_ARGB32)
    image.fill(QColor(scene.theme.background))
    painter = QPainter(image)
    painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
    _render(scene, painter, QRectF(0, 0, size.width(), size.height()), legend=True)
    painter.end()
    with atomic_path(path) as tmp:
        if not image.save(str(tmp), "PNG"):
            raise OSError(f"cannot write {path}")
    return size


def export_svg(scene: GraphScene, path: str | os.PathLike) -> None:
    from PySide6.QtSvg import QSvgGenerator

    size = graph_size(scene)
    with atomic_path(path) as tmp:
        gen = QSvgGenerator()
        gen.setFileName(str(tmp))
        gen.setSize(size)
        gen.setViewBox(QRectF(0, 0, size.width(), size.height()))
        gen.setTitle("Gradscope graph")
        painter = QPainter(gen)
        _render(scene, painter, QRectF(0, 0, size.width(), size.height()), legend=True)
        painter.end()  # the generator writes and closes its file here
        del painter, gen


def export_pdf(scene: GraphScene, path: str | os.PathLike) -> None:
    size = graph_size(scene)
    with atomic_path(path) as tmp:
        writer = QPdfWriter(str(tmp))
        writer.setTitle("Gradscope graph")
        writer.setResolution(96)
        writer.setPageSize(QPageSize(QSizeF(size), QPageSize.Unit.Point, name="graph"))
        writer.setPageMargins(QMarginsF(0, 0, 0, 0))
        painter = QPainter(writer)
        page = writer.pageLayout().paintRectPixels(writer.resolution())
        _render(scene, painter, QRectF(page), legend=True)
        painter.end()  # the writer finishes the file here
        del painter, writer


def export_graph(scene: GraphScene, path: str | os.PathLike, scale: float = 2.0) -> None:
    """PNG, SVG or PDF by the file's ending."""
    kind = export_kind(path)
    if kind == ".png":
        export_png(scene, path, scale)
    elif kind == ".svg":
        export_svg(scene, path)
    elif kind == ".pdf":
        export_pdf(scene, path)
    else:
        raise ValueError(f"not an image format: {path} (use .png, .svg or .pdf)")


def export_data(capture_or_session: Any, path: str | os.PathLike) -> None:
    """DOT, GraphML, JSON or Chrome trace by the file's ending."""
    from autograd_core import trace

    writers = {".dot": trace.export_dot, ".graphml": trace.export_graphml,
               ".trace.json": trace.export_chrome_trace, ".json": trace.export_json}
    kind = export_kind(path)
    if kind not in writers:
        raise ValueError(f"not a data format: {path} (use .dot, .graphml, .json, .trace.json)")
    writers[kind](capture_or_session, str(path))


def save_window(widget: QWidget, path: str | os.PathLike) -> QSize:
    """A screenshot of the whole window (what the user sees) as PNG."""
    pixmap = widget.grab()
    with atomic_path(path) as tmp:
        if not pixmap.save(str(tmp), "PNG"):
            raise OSError(f"cannot write {path}")
    return pixmap.size()


def load_source(source: str, iterations: int | None = None) -> Any:
    """A trace.Session from a .gscope file, or by recording a model script in a worker."""
    from autograd_core import trace

    if source.endswith(".gscope"):
        return trace.load(source)
    from app.runner.record import record

    result = record(source, iterations or 3)
    failure = result.error or result.died
    if failure is not None and len(result.session) == 0:
        raise RuntimeError(f"{source}: {failure.message}")
    return result.session


def export_headless(source: str, out: str, iteration: int | None = None,
                    iterations: int | None = None, overlay: str = "none",
                    collapse: int | None = None, scale: float = 2.0,
                    theme_name: str = "light") -> Path:
    """Render/export iteration `iteration` (default: the last) of `source` to `out`.

    Example:
        export_headless("resources/examples/spiral_mlp.py", "graph.png", overlay="time")
    """
    from app.ui.graph_presenter import capture_graph, collapse_at_depth, default_collapse, lay_out
    from app.ui.overlays import overlay_scale
    from app.ui.theme import theme

    session = load_source(source, iterations)
    if len(session) == 0:
        raise RuntimeError(f"{source}: no captured iterations")
    captures = session.captures
    cap = captures[-1] if iteration is None else _pick(captures, iteration)
    if export_kind(out) in DATA_FORMATS:
        export_data(cap, out)
        return Path(out)
    graph = capture_graph(cap)
    collapsed = default_collapse(graph) if collapse is None else collapse_at_depth(graph,
                                                                                   collapse)
    scene = GraphScene(theme(theme_name))
    scene.show_graph(graph, lay_out(graph, collapsed), animate=False)
    scene.set_overlay(overlay_scale(dict(graph.nodes(data=True)), overlay))
    export_graph(scene, out, scale)
    return Path(out)


def _pick(captures: list, iteration: int) -> Any:
    for cap in captures:
        if cap.index == iteration:
            return cap
    held = f"{captures[0].index}-{captures[-1].index}"
    raise ValueError(f"iteration {iteration} is not in the session (it holds {held})")
