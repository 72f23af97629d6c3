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
    """Where the iteration's numerical trouble was born, None when it had none.

    Trouble is a NaN anywhere, a non-finite gradient, or an Inf that reached the loss (or, in
    a capture without one, any Inf). An Inf that stayed inside the forward pass is no trouble:
    it is how masks are written (`masked_fill(mask, -inf)` before a softmax, PyTorch's own
    `generate_square_subsequent_mask`), and blaming it would hide the real origin.
    """
    outputs = _forward_nonfinite(cap)
    grads = _backward_nonfinite(cap)
    nans = [c for c in outputs + grads if c[4].nan]
    if nans:
        best = min(nans, key=lambda c: c[:2])
        if best[3] == "output":  # an Inf that fed the NaN (inf - inf, 0 * inf) is its cause
            best = _inf_source(cap, best)
    elif grads or _inf_reached_loss(cap, outputs):
        best = min(outputs + grads, key=lambda c: c[:2])
    else:
        return None
    _, _, nid, where, st = best
    if nid < 0:
        return NonFiniteOrigin(-1, "", "backward", "", where, st.nan, st.inf)
    node = cap.nodes[nid]
    phase = "backward" if where == "grad" else node.phase
    return NonFiniteOrigin(nid, node.key, phase, node.source, where, st.nan, st.inf)


def _forward_nonfinite(cap: IterationCapture) -> list[tuple]:
    """(start, 0, node id, "output", stats) for each node with a non-finite output."""
    found = []
    for node in cap.nodes:
        for tid in node.outputs:
            st = cap.tensors[tid].stats
            if st is not None and not st.finite:
                found.append((node.start_ns, 0, node.id, "output", st))
                break
    return found


def _backward_nonfinite(cap: IterationCapture) -> list[tuple]:
    """(start, 1, forward node id, "grad", stats) for each backward node with a non-finite grad."""
    found = []
    for b in cap.backward:
        for g in b.grads:
            if g is not None and g.stats is not None and not g.stats.finite:
                found.append((b.start_ns, 1, b.forward, "grad", g.stats))
                break
    return found


def _inf_reached_loss(cap: IterationCapture, outputs: list[tuple]) -> bool:
    """Whether a forward Inf matters: it is in the loss/output, or no loss/output is known."""
    ends = [n for n in cap.nodes if n.kind in ("loss", "output")]
    if not ends:
        return bool(outputs)
    stats = [cap.tensors[t].stats for n in ends for t in n.inputs]
    return any(st is not None and not st.finite for st in stats)


def _inf_source(cap: IterationCapture, cand: tuple) -> tuple:
    """Follow Inf-carrying inputs back from a NaN to the op that first made an Inf of them."""
    producer = {t: n for n in cap.nodes if n.kind == "op" for t in n.outputs}
    seen: set[int] = set()
    while True:
        node = cap.nodes[cand[2]]
        for tid in node.inputs:
            st = cap.tensors[tid].stats
            src = producer.get(tid)
            if st is not None and st.inf and src is not None and src.id not in seen:
                seen.add(src.id)
                cand = (src.start_ns, 0, src.id, "output", st)
                break
        else:
            return cand


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
