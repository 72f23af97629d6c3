"""DOT export: one graphviz node per record, module paths as nested clusters.

Every name goes through `safe_text` and DOT's string quoting, so any capture gives a file that
graphviz and pydot parse. Clusters nest at most `MAX_CLUSTER_DEPTH` levels: pydot's parser
recurses about 60 Python frames per level (32 levels exceed the default recursion limit, and
without pyparsing's packrat cache it doubles its time per level); deeper modules are drawn in
their ancestor at that depth, and the nodes keep their full keys as tooltips.

Example: `export_dot(cap, "step.dot")`, then `dot -Tsvg step.dot -o step.svg`.
"""

from __future__ import annotations

import os

from autograd_core.trace.atomic import atomic_write
from autograd_core.trace.graph import node_attributes
from autograd_core.trace.records import IterationCapture
from autograd_core.trace.text import safe_text

MAX_CLUSTER_DEPTH = 16

_SHAPES = {"op": "box", "param": "ellipse", "input": "ellipse", "output": "doubleoctagon",
           "loss": "doubleoctagon"}


def _q(text: object) -> str:
    """A DOT quoted string: only backslash and the double quote need escaping once
    `safe_text` has turned control characters (newlines too) into visible escapes."""
    return '"' + safe_text(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _cluster_of(module: str) -> str:
    """The cluster a node of `module` is drawn in: its path cut at MAX_CLUSTER_DEPTH."""
    parts = module.split(".") if module else []
    return ".".join(parts[:MAX_CLUSTER_DEPTH])


def _cluster_tree(cap: IterationCapture) -> tuple[dict[str, list[int]], dict[str, list[str]]]:
    """(cluster path -> node ids directly in it, cluster path -> child clusters); '' is the
    top level. Every prefix of a module path is a cluster, so empty frames still nest."""
    members: dict[str, list[int]] = {"": []}
    paths = {""}
    for node in cap.nodes:
        path = _cluster_of(node.module)
        members.setdefault(path, []).append(node.id)
        parts = path.split(".") if path else []
        paths.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    children: dict[str, list[str]] = {p: [] for p in paths}
    for p in sorted(paths):
        if p:
            children[p.rpartition(".")[0]].append(p)
    return members, children


def _node_line(cap: IterationCapture, nid: int, pad: str) -> str:
    node = cap.nodes[nid]
    shape = node_attributes(cap, node).get("shape")
    # "\\n" is DOT's own line break, so it goes in after the name has been quoted.
    label = _q(node.label)[:-1] + (f"\\n{_q(shape)[1:-1]}" if shape else "") + '"'
    return (f"{pad}n{nid} [label={label}, shape={_SHAPES.get(node.kind, 'box')}, "
            f"tooltip={_q(node.key)}];")


def _emit(cap: IterationCapture, members: dict[str, list[int]],
          children: dict[str, list[str]], lines: list[str]) -> None:
    """Write clusters depth first with an explicit stack (a deep module tree must not hit
    Python's recursion limit)."""
    stack: list[tuple[str, int, bool]] = [("", 1, False)]
    while stack:
        path, depth, closing = stack.pop()
        pad = "  " * depth
        if closing:
            lines.append(f"{pad[2:]}}}")
            continue
        if path:
            lines.append(f"{pad[2:]}subgraph {_q('cluster_' + path)} {{")
            lines.append(f"{pad}label={_q(path)};")
            stack.append((path, depth, True))
        lines.extend(_node_line(cap, nid, pad) for nid in members.get(path, []))
        for child in sorted(children.get(path, []), reverse=True):
            stack.append((child, depth + 1, False))


def to_dot(cap: IterationCapture) -> str:
    """The capture's graph as DOT text."""
    lines = [f"digraph {_q(f'iteration_{cap.index}')} {{", "  rankdir=TB;",
             '  node [fontname="Helvetica", fontsize=10];']
    members, children = _cluster_tree(cap)
    _emit(cap, members, children, lines)
    seen = set()
    for e in cap.edges:
        if (e.src, e.dst) not in seen:
            seen.add((e.src, e.dst))
            lines.append(f"  n{e.src} -> n{e.dst};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def export_dot(cap: IterationCapture, path: str | os.PathLike) -> None:
    """Write `to_dot(cap)` to `path` atomically (the old file stays if any write fails)."""
    text = to_dot(cap)  # built before the file is opened: a failure leaves no temporary file
    with atomic_write(path, "w", encoding="utf-8") as f:
        f.write(text)
