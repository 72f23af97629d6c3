"""`device` objects shaped like PyTorch's: `device(type='cuda', index=0)`."""

from __future__ import annotations

from typing import Any


class Device:
    """Where a tensor lives: type 'cpu' or 'cuda', with an optional index."""

    __slots__ = ("index", "type")

    def __init__(self, type: str, index: int | None = None) -> None:
        if type not in ("cpu", "cuda"):
            raise RuntimeError(
                f"Expected one of cpu, cuda device type at start of device string: {type}"
            )
        self.type = type
        self.index = index if type == "cuda" and index is not None else (0 if type == "cuda"
                                                                           else None)

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return (
            isinstance(other, Device) and self.type == other.type and self.index == other.index
        )

    def __hash__(self) -> int:
        return hash((self.type, self.index))


cpu_device = Device("cpu")


def device(spec: Any, index: int | None = None) -> Device:
    """Parse 'cpu', 'cuda', 'cuda:1', a Device, or (type, index) into a Device."""
    if isinstance(spec, Device):
        return spec
    if isinstance(spec, int):
        return Device("cuda", spec)
    if not isinstance(spec, str):
        raise TypeError(f"device() expects a string or a device, got {type(spec).__name__}")
    if spec == "cpu" and index is None:
        return cpu_device
    if ":" in spec:
        kind, _, idx = spec.partition(":")
        if not idx.isdigit():
            raise RuntimeError(f"Invalid device string: '{spec}'")
        return Device(kind, int(idx))
    return Device(spec, index)
