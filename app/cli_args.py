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


def add_remote_options(parser: argparse.ArgumentParser) -> None:
    """--remote, --ssh-option, --remote-python, --upload (the window and `record`)."""
    parser.add_argument("--remote", metavar="[USER@]HOST[:PORT]", default=None,
                        help="run the model on this host through ssh (its config, keys, agent "
                             "and jump hosts apply); MODEL.py is then a path on the host")
    parser.add_argument("--ssh-option", action="append", default=[], metavar="OPT",
                        help="an argument for ssh, before the host (repeatable; e.g. "
                             "--ssh-option=-J --ssh-option=jumphost)")
    parser.add_argument("--remote-python", default="python3", metavar="PATH",
                        help="the python on the host that has gradscope installed "
                             "(default: python3)")
    parser.add_argument("--upload", action="store_true",
                        help="MODEL.py is a local file: copy it to a temporary folder on the "
                             "host (removed when the worker ends)")


def remote_target(args: argparse.Namespace) -> Any:
    """The RemoteTarget the options name, or None without --remote.

    Raises:
        ValueError: a destination ssh would misread, naming it.
    """
    if args.remote is None:
        if args.ssh_option or args.upload or args.remote_python != "python3":
            raise ValueError("--ssh-option, --remote-python and --upload need --remote HOST")
        return None
    from app.runner.remote import RemoteTarget

    return RemoteTarget.parse(args.remote, tuple(args.ssh_option), args.remote_python,
                              args.upload)
