"""Semantic zoom, Qt-free: at which zoom a box's own text is readable, and where module-level
labels go when it is not (as map apps name regions instead of streets when zoomed out).

Text under MIN_LABEL_PX pixels is not drawn at all; below that zoom the view names the module
frames, the collapsed groups and the few nodes that must stay findable (the loss, the
selection) at a fixed screen size, outer modules first, skipping any label that would overlap
one already placed. Also: text colour by contrast against a box's fill (WCAG luminance).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = [
    "DETAIL_PT", "LABEL_PT", "MIN_BOX_LOD", "MIN_LABEL_PX", "REGION_PX", "PlacedLabel", "Region",
    "contrast_text", "min_lod", "place_boxes", "place_labels", "text_px",
]

MIN_LABEL_PX = 9.0   # smaller text is unreadable: not drawn (the issue's ~9 px)
LABEL_PT = 8.5       # a box's op name (bold)
DETAIL_PT = 7.5      # a box's shape line and a frame's title
REGION_PX = 11.0     # the screen size of semantic labels
# Below this zoom a box (120 units wide) is under 60 px on screen: too small for a 9 px op
# name, so boxes and frames stop drawing text and the view names modules instead. Between
# this and the zoom where the usual fonts reach 9 px, text is drawn in a font scaled to 9 px.
MIN_BOX_LOD = 0.5
MAX_LABEL_PX = 260.0  # a longer module path is elided to this width


def text_px(points: float, lod: float, dpi: float = 96.0) -> float:
    """On-screen pixel height of text of `points` size drawn at zoom `lod` on a `dpi` device.

    Example:
        >>> round(text_px(7.5, 1.0), 1)
        10.0
    """
    return points * dpi / 72.0 * lod


def min_lod(points: float, dpi: float = 96.0) -> float:
    """The least zoom at which text of `points` size is at least MIN_LABEL_PX tall."""
    return MIN_LABEL_PX / (points * max(dpi, 1.0) / 72.0)


@dataclass(frozen=True)
class Region:
    """Something that can carry a label at low zoom: a module frame, a collapsed group or a
    key node. (x, y, w, h) is its scene rectangle; lower `rank` is placed first."""

    text: str
    x: float
    y: float
    w: float
    h: float
    rank: tuple = ()


@dataclass(frozen=True)
class PlacedLabel:
    """A label to draw: its text and its box in viewport pixels."""

    text: str
    x: float
    y: float
    w: float
    h: float

    def overlaps(self, other: PlacedLabel, gap: float = 2.0) -> bool:
        return not (self.x + self.w + gap <= other.x or other.x + other.w + gap <= self.x
                    or self.y + self.h + gap <= other.y or other.y + other.h + gap <= self.y)


def place_labels(regions: Iterable[Region], scale: float, origin: tuple[float, float],
                 viewport: tuple[float, float], width_of: Callable[[str], float],
                 line_px: float = REGION_PX + 4) -> list[PlacedLabel]:
    """Labels for `regions` on a viewport of `viewport` pixels showing the scene from `origin`
    (its top-left scene point) at `scale`: each centred on the visible part of its region,
    in rank order, none overlapping another or leaving the viewport.

    Example:
        >>> r = [Region("fc1", 0, 0, 100, 40, (0,)), Region("fc1.inner", 10, 10, 20, 10, (1,))]
        >>> [p.text for p in place_labels(r, 1.0, (0, 0), (200, 200), lambda t: 6 * len(t))]
        ['fc1']
    """
    ordered = sorted(regions, key=lambda r: r.rank)
    rects = np.array([(r.x, r.y, r.x + r.w, r.y + r.h) for r in ordered],
                     dtype=float).reshape(-1, 4)
    widths = np.array([width_of(r.text) for r in ordered], dtype=float)
    return [PlacedLabel(ordered[i].text, x, y, w, line_px)
            for i, x, y, w in place_boxes(rects, widths, scale, origin, viewport, line_px)]


def place_boxes(rects: np.ndarray, widths: np.ndarray, scale: float,
                origin: tuple[float, float], viewport: tuple[float, float],
                line_px: float = REGION_PX + 4) -> list[tuple[int, float, float, float]]:
    """`place_labels` on arrays, for the view's every frame: `rects` (n, 4) scene (left,
    top, right, bottom) in rank order, `widths` the text widths. Returns (index, x, y, w) of
    each placed label. The geometry is vectorised and overlaps are tested on a grid of 4-px
    cells, so a thousand module frames cost about a millisecond."""
    vw, vh = viewport
    if not len(rects) or vw <= 0 or vh <= 0:
        return []
    ox, oy = origin
    left = np.maximum((rects[:, 0] - ox) * scale, 0.0)
    top = np.maximum((rects[:, 1] - oy) * scale, 0.0)
    right = np.minimum((rects[:, 2] - ox) * scale, vw)
    bottom = np.minimum((rects[:, 3] - oy) * scale, vh)
    w = np.minimum(widths, MAX_LABEL_PX) + 8
    x = np.minimum(np.maximum((left + right) / 2 - w / 2, 0.0), vw - w)
    y = np.minimum(np.maximum((top + bottom) / 2 - line_px / 2, 0.0), vh - line_px)
    ok = (left < right) & (top < bottom) & (x >= 0) & (y >= 0)
    cell = 4.0
    taken = np.zeros((int(vh // cell) + 2, int(vw // cell) + 2), dtype=bool)
    placed: list[tuple[int, float, float, float]] = []
    index = np.flatnonzero(ok)
    # Python floats from here on: numpy scalars cost ten times more per read in this loop.
    for i, xi, yi, wi in zip(index.tolist(), x[index].tolist(), y[index].tolist(),
                             w[index].tolist(), strict=True):
        cx, cy = int((xi + wi / 2) // cell), int((yi + line_px / 2) // cell)
        if taken[cy, cx]:
            continue  # its middle is under a label already: the usual case zoomed far out
        # Cells of the label grown by the 2-px gap labels keep between them.
        c0, c1 = max(int((xi - 2) // cell), 0), int((xi + wi + 2) // cell) + 1
        r0, r1 = max(int((yi - 2) // cell), 0), int((yi + line_px + 2) // cell) + 1
        if taken[r0:r1, c0:c1].any():
            continue
        taken[int(yi // cell):int((yi + line_px) // cell) + 1,
              int(xi // cell):int((xi + wi) // cell) + 1] = True
        placed.append((i, xi, yi, wi))
    return placed


def _luminance(hex_color: str) -> float:
    """WCAG relative luminance of '#rrggbb'."""
    h = hex_color.lstrip("#")[-6:]
    channels = [int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


@lru_cache(maxsize=512)  # asked per painted box: a handful of distinct fills
def contrast_text(fill: str, dark: str = "#111111", light: str = "#f2f2f2") -> str:
    """The text colour (`dark` or `light`) with the higher WCAG contrast ratio on `fill`.
    Lightness alone misjudged saturated fills: white on the overlay's yellow-green.

    Example:
        >>> contrast_text("#fde725"), contrast_text("#440154")
        ('#111111', '#f2f2f2')
    """
    lf = _luminance(fill)

    def ratio(c: str) -> float:
        lc = _luminance(c)
        return (max(lf, lc) + 0.05) / (min(lf, lc) + 0.05)

    return dark if ratio(dark) >= ratio(light) else light
