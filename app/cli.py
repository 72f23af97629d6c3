"""The `gradscope` command: open the app on a model script, record or export headless.

    gradscope [MODEL.py | run.gscope] [--screenshot OUT.png [-n ITERATIONS]]
                                                                  the window (default example)
    gradscope --remote [USER@]HOST[:PORT] MODEL.py [--ssh-option OPT] [--remote-python PATH]
              [--upload]                                          the model runs on HOST
    gradscope MODEL.py --terminal [-n ITERATIONS]                 train in the terminal
    gradscope export (MODEL.py | run.gscope) -o OUT.{png,svg,pdf,json,trace.json,dot,graphml}
                     [--iteration K] [-n ITERATIONS] [--overlay time|grad|value] [--collapse D]
    gradscope record MODEL.py [-n ITERATIONS] [--device cpu|cuda] [--stats off|basic|full]
                     [--timeout SECONDS] [--threads N] [--remote HOST ...] -o run.gscope
"""

from __future__ import annotations

import argparse
import runpy
import sys
import time
from pathlib import Path
from typing import Any

from app.cli_args import (
    add_remote_options,
    int_at_least,
    positive_finite,
    remote_target,
    split_script_args,
)
from app.cli_record import record_command
from app.present.formats import (
    MAX_PIXELS,
    MAX_SIDE,
    export_format,
    format_names,
    suffix_braces,
    suffix_list,
)
from app.present.overlays import OVERLAYS

EXAMPLES = Path(__file__).resolve().parent.parent / "resources" / "examples"
DEFAULT_EXAMPLE = EXAMPLES / "spiral_mlp.py"


SUBCOMMANDS = f"""commands:
  gradscope record MODEL.py -o run.gscope [-n ITERATIONS] [--device cpu|cuda]
                   [--stats off|basic|full] [--timeout SECONDS] [--threads N]
      run a model script headless, recording every iteration, and save the session
  gradscope export (MODEL.py | run.gscope) -o OUT.{suffix_braces()}
                   [--iteration K] [-n ITERATIONS] [--overlay time|grad|value|...]
                   [--collapse DEPTH] [--scale SCALE] [--theme light|dark]
      render the graph offscreen, or write the capture as data

`gradscope record --help` and `gradscope export --help` describe their options."""


def _parse(argv: list[str] | None) -> argparse.Namespace:
    # The window's MODEL argument is optional, so `record` and `export` are dispatched by
    # main() rather than by argparse subparsers (which would take any path for a command);
    # the help lists them all the same.
    p = argparse.ArgumentParser(
        prog="gradscope", description=__doc__.splitlines()[0],
        usage="gradscope [MODEL.py | run.gscope] [options] [-- SCRIPT ARGS]\n"
              "       gradscope {record,export} ... (see below)",
        epilog=SUBCOMMANDS, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", nargs="?", default=str(DEFAULT_EXAMPLE),
                   help="a model script defining `model` and `step(i)`, a plain PyTorch "
                        "training script (arguments after `--` are its own), or a recorded "
                        "session .gscope (default: spirals MLP)")
    p.add_argument("-n", "--iterations", type=int, default=None,
                   help="iterations to run (--terminal: default the script's ITERATIONS, "
                        "else 100; --screenshot: run this many before the shot, default 1)")
    p.add_argument("--screenshot", metavar="OUT.png", default=None,
                   help="open the window, save it once the iterations are drawn, exit")
    p.add_argument("--terminal", action="store_true",
                   help="no window: train in the terminal, printing the loss")
    add_remote_options(p)
    return p.parse_args(argv)


