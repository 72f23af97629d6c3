"""The export formats, registered once: the CLI's help and its format check, the window's
file dialog filters and the export dispatch are all derived from `FORMATS`. The size caps
of image exports are here too, so the CLI's help states them without importing Qt.

Adding a format is one `ExportFormat` line here plus its writer: an image format's painter in
`app/ui/export.py` (`IMAGE_WRITERS`), a data format's function in `autograd_core.trace`
(named by `writer`, looked up when it is used so this table imports nothing heavy).
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ExportFormat:
    """One output format: its file ending, the name a file dialog shows, whether it is drawn
    (`image`, needs Qt) or written from the capture (`data`), and for data formats the name
    of the `autograd_core.trace` function that writes it."""

    suffix: str
    name: str
    kind: str  # "image" or "data"
    writer: str = ""


# The file dialogs list them in this order (the first of a kind is the one selected).
FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat(".png", "PNG", "image"),
    ExportFormat(".svg", "SVG", "image"),
    ExportFormat(".pdf", "PDF", "image"),
    ExportFormat(".json", "JSON", "data", "export_json"),
    ExportFormat(".trace.json", "Chrome trace", "data", "export_chrome_trace"),
    ExportFormat(".dot", "DOT", "data", "export_dot"),
    ExportFormat(".graphml", "GraphML", "data", "export_graphml"),
)

# Size caps: a graph with thousands of nested frames is tens of thousands of units across, and
# an uncapped PNG of it took minutes and 6.45 GB. 16384 px per side and 32 Mi pixels (128 MiB
# of ARGB32; encoding a busy 16-megapixel image took 4.5 s here) bound a PNG; 14400 units is
# PDF's 200-inch page limit. Headless exports draw module frames at most MAX_FRAME_DEPTH
# deep (deeper groups collapsed): each nested frame paints over the whole area inside it,
# and 1,500 of them took 5 s for a 4-megapixel image.
MAX_SIDE = 16384
MAX_PIXELS = 32 * 2**20
MAX_PAGE = 14400
MAX_FRAME_DEPTH = 32

IMAGE_FORMATS: tuple[str, ...] = tuple(f.suffix for f in FORMATS if f.kind == "image")
DATA_FORMATS: tuple[str, ...] = tuple(f.suffix for f in FORMATS if f.kind == "data")


def export_format(path: str | os.PathLike) -> ExportFormat | None:
    """The format of `path` by its ending ('.trace.json' before '.json'); None if unknown."""
    name = str(path).lower()
    longest_first = sorted(FORMATS, key=lambda f: -len(f.suffix))  # '.trace.json' wins
    return next((f for f in longest_first if name.endswith(f.suffix)), None)


def export_kind(path: str | os.PathLike) -> str:
    """The ending of `path`'s format ('.trace.json' before '.json'); '' if unknown."""
    found = export_format(path)
    return found.suffix if found else ""


def suffix_list(kind: str | None = None) -> str:
    """The endings as a sentence for messages and help: '.png, .svg, ... or .graphml'."""
    suffixes = [f.suffix for f in FORMATS if kind is None or f.kind == kind]
    return ", ".join(suffixes[:-1]) + f" or {suffixes[-1]}" if len(suffixes) > 1 else \
        "".join(suffixes)


def format_names(kind: str) -> str:
    """The names of the formats of `kind` as a sentence: 'PNG, SVG or PDF'."""
    names = [f.name for f in FORMATS if f.kind == kind]
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else "".join(names)


def suffix_braces() -> str:
    """The endings for a usage line: '{png,svg,pdf,...}'."""
    return "{" + ",".join(f.suffix.lstrip(".") for f in FORMATS) + "}"


def dialog_filter(kind: str) -> str:
    """A Qt file dialog filter for the formats of `kind`: 'PNG (*.png);;SVG (*.svg);;...'."""
    return ";;".join(f"{f.name} (*{f.suffix})" for f in FORMATS if f.kind == kind)
