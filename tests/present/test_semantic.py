"""Semantic zoom and text contrast, without Qt: when text is readable, where module labels go,
and which text colour reads on a fill."""

from __future__ import annotations

from app.present.semantic import (
    LABEL_PT,
    MIN_LABEL_PX,
    Region,
    _luminance,
    contrast_text,
    min_lod,
    place_labels,
    text_px,
)

VIRIDIS = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")


def _ratio(a: str, b: str) -> float:
    la, lb = _luminance(a), _luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def test_text_on_every_overlay_colour_has_a_readable_contrast():
    for fill in (*VIRIDIS, "#3b4a63", "#dbe7fb", "#ffb000"):
        assert _ratio(fill, contrast_text(fill)) >= 4.5, fill  # WCAG AA for text
    for fill in (*VIRIDIS, "#e4002b", "#7a2e3a"):  # always the better of the two
        other = "#f2f2f2" if contrast_text(fill) == "#111111" else "#111111"
        assert _ratio(fill, contrast_text(fill)) >= _ratio(fill, other), fill
    assert contrast_text("#fde725") == "#111111"  # dark text on the yellow end
    assert contrast_text("#5ec962") == "#111111"  # ... and on its green (white read badly)


def test_op_names_are_drawn_only_from_9_px_up():
    lod = min_lod(LABEL_PT)
    assert abs(text_px(LABEL_PT, lod) - MIN_LABEL_PX) < 1e-9
    assert text_px(LABEL_PT, lod * 0.99) < MIN_LABEL_PX
    assert min_lod(LABEL_PT, 192) == lod / 2  # a high-dpi screen reads them zoomed out further


def _width(text: str) -> float:
    return 7.0 * len(text)


def test_module_labels_go_outer_first_never_overlap_and_stay_on_screen():
    regions = [Region("blocks", 0, 0, 1000, 1000, (1, 0, 0)),
               Region("blocks.0", 0, 0, 1000, 480, (1, 1, 0)),
               Region("blocks.1", 0, 520, 1000, 480, (1, 1, 0)),
               Region("loss", 480, 980, 40, 20, (0, 0, 0)),
               Region("far.away", 5000, 5000, 10, 10, (1, 0, 0))]
    placed = place_labels(regions, 0.2, (0, 0), (400, 300), _width)
    texts = [p.text for p in placed]
    assert texts[0] == "loss" and "blocks" in texts and "far.away" not in texts
    assert texts.index("blocks") < len(texts)
    for i, a in enumerate(placed):
        assert a.x >= 0 and a.x + a.w <= 400 and a.y >= 0 and a.y + a.h <= 300
        assert not any(a.overlaps(b) for b in placed[i + 1:])


def test_a_label_follows_the_visible_part_of_a_module_scrolled_half_out():
    [label] = place_labels([Region("encoder", 0, 0, 200, 2000, ())], 1.0, (0, 1500),
                           (300, 400), _width)
    assert 0 <= label.y <= 400 - label.h  # on screen although the module's centre is not
