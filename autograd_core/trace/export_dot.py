"""DOT export: one graphviz node per record, module paths as nested clusters.

Example: `export_dot(cap, "step.dot")`, then `dot -Tsvg step.dot -o step.svg`.
"""

from __future__ import annotations

import os

from autograd_core.trace.atomic import atomic_write
from autograd_core.trace.graph import node_attributes
from autograd_core.trace.records import IterationCapture

_SHAPES = {"op": "box", "param": "ellipse", "input": "ellipse", "output": "doubleoctagon",
           "loss": "doubleoctagon"}


def _q(text: object) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _cluster_tree(cap: IterationCapture) -> dict[str, list[int]]:
    """Module path -> node ids directly in it ('' is the top level)."""
    members: dict[str, list[int]] = {"": []}
    for node in cap.nodes:
        members.setdefault(node.module, []).append(node.id)
        parts = node.module.split(".") if node.module else []
        for i in range(1, len(parts)):
            members.setdefault(".".join(parts[:i]), [])
    return members


def _emit(path: str, members: dict[str, list[int]], lines: list[str], cap: IterationCapture,
          depth: int) -> None:
    pad = "  " * depth
    for nid in members.get(path, []):
        node = cap.nodes[nid]
        attrs = node_attributes(cap, node)
        label = node.label + (f"\n{attrs['shape']}" if attrs.get("shape") else "")
        lines.append(f"{pad}n{nid} [label={_q(label)}, shape={_SHAPES[node.kind]}, "
                     f"tooltip={_q(node.key)}];")
    prefix = f"{path}." if path else ""
    children = sorted(p for p in members if p and p.startswith(prefix) and "." not in
                      p[len(prefix):])
    for child in children:
        lines.append(f"{pad}subgraph {_q('cluster_' + child)} {{")
        lines.append(f"{pad}  label={_q(child)};")
        _emit(child, members, lines, cap, depth + 1)
        lines.append(f"{pad}}}")


def to_dot(cap: IterationCapture) -> str:
    """The capture's graph as DOT text."""
    lines = [f"digraph {_q(f'iteration_{cap.index}')} {{", "  rankdir=TB;",
             '  node [fontname="Helvetica", fontsize=10];']
    _emit("", _cluster_tree(cap), lines, cap, 1)
    seen = set()
    for e in cap.edges:
        if (e.src, e.dst) not in seen:
            seen.add((e.src, e.dst))
            lines.append(f"  n{e.src} -> n{e.dst};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def export_dot(cap: IterationCapture, path: str | os.PathLike) -> None:
    with atomic_write(path, "w", encoding="utf-8") as f:
        f.write(to_dot(cap))
