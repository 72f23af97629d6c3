"""Run a user's model script in a worker process that a GUI or the CLI drives (Qt-free).

`Driver` (parent side) starts the worker, sends the commands of `protocol` and reads its
events without blocking; `worker` is the child's main loop; `script` loads and validates the
model script; `stepping` blocks inside the engine hook for step mode. A plain PyTorch script
(no `model`/`step`) runs by iterations through `plain`, with `import torch` made our engine in
the worker by `torch_alias` and a missing API named by `missing_api`. With a `RemoteTarget`
the worker runs on another machine through `ssh` (`remote`, `python -m app.runner --stdio`).
"""

from app.runner import protocol
from app.runner.driver import Driver
from app.runner.link import LinkHealth
from app.runner.remote import RemoteError, RemoteTarget

__all__ = ["Driver", "LinkHealth", "RemoteError", "RemoteTarget", "protocol"]
