"""The series the plots dock draws, computed without Qt: the loss (smoothed, linear or log, with
its non-finite iterations kept as marks), iterations per second, and per-parameter gradient
norms and update-to-weight ratios from each capture's `Health`. The widget only paints these.

Smoothing is TensorBoard's: an exponential moving average with its start-up bias removed, so
the first points are not pulled towards zero; non-finite values are skipped, never averaged.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "LossSeries", "ParamSeries", "loss_series", "nearest", "parameter_names",
    "parameter_series", "readout", "smooth", "speed_from_captures",
]

PARAM_METRICS = {"grad": "gradient norm", "ratio": "update / weight ratio"}


@dataclass
class LossSeries:
    """What the loss plot draws. `y` has NaN where a point is not drawn (non-finite, or not
    positive on a log scale); `marks` are the non-finite iterations as (iteration, text)."""

    x: list[int] = field(default_factory=list)
    y: list[float] = field(default_factory=list)
    smoothed: list[float] = field(default_factory=list)
    marks: list[tuple[int, str]] = field(default_factory=list)
    hidden: int = 0  # finite values a log scale cannot show (zero or negative)
    raw: list[float] = field(default_factory=list)


@dataclass
class ParamSeries:
    """One parameter's line: the captured iterations and the metric's value at each."""

    name: str
    x: list[int]
    y: list[float]


def smooth(values: Sequence[float], weight: float) -> list[float]:
    """TensorBoard's debiased exponential moving average; NaN stays NaN and is skipped.

    Example:
        >>> smooth([1.0, float("nan"), 3.0], 0.0)
        [1.0, nan, 3.0]
    """
    weight = min(max(weight, 0.0), 0.999)
    out, last, steps = [], 0.0, 0
    for v in values:
        if not math.isfinite(v):
            out.append(math.nan)
            continue
        steps += 1
        last = last * weight + (1 - weight) * v
        out.append(last / (1 - weight ** steps))
    return out


def loss_series(points: Iterable[tuple[int, float]], smoothing: float = 0.0,
                log: bool = False) -> LossSeries:
    """The loss curve of `points` ((iteration, loss) pairs in order).

    Example:
        >>> s = loss_series([(0, 2.0), (1, float("nan")), (2, 1.0)])
        >>> s.marks
        [(1, 'nan')]
    """
    series = LossSeries()
    for it, v in points:
        v = float(v)
        series.x.append(int(it))
        series.raw.append(v)
        if not math.isfinite(v):
            series.marks.append((int(it), _nonfinite_text(v)))
    shown = [v if math.isfinite(v) else math.nan for v in series.raw]
    series.smoothed = smooth(shown, smoothing)
    if log:
        series.hidden = sum(1 for v in shown if v <= 0)
        shown = [v if v > 0 else math.nan for v in shown]
        series.smoothed = [v if v > 0 else math.nan for v in series.smoothed]
    series.y = shown
    return series


def _nonfinite_text(v: float) -> str:
    return "nan" if math.isnan(v) else ("+inf" if v > 0 else "-inf")


def nearest(xs: Sequence[int], x: float) -> int:
    """Index of the value of sorted `xs` closest to `x` (-1 when `xs` is empty)."""
    if not xs:
        return -1
    i = bisect.bisect_left(xs, x)
    if i == 0:
        return 0
    if i == len(xs):
        return len(xs) - 1
    return i if xs[i] - x < x - xs[i - 1] else i - 1


def readout(series: LossSeries, x: float) -> str:
    """The hover text at plot position `x`: the nearest iteration's loss (and its smoothed
    value), "" over an empty plot."""
    i = nearest(series.x, x)
    if i < 0:
        return ""
    raw = series.raw[i]
    text = f"iteration {series.x[i]}: loss {_number(raw)}"
    smoothed = series.smoothed[i] if i < len(series.smoothed) else math.nan
    if math.isfinite(smoothed) and smoothed != raw:
        text += f" (smoothed {_number(smoothed)})"
    return text


def _number(v: float) -> str:
    return _nonfinite_text(v) if not math.isfinite(v) else f"{v:.6g}"


def speed_from_captures(captures: Iterable[Any]) -> tuple[list[int], list[float]]:
    """Iterations per second between consecutive captures (their `index` and `wall_time`):
    the second capture's iteration gets the rate over the gap. Gaps without time are left out.

    Example:
        >>> from types import SimpleNamespace as C
        >>> speed_from_captures([C(index=0, wall_time=1.0), C(index=4, wall_time=3.0)])
        ([4], [2.0])
    """
    xs: list[int] = []
    ys: list[float] = []
    prev = None
    for cap in captures:
        if cap is None:
            continue
        if prev is not None:
            dt, di = cap.wall_time - prev.wall_time, cap.index - prev.index
            if dt > 0 and di > 0 and math.isfinite(dt):
                xs.append(int(cap.index))
                ys.append(di / dt)
        prev = cap
    return xs, ys


def parameter_names(captures: Iterable[Any]) -> list[str]:
    """Every parameter with a gradient norm or update ratio in `captures`, first seen first."""
    names: dict[str, None] = {}
    for cap in captures:
        if cap is None:
            continue
        names.update(dict.fromkeys(cap.health.param_grad_norms))
        names.update(dict.fromkeys(cap.health.update_ratios))
    return list(names)


def parameter_series(captures: Iterable[Any], names: Iterable[str], metric: str
                     ) -> list[ParamSeries]:
    """A line per parameter in `names`: `metric` "grad" (gradient norm) or "ratio" (update to
    weight ratio) at each capture that has it. Non-finite values stay (as NaN/inf): the plot
    shows the gap rather than a made-up value."""
    caps = [c for c in captures if c is not None]
    out = []
    for name in names:
        xs, ys = [], []
        for cap in caps:
            values = cap.health.param_grad_norms if metric == "grad" else cap.health.update_ratios
            if name in values:
                xs.append(int(cap.index))
                ys.append(float(values[name]))
        out.append(ParamSeries(name, xs, ys))
    return out
