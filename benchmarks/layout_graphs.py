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


# --- graphs recorded from our own engine ---------------------------------------------------


class _Recorder:
    """Engine observer that notes each backward node's module path, in creation order."""

    def __init__(self, names: dict[int, str]) -> None:
        self.names = names
        self.stack = [""]
        self.group: dict[object, str] = {}

    def op_begin(self, fn: type) -> None:
        return None

    def op_end(self, token, *args) -> None:
        # (node, inputs, outputs) end the argument list; the engine may pass timing before them.
        node = args[-3]
        if node is not None:
            self.group[node] = self.stack[-1]

    def module_enter(self, module) -> None:
        self.stack.append(self.names.get(id(module), self.stack[-1]))

    def module_exit(self, token, module, output) -> None:
        self.stack.pop()

    def backward_begin(self, node) -> None:
        return None

    def backward_end(self, token, node, grad_outputs, grad_inputs) -> None:
        return None

    def phase(self, name: str) -> None:
        return None


def grad_graph(loss, model, recorder: _Recorder) -> nx.DiGraph:
    """Convert `loss.grad_fn`'s graph into the layout's DiGraph convention.

    Ops are keyed `module/Op#k` (k-th such op of that module in forward order), parameters by
    their qualified name, so the same op keeps its id when the graph grows.
    """
    params = {id(p): f"model.{name}" for name, p in model.named_parameters()}
    calls: dict[str, int] = {}
    op_key: dict[object, str] = {}
    for node, group in recorder.group.items():
        base = f"{group}/{node.fn.__name__}"
        op_key[node] = f"{base}#{calls.get(base, 0)}"
        calls[base] = calls.get(base, 0) + 1
    graph = nx.DiGraph()
    seen = {loss.grad_fn}
    stack = [loss.grad_fn]
    while stack:
        node = stack.pop()
        key = _add_grad_node(graph, node, op_key, recorder.group, params)
        for child, _ in node.next_functions:
            if child is None:
                continue
            if child not in seen:
                seen.add(child)
                stack.append(child)
            graph.add_edge(_add_grad_node(graph, child, op_key, recorder.group, params), key)
    graph.nodes[op_key[loss.grad_fn]]["kind"] = "loss"
    return graph


def _add_grad_node(graph: nx.DiGraph, node, op_key, groups, params) -> str:
    """Add one backward node (op or leaf) with its attributes; returns its key."""
    variable = getattr(node, "variable", None)
    if variable is None:
        key = op_key[node]
        if key not in graph:
            graph.add_node(key, kind="op", label=node.fn.__name__, group=groups[node])
        return key
    name = params.get(id(variable))
    key = name or f"input@{id(variable):x}"
    if key not in graph:
        group = name.rpartition(".")[0] if name else ""
        graph.add_node(key, kind="param" if name else "input", label=key.rpartition(".")[2],
                       group=group)
    return key


def _run_engine(model, forward) -> nx.DiGraph:
    """Run `forward()` on our engine with a recorder attached; return the loss's graph."""
    from autograd_core import hooks

    names = {id(m): f"model.{name}" if name else "model" for name, m in model.named_modules()}
    recorder = _Recorder(names)
    previous = hooks.set_observer(recorder)
    try:
        loss = forward()
    finally:
        hooks.set_observer(previous)
    return grad_graph(loss, model, recorder)


