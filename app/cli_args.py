"""argparse types shared by the `gradscope` commands: numbers checked where they are parsed,
so a bad option fails with a usage message before any work."""

from __future__ import annotations

import argparse
import math
from typing import Any


def positive_finite(text: str) -> float:
    """argparse type: a float above zero that is not NaN or infinite (e.g. --scale)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive finite number, got {text!r}")
    return value


def int_at_least(low: int) -> Any:
    """argparse type: an integer >= `low` (--iteration 0 and up, -n 1 and up)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {value}")
        return value

    parse.__name__ = f"integer >= {low}"
    return parse


def split_script_args(argv: list[str]) -> tuple[list[str], list[str]]:
    """(our arguments, the script's): everything after the first `--` is the script's own
    command line (`gradscope record train.py -n 5 -- --lr 0.1`)."""
    if "--" not in argv:
        return list(argv), []
    at = argv.index("--")
    return list(argv[:at]), list(argv[at + 1:])
