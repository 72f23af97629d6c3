"""Why an op whose output is complex may not join the graph.

The engine's backward formulas are written for real numbers. For a holomorphic op on
complex numbers they give f'(z)·g where PyTorch's convention (conjugate Wirtinger
derivatives) gives conj(f'(z))·g, so gradients through `mul`, `exp`, `matmul`, ... came out
silently wrong. Until complex autograd is built op by op, an op that would put a complex
tensor that requires grad into the graph raises this error instead (complex tensors that
do not require grad compute as before; `abs`/`angle` of a complex leaf stay real).
"""

from __future__ import annotations

__all__ = ["complex_grad_error"]


def complex_grad_error(op: type) -> RuntimeError:
    """The error for op `op`, which produced a complex output that would require grad."""
    name = getattr(op, "__name__", str(op))
    return RuntimeError(
        f"{name}: complex autograd is not supported by autograd_core (its output is complex "
        "and requires grad); detach() the input or compute on the real and imaginary parts "
        "(torch.view_as_real) as real tensors")
