"""Benchmark graphs for the layout, in the DiGraph convention of `app.layout`.

`engine_graph(name)` runs a model on our own engine (`autograd_core`) and converts the
backward graph of its loss; `synthetic_graph(name)` builds the same shapes directly with
networkx, for when the engine is not importable. Edges run in data-flow direction (inputs
and weights towards the loss); nodes carry kind, label and group. Node ids are stable
strings, so a graph grown by one RNN step shares the ids of the smaller one.
"""

from __future__ import annotations

import networkx as nx

GRAPHS = ("mlp", "resnet18", "gpt2", "gpt12", "gpt96", "rnn10", "rnn100", "rnn500")


class _Builder:
    """Adds param/input/op nodes with ids made from module path, op name and call index."""

    def __init__(self) -> None:
        self.graph = nx.DiGraph()
        self._calls: dict[str, int] = {}

    def _id(self, group: str, name: str) -> str:
        base = f"{group}/{name}" if group else name
        n = self._calls.get(base, 0)
        self._calls[base] = n + 1
        return f"{base}#{n}"

    def leaf(self, name: str, group: str, kind: str = "param") -> str:
        node = f"{group}.{name}" if group else name
        self.graph.add_node(node, kind=kind, label=name, group=group)
        return node

    def op(self, name: str, inputs: list[str], group: str, kind: str = "op") -> str:
        node = self._id(group, name)
        self.graph.add_node(node, kind=kind, label=name, group=group)
        for i in inputs:
            self.graph.add_edge(i, node)
        return node


def _linear(b: _Builder, h: str, group: str, bias: bool = True) -> str:
    out = b.op("MatMul", [h, b.leaf("weight", group)], group)
    return b.op("Add", [out, b.leaf("bias", group)], group) if bias else out


def _layer_norm(b: _Builder, h: str, group: str) -> str:
    # Decomposed as the engine's functional layer_norm records it.
    mean = b.op("Mean", [h], group)
    centred = b.op("Sub", [h, mean], group)
    var = b.op("Mean", [b.op("Pow", [centred], group)], group)
    std = b.op("Sqrt", [b.op("Add", [var], group)], group)
    normed = b.op("Div", [centred, std], group)
    scaled = b.op("Mul", [normed, b.leaf("weight", group)], group)
    return b.op("Add", [scaled, b.leaf("bias", group)], group)


def mlp(layers: int = 4) -> nx.DiGraph:
    """Linear/ReLU stack with a cross-entropy loss."""
    b = _Builder()
    h = b.leaf("x", "", kind="input")
    for i in range(layers):
        h = _linear(b, h, f"model.{2 * i}")
        if i < layers - 1:
            h = b.op("ReLU", [h], f"model.{2 * i + 1}")
    b.op("CrossEntropy", [h, b.leaf("y", "", kind="input")], "", kind="loss")
    return b.graph


def _conv_bn(b: _Builder, h: str, group: str, relu: bool) -> str:
    h = b.op("Conv2d", [h, b.leaf("weight", f"{group}.conv")], f"{group}.conv")
    bn = f"{group}.bn"
    h = b.op("BatchNorm2d", [h, b.leaf("weight", bn), b.leaf("bias", bn)], bn)
    return b.op("ReLU", [h], group) if relu else h


def resnet18() -> nx.DiGraph:
    """ResNet-18 shape: stem, four stages of two basic blocks with skip connections, head."""
    b = _Builder()
    h = _conv_bn(b, b.leaf("x", "", kind="input"), "model.stem", relu=True)
    h = b.op("MaxPool2d", [h], "model.stem")
    for stage in range(4):
        for block in range(2):
            g = f"model.layer{stage + 1}.{block}"
            skip = h
            if stage > 0 and block == 0:
                skip = _conv_bn(b, h, f"{g}.downsample", relu=False)
            y = _conv_bn(b, h, f"{g}.a", relu=True)
            y = _conv_bn(b, y, f"{g}.b", relu=False)
            h = b.op("ReLU", [b.op("Add", [y, skip], g)], g)
    h = b.op("Flatten", [b.op("AvgPool2d", [h], "model")], "model")
    h = _linear(b, h, "model.fc")
    b.op("CrossEntropy", [h, b.leaf("y", "", kind="input")], "", kind="loss")
    return b.graph


def _attention(b: _Builder, h: str, g: str) -> str:
    qkv = _linear(b, h, f"{g}.qkv")
    heads = [b.op("Transpose", [b.op("Reshape", [b.op("Slice", [qkv], g)], g)], g)
             for _ in range(3)]
    q, k, v = heads
    scores = b.op("MatMul", [q, b.op("Transpose", [k], g)], g)
    scores = b.op("MaskedFill", [b.op("Mul", [scores], g)], g)
    att = b.op("Softmax", [scores], g)
    out = b.op("MatMul", [att, v], g)
    out = b.op("Reshape", [b.op("Transpose", [out], g)], g)
    return _linear(b, out, f"{g}.proj")


def gpt(layers: int) -> nx.DiGraph:
    """GPT-2 style decoder: embeddings, pre-norm attention/MLP blocks, tied output head."""
    b = _Builder()
    tokens = b.leaf("tokens", "", kind="input")
    wte = b.leaf("weight", "model.wte")
    h = b.op("Embedding", [tokens, wte], "model.wte")
    h = b.op("Add", [h, b.op("Embedding", [b.leaf("weight", "model.wpe")], "model.wpe")], "model")
    for i in range(layers):
        g = f"model.blocks.{i}"
        h = b.op("Add", [h, _attention(b, _layer_norm(b, h, f"{g}.ln1"), f"{g}.attn")], g)
        m = _linear(b, _layer_norm(b, h, f"{g}.ln2"), f"{g}.mlp.fc")
        m = _linear(b, b.op("GELU", [m], f"{g}.mlp"), f"{g}.mlp.proj")
        h = b.op("Add", [h, m], g)
    h = _layer_norm(b, h, "model.ln_f")
    logits = b.op("MatMul", [h, b.op("Transpose", [wte], "model")], "model.head")
    b.op("CrossEntropy", [logits, b.leaf("targets", "", kind="input")], "", kind="loss")
    return b.graph


def rnn(steps: int) -> nx.DiGraph:
    """Elman RNN unrolled over `steps`, a loss per step summed; weights shared by all steps."""
    b = _Builder()
    xs = b.leaf("x", "", kind="input")
    ys = b.leaf("y", "", kind="input")
    cell, head = "model.cell", "model.head"
    h = b.leaf("h0", "", kind="input")
    total = None
    for _ in range(steps):
        xt = b.op("Select", [xs], "model")
        pre = b.op("Add", [b.op("MatMul", [xt, b.leaf("weight_ih", cell)], cell),
                           b.op("MatMul", [h, b.leaf("weight_hh", cell)], cell)], cell)
        h = b.op("Tanh", [b.op("Add", [pre, b.leaf("bias", cell)], cell)], cell)
        logits = _linear(b, h, head)
        step_loss = b.op("CrossEntropy", [logits, b.op("Select", [ys], "model")], "")
        total = step_loss if total is None else b.op("Add", [total, step_loss], "")
    b.graph.nodes[total]["kind"] = "loss"
    return b.graph


def synthetic_graph(name: str) -> nx.DiGraph:
    """One of `GRAPHS`, built without the engine."""
    if name == "mlp":
        return mlp()
    if name == "resnet18":
        return resnet18()
    if name.startswith("gpt"):
        return gpt(int(name[3:]))
    if name.startswith("rnn"):
        return rnn(int(name[3:]))
    raise KeyError(name)
