"""Testing helpers for ops: `gradcheck` compares autograd gradients with finite differences."""

from autograd_core.testing.gradcheck import GradcheckError, gradcheck

__all__ = ["GradcheckError", "gradcheck"]
