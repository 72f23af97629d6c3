"""Overlay metrics: which node attribute each overlay shows and how values map onto the colour
scale (log scale, since op times and norms span orders of magnitude). Qt-free."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field

# name -> (node attribute, legend title)
OVERLAYS: dict[str, tuple[str, str]] = {
    "none": ("", "Kind"),
    "time": ("time_ns", "Forward time"),
    "backward": ("backward_ns", "Backward time"),
    "total": ("total_ns", "Forward + backward time"),
    "saved": ("saved_bytes", "Saved for backward"),
    "grad": ("grad_norm", "Gradient norm"),
    "value": ("norm", "Value magnitude (L2 norm)"),
    "anomaly": ("", "Anomaly (NaN / Inf)"),
    # Ratios shown / pinned iteration (pin one with Ctrl+D); centred: 1 is the middle colour.
    "diff_time": ("diff_time", "Forward time vs pinned"),
    "diff_grad": ("diff_grad", "Gradient norm vs pinned"),
}
# Short names the CLI accepts (`--overlay time|grad|value`) are the keys above.

# Attributes computed from others where a node (or a collapsed group's sums) has them.
DERIVED = {"total_ns": ("time_ns", "backward_ns")}
# Overlays whose values add up over a module: its collapsed box shows the module's total.
SUMMED = ("time", "backward", "total", "saved")


@dataclass
class OverlayScale:
    """Values of one overlay: node -> position on the colour scale in [0, 1], the range shown
    by the legend, and the nodes flagged as anomalous (non-finite values or gradients)."""

    name: str
    title: str
    t: dict[Hashable, float] = field(default_factory=dict)
    lo: float = 0.0
    hi: float = 0.0
    anomalies: set[Hashable] = field(default_factory=set)
    # The Anomaly overlay: node -> its NaN-hunt role (origin, spread, path, flagged).
    roles: dict[Hashable, str] = field(default_factory=dict)
    values: dict[Hashable, float] = field(default_factory=dict)

    def label(self, value: float) -> str:
        return format_value(value, self.name)


def overlay_scale(nodes: Mapping[Hashable, Mapping], name: str,
                  roles: Mapping[Hashable, str] | None = None) -> OverlayScale:
    """Compute overlay `name` over `nodes` (node -> attribute dict); `roles` (see
    `app.present.nan_hunt.anomaly_roles`) are what the Anomaly overlay colours.

    Example:
        >>> s = overlay_scale({"a": {"time_ns": 10}, "b": {"time_ns": 1000}}, "time")
        >>> (s.t["a"], s.t["b"])
        (0.0, 1.0)
    """
    attr, title = OVERLAYS.get(name, OVERLAYS["none"])
    scale = OverlayScale(name, title)
    for key, data in nodes.items():
        if data.get("nan") or data.get("inf") or _nonfinite(data.get("grad_norm")):
            scale.anomalies.add(key)
    if name == "anomaly":
        scale.roles = {k: r for k, r in (roles or {}).items() if k in nodes}
        scale.roles.update((k, "spread") for k in scale.anomalies if k not in scale.roles)
    if not attr:
        return scale
    values = {k: v for k, d in nodes.items()
              if (v := _value(d, attr)) is not None and math.isfinite(v)}
    scale.values = values
    positive = [v for v in values.values() if v > 0]
    if not positive:
        return scale
    scale.lo, scale.hi = min(positive), max(positive)
    if name.startswith("diff_"):  # ratios: centred on 1 (unchanged), log-symmetric
        _centre_ratios(scale, values)
        return scale
    lo, hi = math.log10(scale.lo), math.log10(scale.hi)
    span = hi - lo or 1.0
    for k, v in values.items():
        if v > 0:  # zero (a parameter's forward time) keeps the kind's colour: nothing to show
            scale.t[k] = (math.log10(v) - lo) / span
    return scale


def _centre_ratios(scale: OverlayScale, values: dict[Hashable, float]) -> None:
    """Ratios onto [0, 1] with 1 at 0.5: halved and doubled sit equally far from it."""
    reach = max(abs(math.log10(v)) for v in values.values() if v > 0) or 1.0
    scale.lo, scale.hi = 10 ** -reach, 10 ** reach
    for k, v in values.items():
        if v > 0:
            scale.t[k] = 0.5 + 0.5 * math.log10(v) / reach


def _value(data: Mapping, attr: str) -> float | None:
    """`data[attr]`, or the sum of the attributes it is derived from (those present)."""
    if data.get(attr) is not None:
        return float(data[attr])
    parts = [float(data[a]) for a in DERIVED.get(attr, ()) if data.get(a) is not None]
    return sum(parts) if parts else None


def box_total(scale: OverlayScale | None, key: Hashable) -> str:
    """What a collapsed module's box says under a summed overlay (time, backward, total,
    saved): the module's total, e.g. '1.2 ms'; '' for other overlays or without a value.

    Example:
        >>> s = overlay_scale({"g": {"time_ns": 1500, "backward_ns": 500}}, "total")
        >>> box_total(s, "g")
        '2 us'
    """
    if scale is None or scale.name not in SUMMED or key not in scale.values:
        return ""
    return scale.label(scale.values[key])


def _nonfinite(value) -> bool:
    return value is not None and not math.isfinite(float(value))


def format_value(value: float, name: str) -> str:
    """A value as the legend and tooltips show it: times in us/ms, bytes in KiB/MiB, ratios
    as x1.5, norms in 3 digits."""
    if name.startswith("diff_"):
        return f"x{value:.3g}"
    if name == "saved":
        from app.present.costs import format_bytes

        return format_bytes(value)
    if name in ("time", "backward", "total"):
        us = value / 1e3
        return f"{us:.3g} us" if us < 1000 else f"{us / 1e3:.3g} ms"
    return f"{value:.3g}"
