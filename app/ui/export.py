"""Exports: the graph as PNG (at a scale), SVG and PDF; the whole window as PNG; the capture as
DOT, GraphML, JSON and Chrome trace (the trace package's writers); and `export_headless`,
which records or loads a session and renders the same view offscreen for `gradscope export`.

Images are drawn into memory, checked, then written with `atomic_write`: a failed write (a
full disk) raises OSError naming the file and leaves the old file as it was. Image sizes are
capped; an `ImageExport.note` says when a drawing was scaled down."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QColor, QImage, QPageSize, QPainter, QPdfWriter
from PySide6.QtWidgets import QWidget

from app.present.data_export import Exported, export_data, load_source, source_capture
from app.present.formats import (
    DATA_FORMATS,
    IMAGE_FORMATS,
    MAX_FRAME_DEPTH,
    MAX_PAGE,
    MAX_PIXELS,
    MAX_SIDE,
    export_kind,
    suffix_list,
)
from app.present.graph import (
    capture_graph,
    collapse_at_depth,
    default_collapse,
    lay_out,
    overlay_values,
)
from app.present.health_view import health_badges
from app.present.labels import export_title
from app.present.nan_hunt import anomaly_roles
from app.present.overlays import overlay_scale
from app.ui.graph_scene import GraphScene
from autograd_core.trace.atomic import atomic_write

# Kept importable from here: the Qt-free parts live in app.present.
__all__ = ["DATA_FORMATS", "IMAGE_FORMATS", "MAX_FRAME_DEPTH", "MAX_PAGE", "MAX_PIXELS",
           "MAX_SIDE", "Exported", "ImageExport", "export_capture",
           "export_data", "export_graph", "export_headless", "export_kind", "export_pdf",
           "export_png", "export_svg", "fit_size", "graph_size", "load_source", "save_window"]


LEGEND_ROOM = 76.0  # scene units kept free above the graph for the overlay legend
TITLE_ROOM = 30.0   # ... and for the title line above it


def _has_legend(scene: GraphScene) -> bool:
    return scene.overlay is not None and scene.overlay.name != "none"


def _source(scene: GraphScene) -> QRectF:
    """The exported part of the scene: the items, a margin, and room for the legend on top
    (drawn over the graph it hid the top right nodes)."""
    top = (LEGEND_ROOM if _has_legend(scene) else 20) + (TITLE_ROOM if scene.caption else 0)
    return scene.itemsBoundingRect().adjusted(-20, -top, 20, 20)


def _render(scene: GraphScene, painter: QPainter, target: QRectF, legend: bool) -> None:
    scene.finish_animation()
    overview = scene.overview
    scene.set_overview(False)  # exports always draw the detailed items
    source = _source(scene)
    painter.fillRect(target, QColor(scene.theme.background))
    selected = scene.selectedItems()
    scene.blockSignals(True)  # a picture is not a selection change
    scene.clearSelection()    # ... and carries no selection highlight
    scene.exporting = True    # every text, whatever the scale (items read this)
    try:
        scene.render(painter, target, source, Qt.KeepAspectRatio)
    finally:
        scene.exporting = False
        for item in selected:
            item.setSelected(True)
        scene.blockSignals(False)
    scene.set_overview(overview)
    if legend and scene.caption:
        _paint_title(painter, target, scene)
    if legend and _has_legend(scene):
        from app.ui.graph_view import paint_legend

        top = target.top() + 10 + (TITLE_ROOM if scene.caption else 0)
        paint_legend(painter, QRectF(target.right() - 250, top, 236, 58),
                     scene.overlay, scene.theme)


def _paint_title(painter: QPainter, target: QRectF, scene: GraphScene) -> None:
    """The export's title (model, iteration, overlay) at the top left, plain text."""
    from PySide6.QtGui import QFont

    font = QFont()
    font.setPixelSize(14)
    font.setBold(True)
    painter.save()
    painter.setFont(font)
    painter.setPen(QColor(scene.theme.text))
    box = QRectF(target.left() + 12, target.top() + 6, max(target.width() - 24, 120), 22)
    shown = painter.fontMetrics().elidedText(scene.caption, Qt.ElideMiddle, int(box.width()))
    painter.drawText(box, Qt.AlignLeft | Qt.AlignVCenter, shown)
    painter.restore()


def graph_size(scene: GraphScene) -> QSize:
    """Natural size of the drawing in scene units (1 unit = 1 pixel at scale 1)."""
    r = _source(scene)
    return QSize(max(int(r.width()), 1), max(int(r.height()), 1))


@dataclass(frozen=True)
class ImageExport:
    """What an image export wrote: its size (pixels for PNG, page units for SVG and PDF) and a
    note, non-empty when the drawing was scaled down to fit the size caps."""

    size: QSize
    note: str = ""


