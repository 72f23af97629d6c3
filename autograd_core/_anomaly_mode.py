"""`autograd.anomaly_mode`: PyTorch's `detect_anomaly` and `set_detect_anomaly`.

Both switch _anomaly.py's mode and restore the previous one (mode and check_nan) on exit, so
they nest. As in PyTorch, `detect_anomaly` is a context manager only (an instance is not
callable, so it is no decorator) and warns that the mode slows the program;
`set_detect_anomaly(mode)` switches at once and also works as a context manager.
"""

from __future__ import annotations

import warnings

from autograd_core._anomaly import (
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_anomaly_enabled,
)

__all__ = ["detect_anomaly", "set_detect_anomaly"]


class detect_anomaly:  # noqa: N801 - PyTorch's name
    """Context manager that turns anomaly detection on: nodes made inside keep the forward
    traceback, an error in a node's backward warns with it, and (with `check_nan`) a backward
    that computes NaN raises.

    Example:
        with autograd.detect_anomaly():
            loss = model(x).sum()
            loss.backward()   # RuntimeError: Function 'LogBackward0' returned nan values ...
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.prev = is_anomaly_enabled()
        self.check_nan = check_nan
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", stacklevel=2)

    def __enter__(self) -> None:
        set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *args: object) -> None:
        set_anomaly_enabled(self.prev, self.prev_check_nan)


class set_detect_anomaly:  # noqa: N801 - PyTorch's name
    """Turn anomaly detection on or off now; as a context manager, restore it on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = is_anomaly_enabled()
        self.prev_check_nan = is_anomaly_check_nan_enabled()
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *args: object) -> None:
        set_anomaly_enabled(self.prev, self.prev_check_nan)
