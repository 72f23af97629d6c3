"""Registers the graph formulas of the ops built by `_fn_factory` (elementwise math, matrix
functions, cumprod) once the create_graph walk loads, and every later one at creation."""

from __future__ import annotations

from autograd_core._graph_walk import formula
from autograd_core.ops import _fn_factory

__all__: list[str] = []

for _cls, _fn in list(_fn_factory._pending.items()):
    formula(_cls)(_fn)
_fn_factory._pending.clear()
_fn_factory._register = formula