def _engine_models():
    """Model classes on our engine (imported lazily: the engine is optional for the layout)."""
    import autograd_core as ag
    from autograd_core import nn
    from autograd_core.ops.activation import gelu
    from autograd_core.ops.conv import conv2d
    from autograd_core.ops.linear import linear
    from autograd_core.ops.normalization import batch_norm, layer_norm

    def param(*shape):
        return nn.Parameter(ag.randn(*shape) * 0.1)

    class Linear(nn.Module):
        def __init__(self, n_in, n_out, bias=True):
            super().__init__()
            self.weight = param(n_out, n_in)
            self.bias = param(n_out) if bias else None

        def forward(self, x):
            return linear(x, self.weight, self.bias)

    class LayerNorm(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.weight, self.bias = param(n), param(n)

        def forward(self, x):
            return layer_norm(x, (x.shape[-1],), self.weight, self.bias)

    class ConvBN(nn.Module):
        def __init__(self, c_in, c_out, stride):
            super().__init__()
            self.conv_weight = param(c_out, c_in, 3, 3)
            self.bn_weight, self.bn_bias = param(c_out), param(c_out)
            self.stride = stride

        def forward(self, x):
            y = conv2d(x, self.conv_weight, None, stride=self.stride, padding=1)
            return batch_norm(y, None, None, self.bn_weight, self.bn_bias, training=True)

    return ag, nn, Linear, LayerNorm, ConvBN, gelu


def _engine_mlp() -> nx.DiGraph:
    ag, nn, Linear, _, _, _ = _engine_models()
    from autograd_core.nn.containers import Sequential
    from autograd_core.ops.loss import cross_entropy

    model = Sequential(Linear(8, 16), _Relu(nn, ag), Linear(16, 16), _Relu(nn, ag),
                       Linear(16, 16), _Relu(nn, ag), Linear(16, 4))
    x, y = ag.randn(4, 8), ag.tensor([0, 1, 2, 3])
    return _run_engine(model, lambda: cross_entropy(model(x), y))


def _Relu(nn, ag):
    class ReLU(nn.Module):
        def forward(self, x):
            return ag.relu(x)

    return ReLU()


def _engine_resnet18() -> nx.DiGraph:
    ag, nn, Linear, _, ConvBN, _ = _engine_models()
    from autograd_core.nn.containers import Sequential
    from autograd_core.ops.loss import cross_entropy

    class Block(nn.Module):
        def __init__(self, c_in, c_out, stride):
            super().__init__()
            self.a, self.b = ConvBN(c_in, c_out, stride), ConvBN(c_out, c_out, 1)
            self.downsample = ConvBN(c_in, c_out, stride) if stride > 1 else None

        def forward(self, x):
            skip = self.downsample(x) if self.downsample is not None else x
            return ag.relu(self.b(ag.relu(self.a(x))) + skip)

    class ResNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = ConvBN(3, 4, 1)
            chans = [(4, 4, 1), (4, 8, 2), (8, 8, 2), (8, 8, 2)]
            for i, (c_in, c_out, s) in enumerate(chans):
                setattr(self, f"layer{i + 1}",
                        Sequential(Block(c_in, c_out, s), Block(c_out, c_out, 1)))
            self.fc = Linear(8, 10)

        def forward(self, x):
            h = ag.relu(self.stem(x))
            for i in range(4):
                h = getattr(self, f"layer{i + 1}")(h)
            return self.fc(h.mean(dim=(2, 3)))

    model = ResNet()
    x, y = ag.randn(2, 3, 16, 16), ag.tensor([1, 2])
    return _run_engine(model, lambda: cross_entropy(model(x), y))


def _engine_gpt(layers: int) -> nx.DiGraph:
    ag, nn, Linear, LayerNorm, _, gelu = _engine_models()
    from autograd_core.nn.containers import Sequential
    from autograd_core.ops.loss import cross_entropy

    d, heads, vocab, t = 16, 2, 32, 8

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.qkv, self.proj = Linear(d, 3 * d), Linear(d, d)

        def forward(self, x):
            b = x.shape[0]
            q, k, v = [z.reshape(b, t, heads, d // heads).transpose(1, 2)
                       for z in self.qkv(x).split(d, dim=-1)]
            att = (q @ k.transpose(-2, -1)) * (1.0 / (d // heads) ** 0.5)
            att = att.masked_fill(MASK, -1e9).softmax(dim=-1)
            return self.proj((att @ v).transpose(1, 2).reshape(b, t, d))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.attn, self.ln2 = LayerNorm(d), Attention(), LayerNorm(d)
            self.fc, self.out = Linear(d, 4 * d), Linear(4 * d, d)

        def forward(self, x):
            x = x + self.attn(self.ln1(x))
            return x + self.out(gelu(self.fc(self.ln2(x))))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.wte, self.wpe = nn.Parameter(ag.randn(vocab, d)), nn.Parameter(ag.randn(t, d))
            self.blocks = Sequential(*[Block() for _ in range(layers)])
            self.ln_f = LayerNorm(d)

        def forward(self, tokens):
            h = self.wte[tokens] + self.wpe[ag.arange(t)]
            return self.ln_f(self.blocks(h)) @ self.wte.transpose(0, 1)  # tied head

    MASK = ag.triu(ag.ones(t, t), diagonal=1) > 0
    model = GPT()
    tokens = ag.randint(0, vocab, (2, t))
    targets = ag.randint(0, vocab, (2 * t,))
    return _run_engine(model, lambda: cross_entropy(model(tokens).reshape(2 * t, vocab), targets))


def _engine_rnn(steps: int) -> nx.DiGraph:
    ag, nn, Linear, _, _, _ = _engine_models()
    from autograd_core.ops.loss import cross_entropy

    class RNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.cell_ih, self.cell_hh, self.head = Linear(4, 8), Linear(8, 8, bias=False), \
                Linear(8, 4)

        def forward(self, xs, ys):
            h = ag.zeros(2, 8)
            total = None
            for i in range(steps):
                h = ag.tanh(self.cell_ih(xs[i]) + self.cell_hh(h))
                step = cross_entropy(self.head(h), ys[i])
                total = step if total is None else total + step
            return total

    model = RNN()
    xs, ys = ag.randn(steps, 2, 4), ag.randint(0, 4, (steps, 2))
    return _run_engine(model, lambda: model(xs, ys))


def engine_graph(name: str) -> nx.DiGraph:
    """One of `GRAPHS`, recorded from a model run on `autograd_core`."""
    if name == "mlp":
        return _engine_mlp()
    if name == "resnet18":
        return _engine_resnet18()
    if name.startswith("gpt"):
        return _engine_gpt(int(name[3:]))
    if name.startswith("rnn"):
        return _engine_rnn(int(name[3:]))
    raise KeyError(name)


def benchmark_graph(name: str) -> tuple[nx.DiGraph, str]:
    """(graph, source): the engine's graph, or the synthetic one when the engine fails."""
    try:
        return engine_graph(name), "engine"
    except Exception as exc:  # the engine is developed concurrently; say why we fell back
        print(f"# {name}: engine graph unavailable ({type(exc).__name__}: {exc}); synthetic")
        return synthetic_graph(name), "synthetic"