def train(path: str, iterations: int | None) -> int:
    """Run `step(i)` of the script at `path`, printing the loss per iteration."""
    script = Path(path)
    if not script.is_file():
        print(f"gradscope: no such model script: {script}", file=sys.stderr)
        return 2
    namespace = runpy.run_path(str(script), run_name="__gradscope__")
    step = namespace.get("step")
    if not callable(step):
        print(f"gradscope: {script} defines no function `step(i)`", file=sys.stderr)
        return 2
    n = iterations or int(namespace.get("ITERATIONS", 100))
    start = time.perf_counter()
    for i in range(n):
        loss = step(i)
        value = float(loss.item()) if hasattr(loss, "item") else float(loss)
        print(f"iteration {i + 1:4d}/{n}  loss {value:.6f}", flush=True)
    elapsed = time.perf_counter() - start
    print(f"{n} iterations in {elapsed:.2f} s ({n / elapsed:.1f} it/s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == "record":
        return record_command(argv[1:])
    if argv and argv[0] == "export":
        return export_command(argv[1:])
    ours, script_args = split_script_args(argv)
    args = _parse(ours)
    try:
        remote = remote_target(args)
    except ValueError as exc:
        print(f"gradscope: {exc}", file=sys.stderr)
        return 2
    if args.terminal:
        if remote is not None:
            print("gradscope: --terminal trains here; use `gradscope record --remote` to run "
                  "on a host without the window", file=sys.stderr)
            return 2
        return train(args.model, args.iterations)
    return gui(args.model, args.screenshot, args.iterations, script_args, remote)


def gui(source: str, screenshot: str | None, iterations: int | None = None,
        script_args: list[str] | None = None, remote: Any = None) -> int:
    """Open the window (Qt is imported only here, so the other commands run without it);
    `remote`: a RemoteTarget the model script runs on (its path is the host's)."""
    on_host = remote is not None and not remote.upload
    if not on_host and not Path(source).is_file():
        print(f"gradscope: no such model script or session: {source}", file=sys.stderr)
        return 2
    try:
        from app.ui import run_app
    except ImportError as exc:
        print(f"gradscope: the app needs PySide6 ({exc}); install the gui extra: "
              "pip install -e '.[gui]'  (or use --terminal)", file=sys.stderr)
        return 2
    if remote is not None:
        return run_app(source, screenshot, iterations, script_args or [], remote=remote)
    return run_app(source, screenshot, iterations, script_args or [])


def _parse_export(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="gradscope export",
        description=f"Render the graph view offscreen ({format_names('image')}) or write the "
                    f"capture ({format_names('data')}; no PySide6 needed) of a model script "
                    "or a session file.")
    p.add_argument("source", help="a model script (recorded for -n iterations) or a .gscope")
    p.add_argument("-o", "--output", required=True,
                   help=f"OUT{suffix_list()} (data formats need no PySide6)")
    p.add_argument("--iteration", type=int_at_least(0), default=None, metavar="K",
                   help="the iteration to export (default: the last captured; a "
                        ".trace.json holds every captured iteration unless K is given)")
    p.add_argument("-n", "--iterations", type=int_at_least(1), default=None,
                   help="iterations to record from a model script (default: 3)")
    p.add_argument("--overlay", choices=tuple(OVERLAYS), default="none",
                   help="colour nodes by forward time, gradient norm, value magnitude, ...")
    p.add_argument("--collapse", type=int_at_least(0), default=None, metavar="DEPTH",
                   help="collapse module groups at this depth (0: none; default: by size)")
    p.add_argument("--scale", type=positive_finite, default=2.0,
                   help=f"PNG scale (default: 2; large images are scaled down to at most "
                        f"{MAX_SIDE} pixels a side and {MAX_PIXELS / 1e6:.1f} megapixels, "
                        "with a note)")
    p.add_argument("--theme", choices=("light", "dark"), default="light")
    return p.parse_args(argv)


def export_command(argv: list[str]) -> int:
    """`gradscope export`: 0 when written, 1 when the script failed or the file could not be
    written, 2 on bad arguments (checked, output path included, before any loading)."""
    from app.present.data_export import export_data_headless
    from autograd_core.trace.atomic import OutputPathError, check_output_path

    args = _parse_export(argv)
    if not Path(args.source).is_file():
        print(f"gradscope: no such model script or session: {args.source}", file=sys.stderr)
        return 2
    try:
        check_output_path(args.output, protect=[args.source])
    except OutputPathError as exc:
        print(f"gradscope: {exc}", file=sys.stderr)  # it names the path and why
        return 2
    fmt = export_format(args.output)
    if fmt is None:
        print(f"gradscope: unknown output format: {args.output} (use {suffix_list()})",
              file=sys.stderr)
        return 2
    try:
        done = _export(args) if fmt.kind == "image" else export_data_headless(
            args.source, args.output, args.iteration, args.iterations)
    except ImportError as exc:  # only image formats need Qt
        print(f"gradscope: exporting images needs PySide6 ({exc}): pip install -e '.[gui]' "
              f"(data formats, {suffix_list('data')}, do not)", file=sys.stderr)
        return 2
    except (RuntimeError, ValueError, OSError, MemoryError) as exc:
        print(f"gradscope: {_named(exc, args.output)}", file=sys.stderr)
        return 1
    if done.note:
        print(f"gradscope: note: {done.note}", file=sys.stderr)
    print(f"wrote {done.path}")
    return 0


def _export(args: argparse.Namespace) -> Any:
    """Draw an image export offscreen (Qt is imported here: data formats never need it)."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # headless: never needs a display
    from PySide6.QtWidgets import QApplication

    from app.ui.export import export_headless

    _app = QApplication.instance() or QApplication(["gradscope"])
    return export_headless(args.source, args.output, args.iteration, args.iterations,
                           args.overlay, args.collapse, args.scale, args.theme)


def _named(exc: BaseException, output: str) -> str:
    """The error's message, naming the output file when the message does not already name a
    file (an OSError's filename, or the output for a bare 'No space left on device')."""
    text = str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and exc.filename is None:
        reason = exc.strerror or text
        return reason if output in reason else f"cannot write {output}: {reason}"
    return text
