"""Numerical health of an iteration: where a NaN/Inf was born, gradient norms, flags.

Thresholds (`HealthConfig`, passed as `record(health=HealthConfig(...))`):
  * vanish (default 1e-7): a backward node whose every outgoing gradient has an L2 norm below
    this, or a parameter whose gradient norm is below it, is flagged *vanishing*;
  * explode (default 1e3): any outgoing gradient (or parameter gradient) with an L2 norm above
    this is flagged *exploding*.
Flags need statistics (level `basic` or `full`); at level `off` only structure is known.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograd_core.trace.records import Health, IterationCapture, NonFiniteOrigin


@dataclass(slots=True, frozen=True)
class HealthConfig:
    """Gradient-norm thresholds for the vanishing / exploding flags."""

    vanish: float = 1e-7
    explode: float = 1e3

    def __post_init__(self) -> None:
        if not (0 <= self.vanish < self.explode):
            raise ValueError(
                f"HealthConfig needs 0 <= vanish < explode, got {self.vanish}, {self.explode}")


def first_nonfinite(cap: IterationCapture) -> NonFiniteOrigin | None:
    """The earliest forward output or backward gradient holding NaN or Inf."""
    best: tuple | None = None
    for node in cap.nodes:
        for tid in node.outputs:
            st = cap.tensors[tid].stats
            if st is not None and not st.finite:
                cand = (node.start_ns, 0, node.id, "output", st)
                best = cand if best is None or cand[:2] < best[:2] else best
                break
    for b in cap.backward:
        for g in b.grads:
            if g is not None and g.stats is not None and not g.stats.finite:
                cand = (b.start_ns, 1, b.forward, "grad", g.stats)
                best = cand if best is None or cand[:2] < best[:2] else best
                break
    if best is None:
        return None
    _, _, nid, where, st = best
    if nid < 0:
        return NonFiniteOrigin(-1, "", "backward", "", where, st.nan, st.inf)
    node = cap.nodes[nid]
    phase = "backward" if where == "grad" else node.phase
    return NonFiniteOrigin(nid, node.key, phase, node.source, where, st.nan, st.inf)


def assess(cap: IterationCapture, config: HealthConfig, grad_norms: dict[str, float],
           update_ratios: dict[str, float]) -> Health:
    """Build the capture's Health from its records and the parameter measurements."""
    vanishing: list[str] = []
    exploding: list[str] = []
    for b in cap.backward:
        norms = [g.stats.norm for g in b.grads if g is not None and g.stats is not None]
        if not norms or b.forward < 0:
            continue
        key = cap.nodes[b.forward].key
        if any(n > config.explode for n in norms):
            exploding.append(key)
        elif all(n < config.vanish for n in norms):
            vanishing.append(key)
    for name, n in grad_norms.items():
        if n > config.explode:
            exploding.append(f"param:{name}")
        elif n < config.vanish:
            vanishing.append(f"param:{name}")
    return Health(first_nonfinite(cap), dict(grad_norms), dict(update_ratios),
                  tuple(vanishing), tuple(exploding), config.vanish, config.explode)
