"""autograd_core.trace: records what the engine runs, for the inspector (Qt-free).

Recording:
    with trace.record(model, stats="basic") as rec:   # stats: "off" | "basic" | "full"
        for i in range(100):
            step(i)
            rec.next_iteration()                     # or: step = rec.wrap(step)
    rec.captures        # list[IterationCapture], oldest first (bounded: window=1000)
    rec.session         # Session: captures + script, device, created, schema_version

    record(...) options: every=N, between="structure"|"skip" (sampling); window=;
    health=HealthConfig(vanish=1e-7, explode=1e3); on_op(NodeRecord), on_backward(
    BackwardRecord), on_capture(IterationCapture) callbacks for a runner in step mode;
    auto_split=True (graph-building ops after a backward/update start a new iteration).

GPU: when a CuPy array is seen (or device="cuda..."), each op and backward node is also timed
with CUDA events on the current stream, read after one synchronize at the iteration's end, into
NodeRecord.gpu_ns / BackwardRecord.gpu_ns (`gpu_timing.GpuTimer`; gpu_timer= injects one).

Records (plain dataclasses, no live arrays): IterationCapture(index, level, nodes, edges,
tensors, backward, modules, phases, duration_ns, loss, health), NodeRecord, BackwardRecord,
TensorMeta, TensorStats, Edge, ModuleSpan, Health, NonFiniteOrigin.

Using captures:
    to_networkx(capture)              # DiGraph keyed by stable node keys, data-flow edges,
                                      # attributes kind/label/group/record (+ scalar fields)
    diff(capture_a, capture_b)        # added/removed/changed nodes, time and grad-norm deltas
    export_dot / export_graphml / export_json / export_chrome_trace(capture_or_session, path)

Session files (.gscope):
    save(session, "run.gscope")             # atomic; EmptySessionError if it has no capture
    with SessionWriter("run.gscope", script=..., window=n) as w:
        w.add(capture)                      # on disk at once; after a kill -9, load() recovers
                                            # the partial file (w.partial_path) it leaves
    s = load("run.gscope")                  # lazy: a capture is decoded when first read
                                            # (s[i]); SessionFormatError names file, member
                                            # and field; s.recovered for a partial file
    check_output_path(path, protect=[script])   # OutputPathError, before a run
"""

import sys as _sys
import types as _types

from autograd_core.trace.atomic import OutputPathError, check_output_path
from autograd_core.trace.diff import CaptureDiff, NodeChange, diff
from autograd_core.trace.export_chrome import chrome_trace, export_chrome_trace
from autograd_core.trace.export_dot import export_dot, to_dot
from autograd_core.trace.export_graphml import export_graphml, graphml_graph
from autograd_core.trace.export_json import export_json, to_json
from autograd_core.trace.fileformat import SessionFormatError, is_session_file, load, save
from autograd_core.trace.graph import to_networkx
from autograd_core.trace.health import HealthConfig
from autograd_core.trace.record_context import record
from autograd_core.trace.recorder import Recorder
from autograd_core.trace.records import (
    BackwardRecord,
    Edge,
    Health,
    IterationCapture,
    ModuleSpan,
    NodeRecord,
    NonFiniteOrigin,
    TensorMeta,
    TensorStats,
)
from autograd_core.trace.session import Session
from autograd_core.trace.writer import EmptySessionError, SessionWriter

__all__ = [
    "BackwardRecord",
    "CaptureDiff",
    "Edge",
    "EmptySessionError",
    "Health",
    "HealthConfig",
    "IterationCapture",
    "ModuleSpan",
    "NodeChange",
    "NodeRecord",
    "NonFiniteOrigin",
    "OutputPathError",
    "Recorder",
    "Session",
    "SessionFormatError",
    "SessionWriter",
    "TensorMeta",
    "TensorStats",
    "check_output_path",
    "chrome_trace",
    "diff",
    "export_chrome_trace",
    "export_dot",
    "export_graphml",
    "export_json",
    "graphml_graph",
    "is_session_file",
    "load",
    "record",
    "save",
    "to_dot",
    "to_json",
    "to_networkx",
]


class _CallableModule(_types.ModuleType):
    """This package is also `torch.trace` (the matrix trace) for scripts that do
    `import autograd_core as torch`: calling the module calls the op; its attributes stay."""

    def __call__(self, input: object) -> object:
        from autograd_core.ops.structure import trace as matrix_trace

        return matrix_trace(input)  # type: ignore[arg-type]


_sys.modules[__name__].__class__ = _CallableModule
