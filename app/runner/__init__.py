"""Run a user's model script in a worker process that a GUI or the CLI drives (Qt-free).

`Driver` (parent side) starts the worker, sends the commands of `protocol` and reads its
events without blocking; `worker` is the child's main loop; `script` loads and validates the
model script; `stepping` blocks inside the engine hook for step mode.
"""

from app.runner import protocol
from app.runner.driver import Driver

__all__ = ["Driver", "protocol"]
