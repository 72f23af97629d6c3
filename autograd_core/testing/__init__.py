"""Testing helpers for ops: `gradcheck` compares autograd gradients with finite differences,
`gradgradcheck` does the same for the gradients of gradients (create_graph=True);
`assert_close` is PyTorch's tensor comparison for tests."""

from autograd_core.testing.assert_close import assert_close
from autograd_core.testing.gradcheck import GradcheckError, gradcheck
from autograd_core.testing.gradgradcheck import gradgradcheck

__all__ = ["GradcheckError", "assert_close", "gradcheck", "gradgradcheck"]
