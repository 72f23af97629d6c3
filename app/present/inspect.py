"""What the inspector says about a node, Qt-free: names instead of indices (which node made
each input, so "grad to 2.weight" rather than "grad to input 2"), the user's source line with
a few lines around it, a tensor's histogram and thumbnail as drawable data with the advice
on which statistics level records them, and one node's history across captured iterations.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "HISTORY_METRICS",
    "SourceLine",
    "input_names",
    "node_history",
    "pictures_note",
    "producer_text",
    "source_context",
    "thumbnail_rgb",
]

MAX_SOURCE_BYTES = 5_000_000  # a source file larger than this is not read (a session may lie)
# Metric name -> what the history plot's axis says.
HISTORY_METRICS = {"time": "forward time (ms)", "norm": "output norm",
                   "grad": "gradient norm", "backward": "backward time (ms)"}


def node_name(node: Any) -> str:
    """How a node is named to a user: a parameter or input by its name, an op by its op name
    and module ("Linear in 2")."""
    if node.kind == "input" and node.label.isdigit():
        return f"input {node.label}"  # inputs are numbered by the trace: say what they are
    if node.kind != "op":
        return node.label
    return f"{node.op} in {node.module}" if node.module else node.op


def producers(cap: Any) -> dict[int, Any]:
    """Tensor id -> the node that produced it (an op's output, a parameter, an input)."""
    out: dict[int, Any] = {}
    for node in getattr(cap, "nodes", ()):
        for tid in node.outputs:
            out[tid] = node
    return out


def input_names(record: Any, cap: Any) -> list[str]:
    """A name per input of `record`: the node that produced it, else "input i".

    Example: for `2/Linear#0` of an MLP, ['Relu in 1', '2.weight', '2.bias'].
    """
    made = producers(cap) if cap is not None else {}
    names = []
    for i, tid in enumerate(record.inputs):
        node = made.get(tid)
        names.append(node_name(node) if node is not None else f"input {i}")
    return names


def producer_text(backward: Any, cap: Any) -> str:
    """The forward op a backward record differentiates, by name and place, instead of its
    index ("Linear in 2 at model.py:44", not "forward node 13")."""
    node = node_by_id(cap, backward.forward)
    if node is None:
        return f"node {backward.forward} (not in this capture)"
    return f"{node_name(node)} at {node.source}" if node.source else node_name(node)


def node_by_id(cap: Any, node_id: int) -> Any:
    """The node of `cap` with id `node_id` (a capture lists them by id; the records of an
    iteration being stepped may have gaps), None if there is none."""
    nodes = getattr(cap, "nodes", None) or []
    if 0 <= node_id < len(nodes) and nodes[node_id].id == node_id:
        return nodes[node_id]
    return next((n for n in nodes if n.id == node_id), None)


@dataclass(frozen=True)
class SourceLine:
    number: int
    text: str
    current: bool


def source_context(source: str, around: int = 3, roots: Iterable[str | os.PathLike] = (),
                   texts: Mapping[str, str] | None = None, local: bool = True
                   ) -> list[SourceLine] | str:
    """The lines around `source` ("file.py:LINE"), or a sentence saying why there are none.
    Only a regular `.py` file of reasonable size is read (a session file names paths that may
    not be the user's code); a relative path is looked up from the working directory and
    from each of `roots` (the script's folder and its parents). `texts` holds files' texts by
    path (what a remote worker sent): one named there is taken from there; with `local`
    False (a run on another machine) the local disk is never read, whatever it holds."""
    path_text, _, line_text = source.rpartition(":")
    if not path_text or not line_text.isdigit():
        return "no source line recorded"
    line = int(line_text)
    if texts and path_text in texts:
        lines = texts[path_text].splitlines()
    elif not local:
        return f"{path_text} is on the remote host and its text was not sent"
    else:
        path = _find(path_text, roots)
        if path is None:
            return f"{path_text} is not on this machine"
        try:
            lines = path.read_text(errors="replace").splitlines()
        except OSError as exc:
            return f"{path_text} cannot be read: {exc.strerror or exc}"
    if not 1 <= line <= len(lines):
        return f"{path_text} has no line {line} (changed since the run?)"
    lo, hi = max(1, line - around), min(len(lines), line + around)
    return [SourceLine(n, lines[n - 1][:300], n == line) for n in range(lo, hi + 1)]


def _find(path_text: str, roots: Iterable[str | os.PathLike]) -> Path | None:
    candidates = [Path(path_text)]
    if not Path(path_text).is_absolute():
        candidates += [Path(root) / path_text for root in roots]
    for path in candidates:
        try:
            if (path.suffix == ".py" and path.is_file()
                    and path.stat().st_size <= MAX_SOURCE_BYTES):
                return path
        except OSError:
            continue
    return None


def pictures_note(stats: Any, level: str) -> str:
    """Why a tensor shows no histogram or thumbnail, and what to choose to get them ("" when
    it has both, or has what its shape allows)."""
    if stats is None:
        return ("no statistics were recorded (level 'off'): choose Record: basic for numbers, "
                "full for histograms and thumbnails")
    if stats.hist is None:
        return (f"histograms and thumbnails are recorded at level 'full' (this capture: "
                f"'{level}'): choose Record: full in the toolbar and run again")
    return ""


def thumbnail_rgb(thumb: np.ndarray, stops: Sequence[str]) -> tuple[np.ndarray, float, float]:
    """A 2-D thumbnail as an (h, w, 3) uint8 picture on the colour scale `stops` (low ->
    high, '#rrggbb'), with the value range it spans; non-finite values are drawn red.

    Example:
        >>> rgb, lo, hi = thumbnail_rgb(np.array([[0.0, 1.0]]), ("#000000", "#ffffff"))
        >>> rgb[0, :, 0].tolist(), lo, hi
        ([0, 255], 0.0, 1.0)
    """
    values = np.asarray(thumb, dtype=float)
    if values.ndim == 1:
        values = values[None, :]
    values = values.reshape(values.shape[0], -1)
    finite = np.isfinite(values)
    lo = float(values[finite].min()) if finite.any() else 0.0
    hi = float(values[finite].max()) if finite.any() else 0.0
    t = np.zeros_like(values) if hi <= lo else (np.where(finite, values, lo) - lo) / (hi - lo)
    colors = np.array([[int(s[i:i + 2], 16) for i in (1, 3, 5)] for s in stops], dtype=float)
    pos = t * (len(stops) - 1)
    i = np.clip(pos.astype(int), 0, len(stops) - 2)
    frac = (pos - i)[..., None]
    rgb = colors[i] * (1 - frac) + colors[i + 1] * frac
    rgb[~finite] = (228, 0, 43)
    return np.ascontiguousarray(np.rint(rgb).astype(np.uint8)), lo, hi


def node_history(captures: Iterable[Any], key: str, metric: str
                 ) -> tuple[list[int], list[float]]:
    """One node's `metric` ("time", "backward": ms; "norm": its output's norm; "grad": the
    gradient norm of a parameter) at each capture holding it. Non-finite values stay."""
    xs: list[int] = []
    ys: list[float] = []
    for cap in captures:
        node = None if cap is None else cap.node_by_key(key)
        if node is None:
            continue
        value = _metric(cap, node, metric)
        if value is not None:
            xs.append(int(cap.index))
            ys.append(value)
    return xs, ys


def _metric(cap: Any, node: Any, metric: str) -> float | None:
    if metric == "time":
        return node.time_ns / 1e6 if node.kind == "op" else None
    if metric == "backward":
        if node.backward is None or not 0 <= node.backward < len(cap.backward):
            return None
        return cap.backward[node.backward].time_ns / 1e6
    if metric == "grad":
        name = node.key.split(":", 1)[-1]
        value = cap.health.param_grad_norms.get(name) if node.kind == "param" else None
        return None if value is None else float(value)
    meta = cap.tensors.get(node.outputs[0]) if node.outputs else None
    stats = None if meta is None else meta.stats
    return None if stats is None else float(stats.norm)


def finite_text(value: float) -> str:
    """A number in four significant digits, NaN and Inf spelled out."""
    return f"{value:.4g}" if math.isfinite(value) else str(value)