def fit_size(width: float, height: float, scale: float, max_side: int,
             max_pixels: int | None, path: str | os.PathLike) -> tuple[QSize, str]:
    """`width` x `height` times `scale`, shrunk (aspect kept) to at most `max_side` per side
    and `max_pixels` in all; the note says so when it shrank.

    Example: `fit_size(40000, 100, 1.0, 16384, None, "g.png")[0]` is 16384 x 40.
    """
    if not (math.isfinite(scale) and scale > 0):
        raise ValueError(f"{path}: scale must be a positive finite number, got {scale!r}")
    width, height = max(width, 1.0), max(height, 1.0)
    # The largest scale within the caps, computed without multiplying by `scale` first (a
    # finite scale like 1e300 would overflow the product).
    fits = min(max_side / width, max_side / height)
    if max_pixels is not None:
        fits = min(fits, math.sqrt(max_pixels / (width * height)))
    used = min(scale, fits)
    size = QSize(max(int(width * used), 1), max(int(height * used), 1))
    if scale <= fits:
        return size, ""
    limit = f"{max_side} a side" + (f" and {max_pixels:,} pixels in all" if max_pixels
                                     else "")
    return size, (f"{path}: the graph ({int(width)}x{int(height)} at scale {scale:g}) is "
                  f"beyond the size limit ({limit}); scaled down to "
                  f"{size.width()}x{size.height()}")


def _write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Replace `path` with `data` atomically: a failed write or flush (a full disk) raises
    OSError naming the file, and the old file stays as it was."""
    try:
        with atomic_write(path, "wb") as f:
            f.write(data)
    except OSError as exc:
        raise OSError(exc.errno, f"cannot write {path}: {exc.strerror or exc}") from exc


def _buffer() -> QBuffer:
    buf = QBuffer()
    buf.open(QIODevice.WriteOnly)
    return buf


def _paint(scene: GraphScene, device: Any, target: QRectF, path: str | os.PathLike) -> None:
    """Draw the graph on `device`; raise when the painter could not start or finish (Qt
    reports a failed paint device only through these return values)."""
    painter = QPainter()
    if not painter.begin(device):
        raise OSError(f"cannot write {path}: the drawing could not start (out of memory?)")
    painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
    try:
        _render(scene, painter, target, legend=True)
    finally:
        finished = painter.end()
    if not finished:
        raise OSError(f"cannot write {path}: the drawing did not finish")


def export_png(scene: GraphScene, path: str | os.PathLike, scale: float = 2.0) -> ImageExport:
    """Render the graph into a PNG `scale` times its natural size, capped at MAX_SIDE pixels
    per side and MAX_PIXELS in all (the note says when it was scaled down)."""
    natural = graph_size(scene)
    size, note = fit_size(natural.width(), natural.height(), scale, MAX_SIDE, MAX_PIXELS, path)
    image = QImage(size, QImage.Format_ARGB32)
    if image.isNull():
        raise OSError(f"cannot write {path}: no memory for a {size.width()}x{size.height()} "
                      "image")
    image.fill(QColor(scene.theme.background))
    _paint(scene, image, QRectF(0, 0, size.width(), size.height()), path)
    buf = _buffer()
    if not image.save(buf, "PNG"):
        raise OSError(f"cannot write {path}: PNG encoding failed")
    _write_bytes(path, bytes(buf.data()))
    return ImageExport(size, note)


def export_svg(scene: GraphScene, path: str | os.PathLike) -> ImageExport:
    """The graph as SVG, its canvas capped at MAX_PAGE units per side."""
    from PySide6.QtSvg import QSvgGenerator

    natural = graph_size(scene)
    size, note = fit_size(natural.width(), natural.height(), 1.0, MAX_PAGE, None, path)
    buf = _buffer()
    gen = QSvgGenerator()
    gen.setOutputDevice(buf)
    gen.setSize(size)
    gen.setViewBox(QRectF(0, 0, size.width(), size.height()))
    gen.setTitle("Gradscope graph")
    _paint(scene, gen, QRectF(0, 0, size.width(), size.height()), path)
    data = bytes(buf.data())
    if not data.rstrip().endswith(b"</svg>"):
        raise OSError(f"cannot write {path}: the SVG generator did not finish the document")
    _write_bytes(path, data)
    return ImageExport(size, note)


def export_pdf(scene: GraphScene, path: str | os.PathLike) -> ImageExport:
    """The graph on one PDF page, capped at MAX_PAGE points per side (PDF's 200 inches)."""
    natural = graph_size(scene)
    size, note = fit_size(natural.width(), natural.height(), 1.0, MAX_PAGE, None, path)
    buf = _buffer()
    writer = QPdfWriter(buf)
    writer.setTitle("Gradscope graph")
    writer.setResolution(96)
    writer.setPageSize(QPageSize(QSizeF(size), QPageSize.Unit.Point, name="graph"))
    writer.setPageMargins(QMarginsF(0, 0, 0, 0))
    page = writer.pageLayout().paintRectPixels(writer.resolution())
    _paint(scene, writer, QRectF(page), path)
    data = bytes(buf.data())
    if not (data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]):
        raise OSError(f"cannot write {path}: the PDF writer did not finish the document")
    _write_bytes(path, data)
    return ImageExport(size, note)


