"""The record types of a capture: plain slotted dataclasses of numbers, strings and tuples.

No record holds a live tensor or device array; the only arrays are small host copies
(a thumbnail of at most 64x64 values), so a capture can never pin GPU memory.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

PHASES = ("forward", "backward", "update")
NODE_KINDS = ("op", "param", "input", "output", "loss")
LEVELS = ("off", "basic", "full")
CLOCKS = ("wall",)  # how a capture's times were read (IterationCapture.clock)


def _same(a: Any, b: Any) -> bool:
    """Equality where NaN equals NaN and arrays compare by value."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return False
        return a.shape == b.shape and a.dtype == b.dtype and bool(
            np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


@dataclass(slots=True, eq=False)
class TensorStats:
    """Summary of one tensor's values. `hist` has 32 counts over [hist_lo, hist_hi] (level
    `full`) of all finite values of a tensor of at most 1,024 values, else of a sample of at
    most 1,024: an even stride over the thumbnail's grid (2-D and up) or over the values (1-D).
    `thumb` is a host copy of at most 64x64 values of a 2-D view."""

    min: float
    max: float
    mean: float
    std: float
    norm: float
    nan: int
    inf: int
    hist: tuple[int, ...] | None = None
    hist_lo: float = 0.0
    hist_hi: float = 0.0
    thumb: np.ndarray | None = None

    @property
    def finite(self) -> bool:
        return self.nan == 0 and self.inf == 0

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TensorStats):
            return NotImplemented
        return all(_same(getattr(self, f), getattr(other, f)) for f in self.__slots__)


@dataclass(slots=True)
class TensorMeta:
    """A tensor as it crossed an op: `id` is unique within its capture (-1 for gradients)."""

    id: int
    shape: tuple[int, ...]
    dtype: str
    device: str
    stats: TensorStats | None = None

    @property
    def numel(self) -> int:
        return math.prod(self.shape)


@dataclass(slots=True)
class NodeRecord:
    """One node of the graph: an op that ran forward, or a param/input/output/loss tensor.

    `key` is stable across iterations (see `autograd_core.trace.keys`); `id` indexes the
    capture's node list. `inputs`/`outputs` are tensor ids into `IterationCapture.tensors`.
    Times are nanoseconds from the capture's start on its active clock (see
    `IterationCapture`): `time_ns` is the op's own execution, read around the op alone, and
    `start_ns` leaves out step-mode pauses before it; `gpu_ns` is the CUDA-event duration.
    """

    id: int
    key: str
    kind: str
    op: str
    module: str
    source: str
    function: str
    phase: str
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    start_ns: int = 0
    time_ns: int = 0
    gpu_ns: float | None = None
    saved_bytes: int = 0
    call_index: int = 0
    backward: int | None = None  # index into IterationCapture.backward

    @property
    def label(self) -> str:
        return self.op if self.kind == "op" else self.key.split(":", 1)[-1]


@dataclass(slots=True)
class BackwardRecord:
    """One backward node that ran: `forward` is the id of the NodeRecord it differentiates;
    `grads` has one entry per forward input (None where no gradient flowed). `time_ns` is the
    node's own backward; `start_ns` is on the capture's active clock (pauses left out)."""

    id: int
    forward: int
    name: str
    start_ns: int
    time_ns: int
    grads: tuple[TensorMeta | None, ...]
    gpu_ns: float | None = None


@dataclass(slots=True)
class Edge:
    """Data flows from node `src` to node `dst` through tensor `tensor` (ids)."""

    src: int
    dst: int
    tensor: int


@dataclass(slots=True)
class ModuleSpan:
    """One call of a Module: its dotted path and when it ran (ns from capture start, active
    clock: a step-mode pause inside the call is not part of `time_ns`)."""

    path: str
    start_ns: int
    time_ns: int
    phase: str


@dataclass(slots=True)
class NonFiniteOrigin:
    """Where a NaN or Inf first appeared: the node, and in which phase and tensor."""

    node: int
    key: str
    phase: str
    source: str
    where: str  # "output" or "grad"
    nan: int
    inf: int


@dataclass(slots=True)
class Health:
    """Numerical health of one iteration; thresholds are the `HealthConfig` used."""

    first_nonfinite: NonFiniteOrigin | None = None
    param_grad_norms: dict[str, float] = field(default_factory=dict)
    update_ratios: dict[str, float] = field(default_factory=dict)
    vanishing: tuple[str, ...] = ()
    exploding: tuple[str, ...] = ()
    vanish_threshold: float = 1e-7
    explode_threshold: float = 1e3


@dataclass(slots=True)
class IterationCapture:
    """Everything one iteration did: nodes, edges, tensors, backward nodes, timings, health.

    `phases` maps each phase to (start_ns, end_ns) from the capture's start (-1 if absent);
    `level` is the statistics level it was recorded at ("off", "basic", "full").

    Times are on an *active* clock: time the worker spent paused in step mode (waiting for
    the user's next step) is left out, so `duration_ns` is the iteration's active time, and
    offsets and durations never include a pause. `clock` says how the times were read:
    "wall" (the monotonic `perf_counter`, which counts waits for memory and for other
    processes); `threads` is the number of BLAS/OpenMP threads the ops ran with (0: not
    known, e.g. a file written before this field existed).
    """

    index: int
    level: str
    wall_time: float
    nodes: list[NodeRecord] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    tensors: dict[int, TensorMeta] = field(default_factory=dict)
    backward: list[BackwardRecord] = field(default_factory=list)
    modules: list[ModuleSpan] = field(default_factory=list)
    phases: dict[str, tuple[int, int]] = field(default_factory=dict)
    duration_ns: int = 0
    loss: float | None = None
    health: Health = field(default_factory=Health)
    clock: str = "wall"
    threads: int = 0

    def node_by_key(self, key: str) -> NodeRecord | None:
        for n in self.nodes:
            if n.key == key:
                return n
        return None

    def ops(self) -> list[NodeRecord]:
        return [n for n in self.nodes if n.kind == "op"]
