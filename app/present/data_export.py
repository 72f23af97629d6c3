"""Data exports without Qt: a capture (or a session) written as DOT, GraphML, JSON or Chrome
trace by the file's ending, and the headless path that loads or records the source first.

`gradscope export run.gscope -o g.json` runs from here, so it works without PySide6; image
exports are drawn by `app.ui.export`, which uses the same source loading.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.present.formats import export_format, suffix_list


@dataclass(frozen=True)
class Exported:
    """What a headless export wrote, and a note for the user ('' when there is none)."""

    path: Path
    note: str = ""


def export_data(capture_or_session: Any, path: str | os.PathLike) -> None:
    """DOT, GraphML, JSON or Chrome trace by the file's ending (the registry's writer)."""
    from autograd_core import trace

    fmt = export_format(path)
    if fmt is None or fmt.kind != "data":
        raise ValueError(f"not a data format: {path} (use {suffix_list('data')})")
    try:
        getattr(trace, fmt.writer)(capture_or_session, str(path))
    except OSError as exc:  # a full disk raises without a file name: say which file
        if exc.filename is not None or str(path) in str(exc):
            raise
        raise OSError(exc.errno, f"cannot write {path}: {exc.strerror or exc}") from exc


def load_source(source: str, iterations: int | None = None) -> Any:
    """A trace.Session from a .gscope file, or by recording a model script in a worker."""
    from autograd_core import trace

    if trace.is_session_file(source):
        return trace.load(source)
    from app.runner.record import record

    result = record(source, iterations or 3)
    failure = result.error or result.died
    if failure is not None and len(result.session) == 0:
        raise RuntimeError(f"{source}: {failure.message}")
    return result.session


def source_capture(source: str, iteration: int | None = None,
                   iterations: int | None = None) -> Any:
    """Capture `iteration` (default: the last) of a session file or a recorded script."""
    captures = _captures(source, iterations)
    if not captures:
        raise RuntimeError(f"{source}: no captured iterations")
    return captures[-1] if iteration is None else _pick(captures, iteration)


def export_data_headless(source: str, out: str, iteration: int | None = None,
                         iterations: int | None = None) -> Exported:
    """Write iteration `iteration` (default: the last) of `source` to the data file `out`;
    a Chrome trace without `iteration` holds every captured iteration on one time line (the
    `-n` recorded from a script), as the Timeline's export does for the iterations it shows.

    Example:
        export_data_headless("run.gscope", "graph.json")
        export_data_headless("model.py", "steps.trace.json", iterations=5)  # 5 iterations
    """
    fmt = export_format(out)
    if fmt is None or fmt.kind != "data":
        raise ValueError(f"{out}: not a data format (use {suffix_list('data')})")
    if fmt.suffix == ".trace.json" and iteration is None:
        captures = _captures(source, iterations)
        if not captures:
            raise RuntimeError(f"{source}: no captured iterations")
        export_data(captures, out)
        return Exported(Path(out))
    export_data(source_capture(source, iteration, iterations), out)
    return Exported(Path(out))


def _captures(source: str, iterations: int | None) -> list:
    """The captures of `source`; a bad session file's error names the file as well as the
    member and field (a lazy `trace.load` reads captures only when they are asked for)."""
    try:
        return list(load_source(source, iterations).captures)
    except ValueError as exc:
        if source in str(exc):
            raise
        raise ValueError(f"{source}: {exc}") from exc


def _pick(captures: list, iteration: int) -> Any:
    for cap in captures:
        if cap.index == iteration:
            return cap
    held = f"{captures[0].index}-{captures[-1].index}"
    raise ValueError(f"iteration {iteration} is not in the session (it holds {held})")
