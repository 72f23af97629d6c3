"""Gradient health as the window lists it, Qt-free: parameters and backward nodes with their
gradient norm, update ratio and vanishing/exploding flag, the thresholds those flags used
(`HealthConfig`, recorded in the capture's `Health`), the badges the graph draws, and the
gradient norms of parameter nodes for the gradient overlay."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["HealthRow", "health_badges", "health_rows", "norm_text", "param_grad_norms",
           "sort_value", "thresholds_text"]

VANISHING, EXPLODING, NONFINITE = "vanishing", "exploding", "non-finite"


@dataclass(frozen=True)
class HealthRow:
    """One parameter (`kind` 'param', `key` 'param:<name>') or backward node (`kind` 'node',
    its op's key). `grad_norm` is the L2 norm of the parameter's gradient, or of a node's
    largest outgoing gradient; None when no gradient was recorded."""

    kind: str
    key: str
    name: str
    module: str
    grad_norm: float | None
    update_ratio: float | None
    flag: str    # '', 'vanishing', 'exploding' or 'non-finite'
    source: str = ""


def health_rows(cap: Any) -> list[HealthRow]:
    """Every parameter, then every backward node, of `cap`, smallest gradient norm first
    (non-finite ones lead: they are the worst; rows without a gradient come last).

    Example:
        health_rows(cap)[0].name     # the parameter or node whose gradient vanishes most
    """
    if cap is None:
        return []
    flags = _flags(cap.health)
    records = {n.key: n for n in cap.nodes}
    rows = []
    for name, norm in cap.health.param_grad_norms.items():
        key = f"param:{name}"
        rec = records.get(key)
        module = rec.module if rec is not None else name.rpartition(".")[0]
        rows.append(HealthRow("param", key, name, module, float(norm),
                              _ratio(cap.health.update_ratios.get(name)),
                              _flag(flags, key, norm), rec.source if rec is not None else ""))
    for node in cap.nodes:
        norm = _node_norm(cap, node)
        if node.kind == "op" and node.backward is not None:
            rows.append(HealthRow("node", node.key, node.op, node.module, norm, None,
                                  _flag(flags, node.key, norm), node.source))
    return sorted(rows, key=lambda r: sort_value(r.grad_norm))


def sort_value(value: float | None) -> float:
    """The number a norm or ratio sorts by: NaN/Inf first (-1), no value last."""
    if value is None:
        return math.inf
    return value if math.isfinite(value) else -1.0


def norm_text(value: float | None) -> str:
    """A norm or ratio in full: 5.03e-05 stays '5.03e-05', 0.0743 is '0.0742682' (6 digits);
    'no gradient' for None."""
    return "no gradient" if value is None else f"{value:.6g}"


def thresholds_text(health: Any) -> str:
    """The thresholds the flags used, as the panel's header line says them."""
    return (f"vanishing: gradient norm below {health.vanish_threshold:g}; exploding: above "
            f"{health.explode_threshold:g} (HealthConfig of the recording)")


def health_badges(cap: Any) -> dict[str, str]:
    """Node key -> flag for every flagged node and parameter of `cap` (what the graph marks),
    with a non-finite gradient flagged too."""
    if cap is None:
        return {}
    badges = _flags(cap.health)
    for name, norm in cap.health.param_grad_norms.items():
        if not math.isfinite(norm):
            badges[f"param:{name}"] = NONFINITE
    for node in cap.nodes:
        norm = _node_norm(cap, node)
        if norm is not None and not math.isfinite(norm):
            badges[node.key] = NONFINITE
    return badges


def param_grad_norms(cap: Any) -> dict[str, float]:
    """Node key ('param:<name>') -> gradient norm of each parameter: parameter nodes have no
    backward node of their own, so the gradient overlay takes their norm from here."""
    if cap is None:
        return {}
    return {f"param:{name}": float(n) for name, n in cap.health.param_grad_norms.items()}


def _flags(health: Any) -> dict[str, str]:
    flags = {key: VANISHING for key in health.vanishing}
    flags.update({key: EXPLODING for key in health.exploding})
    return flags


def _flag(flags: dict[str, str], key: str, norm: float | None) -> str:
    if norm is not None and not math.isfinite(norm):
        return NONFINITE
    return flags.get(key, "")


def _ratio(value: Any) -> float | None:
    return None if value is None else float(value)


def _node_norm(cap: Any, node: Any) -> float | None:
    """The largest norm among the gradients a node's backward sent (as the graph shows)."""
    if node.backward is None:
        return None
    norms = [g.stats.norm for g in cap.backward[node.backward].grads
             if g is not None and g.stats is not None]
    if not norms:
        return None
    return math.nan if any(math.isnan(n) for n in norms) else max(norms)
