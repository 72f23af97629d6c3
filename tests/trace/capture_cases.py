"""Captures built by hand for the export tests: hostile names, non-finite and huge numbers,
and very deep module paths. With `loadable=True` a capture stays within the session file's
schema (numbers at its limits: `trace.save`/`trace.load` take it); with False it holds what
only an in-memory capture can (NaN times and wall time, paths deeper than the file allows),
which the exports must take all the same."""

from __future__ import annotations

import math

from autograd_core.trace.records import (
    BackwardRecord,
    Edge,
    Health,
    IterationCapture,
    ModuleSpan,
    NodeRecord,
    TensorMeta,
    TensorStats,
)

# Control characters, a lone surrogate of each kind, XML non-characters, markup and DOT syntax.
HOSTILE = ("re\x00lu\x01\x08\x0b\x0c\x1b\x7f\x85", "lone\ud800high", "lone\udfffow",
           "nc\ufffe\uffff", "<b>&amp;</b>]]>", 'q"uo\\te\\', "new\nline\r\ttab",
           "}; digraph x { a -> b", "\u202eRTL", "emoji \U0001F600", "")

BIG = 2**62


def _stats(value: float) -> TensorStats:
    return TensorStats(min=value, max=-value, mean=math.nan, std=math.inf, norm=value, nan=BIG,
                       inf=0, hist=(0, BIG, 1), hist_lo=-math.inf, hist_hi=math.nan)


def _op(i: int, key: str, op: str, module: str, source: str, gpu_ns: float) -> NodeRecord:
    return NodeRecord(id=i, key=key, kind="op", op=op, module=module, source=source,
                      function=op, phase="forward", inputs=(i - 1,), outputs=(i,),
                      start_ns=-BIG + i, time_ns=BIG, gpu_ns=gpu_ns, saved_bytes=BIG,
                      call_index=i, backward=i - 1)


def chain_capture(names: list[tuple[str, str, str, str]], loadable: bool = True,
                  index: int = 0) -> IterationCapture:
    """An input, then one op per (op, key, module, source) in a chain, then the loss. Numbers
    sit at the file schema's limits (`loadable`), or beyond them (NaN and 1e308 times)."""
    wall_time, gpu_ns = (1e11, float(BIG)) if loadable else (math.nan, 1e308)
    nodes = [NodeRecord(id=0, key="input:0\x00\ud800", kind="input", op="input", module="",
                        source="", function="", phase="forward", inputs=(), outputs=(0,))]
    tensors = {0: TensorMeta(0, (BIG, 0), "float32\x01", "cpu\udc80", _stats(math.inf))}
    edges, backward, modules = [], [], []
    for j, (op, key, module, source) in enumerate(names):
        i = j + 1
        tensors[i] = TensorMeta(i, (2, 3), "float64", "cuda:0", _stats(1e308 if j % 2 else
                                                                        -math.inf))
        backward.append(BackwardRecord(id=j, forward=i, name=op + "Backward", start_ns=BIG,
                                       time_ns=BIG, grads=(None, tensors[i]), gpu_ns=gpu_ns))
        nodes.append(_op(i, key, op, module, source, gpu_ns))
        edges.append(Edge(i - 1, i, i - 1))
        modules.append(ModuleSpan(path=module, start_ns=-BIG, time_ns=BIG, phase="forward"))
    last = len(nodes)
    nodes.append(NodeRecord(id=last, key="loss", kind="loss", op="loss", module="",
                            source="", function="", phase="forward", inputs=(last - 1,),
                            outputs=()))
    edges.append(Edge(last - 1, last, last - 1))
    health = Health(param_grad_norms={"w\x00": math.nan, "v\ud800": 1e308},
                    update_ratios={"": -math.inf}, vanishing=("a\x07",),
                    vanish_threshold=math.nan, explode_threshold=math.inf)
    return IterationCapture(index=index, level="full", wall_time=wall_time, nodes=nodes,
                            edges=edges, tensors=tensors, backward=backward, modules=modules,
                            phases={"forward": (-BIG, BIG)}, duration_ns=BIG, loss=math.nan,
                            health=health)


def hostile_capture(loadable: bool = True) -> IterationCapture:
    """Every hostile string as an op name, a key, a module path and a source path."""
    names = [(h, f"{h}/k#{i}", f"m{i}.{h}" if h else "", f"{h}.py:{i}")
             for i, h in enumerate(HOSTILE)]
    return chain_capture(names, loadable)


def deep_capture(depth: int = 1500, every: int = 300, loadable: bool = False
                 ) -> IterationCapture:
    """Module paths `a`, `a.a`, ... `depth` levels deep, with an op every `every` levels and
    one at the deepest."""
    levels = sorted({*range(every, depth, every), depth})
    names = [("Linear", f"{'.'.join(['a'] * d)}/Linear#0", ".".join(["a"] * d), "deep.py:1")
             for d in levels]
    return chain_capture(names, loadable)
