"""Hand-written numpy forward + backward of the engine benchmark's models: the speed floor.

Each function does exactly the math the autograd versions do, with no graph and no wrappers,
so "ours / floor" is the engine's overhead. Weights are float32 arrays, updated in place.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def tiny_chain(x0: np.ndarray, a: np.ndarray, b: np.ndarray, n_ops: int) -> float:
    """W1: x <- x*a, x+b, tanh(x) cycled n_ops times; d(sum)/dx0 by the chain rule."""
    x = x0
    saved = []
    for k in range(n_ops):
        kind = k % 3
        if kind == 0:
            x = x * a
        elif kind == 1:
            x = x + b
        else:
            x = np.tanh(x)
            saved.append(x)
    loss = x.sum()
    g = np.ones_like(x)
    for k in range(n_ops - 1, -1, -1):
        kind = k % 3
        if kind == 0:
            g = g * a
        elif kind == 2:
            y = saved.pop()
            g = g * (1 - y * y)
    return float(loss)


def cross_entropy(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy and its gradient with respect to the logits."""
    n = z.shape[0]
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)
    loss = float(np.log(s[:, 0]).mean() - z[np.arange(n), y].mean())
    e /= s
    e[np.arange(n), y] -= 1
    e /= n
    return loss, e


def mlp_step(layers: list[list[np.ndarray]], x: np.ndarray, y: np.ndarray, lr: float) -> float:
    """W2/W3: Linear(+ReLU) stack, cross-entropy, backward, SGD. layers: [[W (out,in), b]]."""
    acts = [x]
    h = x
    for i, (w, b) in enumerate(layers):
        h = h @ w.T
        h += b
        if i < len(layers) - 1:
            np.maximum(h, 0, out=h)
        acts.append(h)
    loss, g = cross_entropy(acts.pop(), y)
    for i in range(len(layers) - 1, -1, -1):
        w, b = layers[i]
        h_in = acts.pop()
        gw = g.T @ h_in
        gb = g.sum(axis=0)
        if i > 0:
            g = g @ w
            g *= h_in > 0
        w -= lr * gw
        b -= lr * gb
    return loss


def conv3x3(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """3x3 conv, padding 1, stride 1 via im2col; returns (output, cols) for backward."""
    n, c, h, wd = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    cols = sliding_window_view(xp, (3, 3), axis=(2, 3))  # (n, c, h, w, 3, 3)
    cols = cols.transpose(0, 2, 3, 1, 4, 5).reshape(n * h * wd, c * 9)
    out = cols @ w.reshape(w.shape[0], -1).T
    out += b
    return out.reshape(n, h, wd, -1).transpose(0, 3, 1, 2), cols


def conv3x3_backward(g: np.ndarray, x_shape: tuple, w: np.ndarray, cols: np.ndarray,
                     need_dx: bool) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    n, c, h, wd = x_shape
    o = w.shape[0]
    g2 = g.transpose(0, 2, 3, 1).reshape(n * h * wd, o)
    gw = (g2.T @ cols).reshape(w.shape)
    gb = g2.sum(axis=0)
    if not need_dx:
        return None, gw, gb
    dcols = (g2 @ w.reshape(o, -1)).reshape(n, h, wd, c, 3, 3)
    dxp = np.zeros((n, c, h + 2, wd + 2), g.dtype)
    for i in range(3):
        for j in range(3):
            dxp[:, :, i:i + h, j:j + wd] += dcols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    return dxp[:, :, 1:-1, 1:-1], gw, gb


def maxpool2(x: np.ndarray) -> np.ndarray:
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def maxpool2_backward(g: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    n, c, h, w = x.shape
    x6 = x.reshape(n, c, h // 2, 2, w // 2, 2)
    mask = x6 == y[:, :, :, None, :, None]
    return (mask * g[:, :, :, None, :, None]).reshape(x.shape)


def cnn_step(p: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, lr: float) -> float:
    """W4: conv-relu-pool x2, flatten, linear, cross-entropy, backward, SGD."""
    z1, cols1 = conv3x3(x, p["c1w"], p["c1b"])
    a1 = np.maximum(z1, 0)
    p1 = maxpool2(a1)
    z2, cols2 = conv3x3(p1, p["c2w"], p["c2b"])
    a2 = np.maximum(z2, 0)
    p2 = maxpool2(a2)
    flat = p2.reshape(p2.shape[0], -1)
    logits = flat @ p["fw"].T + p["fb"]
    loss, g = cross_entropy(logits, y)
    grads = {"fw": g.T @ flat, "fb": g.sum(axis=0)}
    g = (g @ p["fw"]).reshape(p2.shape)
    g = maxpool2_backward(g, a2, p2) * (a2 > 0)
    g, grads["c2w"], grads["c2b"] = conv3x3_backward(g, p1.shape, p["c2w"], cols2, True)
    g = maxpool2_backward(g, a1, p1) * (a1 > 0)
    _, grads["c1w"], grads["c1b"] = conv3x3_backward(g, x.shape, p["c1w"], cols1, False)
    for k, gk in grads.items():
        p[k] -= lr * gk
    return loss


def rnn_step(p: dict[str, np.ndarray], xs: np.ndarray, lr: float) -> float:
    """W5: h = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) over xs; loss = mean(h_T^2); BPTT; SGD."""
    wih, whh, bih, bhh = p["w_ih"], p["w_hh"], p["b_ih"], p["b_hh"]
    h = np.zeros((xs.shape[1], whh.shape[0]), xs.dtype)
    hs = [h]
    for x in xs:
        h = np.tanh(x @ wih.T + bih + h @ whh.T + bhh)
        hs.append(h)
    loss = float((h * h).mean())
    dh = h * np.float32(2.0 / h.size)
    grads = {k: np.zeros_like(v) for k, v in p.items()}
    for t in range(len(xs) - 1, -1, -1):
        h_t = hs[t + 1]
        dz = dh * (1 - h_t * h_t)
        grads["w_ih"] += dz.T @ xs[t]
        grads["w_hh"] += dz.T @ hs[t]
        db = dz.sum(axis=0)
        grads["b_ih"] += db
        grads["b_hh"] += db
        dh = dz @ whh
    for k, gk in grads.items():
        p[k] -= lr * gk
    return loss
