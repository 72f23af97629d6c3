"""Testing helpers for ops: `gradcheck` compares autograd gradients with finite differences,
`gradgradcheck` does the same for the gradients of gradients (create_graph=True)."""

from autograd_core.testing.gradcheck import GradcheckError, gradcheck
from autograd_core.testing.gradgradcheck import gradgradcheck

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]