def export_graph(scene: GraphScene, path: str | os.PathLike, scale: float = 2.0
                 ) -> ImageExport:
    """PNG, SVG or PDF by the file's ending (the registry's image formats)."""
    writer = IMAGE_WRITERS.get(export_kind(path))
    if writer is None:
        raise ValueError(f"not an image format: {path} (use {suffix_list('image')})")
    return writer(scene, path, scale)


# The painter of each image format of app.present.formats (a new image format adds one here).
IMAGE_WRITERS: dict[str, Callable[[GraphScene, str | os.PathLike, float], ImageExport]] = {
    ".png": export_png,
    ".svg": lambda scene, path, scale: export_svg(scene, path),
    ".pdf": lambda scene, path, scale: export_pdf(scene, path),
}


def save_window(widget: QWidget, path: str | os.PathLike) -> QSize:
    """A screenshot of the whole window (what the user sees) as PNG, written atomically."""
    pixmap = widget.grab()
    buf = _buffer()
    if pixmap.isNull() or not pixmap.save(buf, "PNG"):
        raise OSError(f"cannot write {path}: the window could not be captured as PNG")
    _write_bytes(path, bytes(buf.data()))
    return pixmap.size()


def export_headless(source: str, out: str, iteration: int | None = None,
                    iterations: int | None = None, overlay: str = "none",
                    collapse: int | None = None, scale: float = 2.0,
                    theme_name: str = "light") -> Exported:
    """Render/export iteration `iteration` (default: the last) of `source` to `out`.

    Example:
        export_headless("resources/examples/spiral_mlp.py", "graph.png", overlay="time")
    """
    if export_kind(out) not in (*IMAGE_FORMATS, *DATA_FORMATS):
        raise ValueError(f"{out}: unknown output format")
    fit_size(1, 1, scale, MAX_SIDE, MAX_PIXELS, out)  # a bad scale fails before any work
    cap = source_capture(source, iteration, iterations)
    return export_capture(cap, out, overlay, collapse, scale, theme_name, Path(source).name)


def export_capture(cap: Any, out: str | os.PathLike, overlay: str = "none",
                   collapse: int | None = None, scale: float = 2.0,
                   theme_name: str = "light", name: str = "") -> Exported:
    """Export one capture to `out` by its ending: data formats directly, image formats drawn
    offscreen as the window draws them (collapse by size unless `collapse` is given)."""
    from app.ui.theme import theme

    if export_kind(out) in DATA_FORMATS:
        export_data(cap, out)
        return Exported(Path(out))
    graph = capture_graph(cap)
    collapsed = default_collapse(graph) if collapse is None else collapse_at_depth(graph,
                                                                                   collapse)
    collapsed, frames_note = _cap_frame_depth(graph, collapsed)
    scene = GraphScene(theme(theme_name))
    scene.caption = export_title(name, getattr(cap, "index", None), overlay)
    layout = lay_out(graph, collapsed)
    scene.show_graph(graph, layout, animate=False)
    roles, path_edges = anomaly_roles(graph, cap)  # a NaN's origin reads apart here too
    scene.set_overlay(overlay_scale(overlay_values(graph, layout.groups), overlay, roles))
    scene.set_states({k: r for k, r in roles.items() if r != "flagged"}, path_edges)
    scene.set_badges(health_badges(cap))
    size_note = export_graph(scene, out, scale).note
    return Exported(Path(out), "; ".join(n for n in (size_note, frames_note) if n))


def _cap_frame_depth(graph: Any, collapsed: frozenset[str]) -> tuple[frozenset[str], str]:
    """`collapsed` plus the module groups at MAX_FRAME_DEPTH + 1 that no collapsed group
    already holds; the note says so when there were any."""
    deep = collapse_at_depth(graph, MAX_FRAME_DEPTH + 1)
    hidden = {p for p in deep if not any(p.startswith(c + ".") for c in collapsed)}
    if not hidden:
        return collapsed, ""
    return collapsed | hidden, (f"module groups deeper than {MAX_FRAME_DEPTH} levels are drawn "
                                "collapsed")
