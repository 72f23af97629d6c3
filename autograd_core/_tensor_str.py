"""`repr(tensor)` as PyTorch prints it: same number formats, widths, wrapping and suffixes.

A port of the common cases of PyTorch's `torch/_tensor_str.py` (precision 4, threshold 1000,
edgeitems 3, linewidth 80); arrays are read on the host.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

PRECISION = 4
THRESHOLD = 1000
EDGEITEMS = 3
LINEWIDTH = 80


class _Formatter:
    """Picks one format (integer-valued, fixed or scientific) and one width for all values."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not self.floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(str(v)))
            return
        finite = flat[np.isfinite(flat) & (flat != 0)].astype(np.float64)
        if finite.size == 0:
            return
        amin, amax = float(np.abs(finite).min()), float(np.abs(finite).max())
        vals = finite.tolist()
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if self.int_mode:
            if amax / amin > 1000.0 or amax > 1.0e8:
                self.sci_mode = True
                widths = [len(f"{v:.{PRECISION}e}") for v in vals]
            else:
                widths = [len(f"{v:.0f}") + 1 for v in vals]
        elif amax / amin > 1000.0 or amax > 1.0e8 or amin < 1.0e-4:
            self.sci_mode = True
            widths = [len(f"{v:.{PRECISION}e}") for v in vals]
        else:
            widths = [len(f"{v:.{PRECISION}f}") for v in vals]
        self.max_width = max(self.max_width, *widths)

    def width(self) -> int:
        return self.max_width

    def format(self, value: Any) -> str:
        if not self.floating:
            ret = str(value)
        elif self.sci_mode:
            ret = f"{value:{self.max_width}.{PRECISION}e}"
        elif self.int_mode:
            ret = f"{value:.0f}"
            if not (math.isinf(value) or math.isnan(value)):
                ret += "."
        else:
            ret = f"{value:.{PRECISION}f}"
        return (self.max_width - len(ret)) * " " + ret


class _ComplexFormatter:
    """Real and imaginary parts each get their own _Formatter, as in PyTorch."""

    def __init__(self, values: np.ndarray) -> None:
        self.real = _Formatter(values.real)
        self.imag = _Formatter(values.imag)

    def width(self) -> int:
        return self.real.width() + self.imag.width() + 1

    def format(self, value: Any) -> str:
        real = self.real.format(value.real)
        imag = (self.imag.format(value.imag) + "j").lstrip()
        return real + imag if imag[0] in "+-" else real + "+" + imag


def _summarized(arr: np.ndarray) -> np.ndarray:
    """The edge values PyTorch keeps when it elides the middle of a large tensor."""
    if arr.ndim == 0:
        return arr
    if arr.ndim == 1:
        if arr.shape[0] > 2 * EDGEITEMS:
            return np.concatenate([arr[:EDGEITEMS], arr[-EDGEITEMS:]])
        return arr
    rows: range | list[int] = range(arr.shape[0])
    if arr.shape[0] > 2 * EDGEITEMS:
        rows = [*range(EDGEITEMS), *range(arr.shape[0] - EDGEITEMS, arr.shape[0])]
    parts = [_summarized(arr[i]) for i in rows]
    return np.stack(parts) if parts else arr


def _vector_str(arr: np.ndarray, indent: int, summarize: bool, fmt: Any) -> str:
    per_line = max(1, (LINEWIDTH - indent) // (fmt.width() + 2))
    if summarize and arr.shape[0] > 2 * EDGEITEMS:
        data = ([fmt.format(v) for v in arr[:EDGEITEMS].tolist()] + [" ..."]
                + [fmt.format(v) for v in arr[-EDGEITEMS:].tolist()])
    else:
        data = [fmt.format(v) for v in arr.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _body(arr: np.ndarray, indent: int, summarize: bool, fmt: Any) -> str:
    if arr.ndim == 0:
        return fmt.format(arr.item())
    if arr.ndim == 1:
        return _vector_str(arr, indent, summarize, fmt)
    n = arr.shape[0]
    if summarize and n > 2 * EDGEITEMS:
        slices = ([_body(arr[i], indent + 1, summarize, fmt) for i in range(EDGEITEMS)] + ["..."]
                  + [_body(arr[i], indent + 1, summarize, fmt) for i in range(n - EDGEITEMS, n)])
    else:
        slices = [_body(arr[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (arr.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    out = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > LINEWIDTH:
            out.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            out.append(", " + suffix)
            last_line_len += len(suffix) + 2
    out.append(")")
    return "".join(out)


def tensor_str(arr: np.ndarray, default_dtype: np.dtype, device: str | None,
               grad_fn_name: str | None, requires_grad: bool) -> str:
    """The full `tensor(...)` text for a host array and the tensor's autograd state."""
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    dtype_name = f"dtype=torch.{arr.dtype.name}"
    if arr.size == 0:
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        if arr.dtype != default_dtype:
            suffixes.append(dtype_name)
        body = "[]"
    else:
        default_complex = np.complex64 if default_dtype == np.float32 else np.complex128
        if arr.dtype not in (default_dtype, default_complex, np.int64, np.bool_):
            suffixes.append(dtype_name)
        summarize = arr.size > THRESHOLD
        shown = _summarized(arr) if summarize else arr
        fmt = _ComplexFormatter(shown) if arr.dtype.kind == "c" else _Formatter(shown)
        body = _body(arr, indent, summarize, fmt)
    if device is not None:
        suffixes.append(f"device='{device}'")
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
