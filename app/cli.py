"""The `gradscope` command: open the app on a model script, record or export headless.

    gradscope [MODEL.py | run.gscope] [--screenshot OUT.png [-n ITERATIONS]]
                                                                  the window (default example)
    gradscope MODEL.py --terminal [-n ITERATIONS]                 train in the terminal
    gradscope export (MODEL.py | run.gscope) -o OUT.{png,svg,pdf,json,trace.json,dot,graphml}
                     [--iteration K] [-n ITERATIONS] [--overlay time|grad|value] [--collapse D]
    gradscope record MODEL.py [-n ITERATIONS] [--device cpu|cuda] [--stats off|basic|full]
                     [--timeout SECONDS] [--threads N] -o run.gscope
"""

from __future__ import annotations

import argparse
import contextlib
import math
import runpy
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.present.formats import export_format, suffix_braces, suffix_list
from app.present.overlays import OVERLAYS

if TYPE_CHECKING:
    from app.runner.record import RecordResult

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
        usage="gradscope [MODEL.py | run.gscope] [options]\n"
              "       gradscope {record,export} ... (see below)",
        epilog=SUBCOMMANDS, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", nargs="?", default=str(DEFAULT_EXAMPLE),
                   help="a model script defining `model` and `step(i)`, or a recorded "
                        "session .gscope (default: spirals MLP)")
    p.add_argument("-n", "--iterations", type=int, default=None,
                   help="iterations to run (--terminal: default the script's ITERATIONS, "
                        "else 100; --screenshot: run this many before the shot, default 1)")
    p.add_argument("--screenshot", metavar="OUT.png", default=None,
                   help="open the window, save it once the iterations are drawn, exit")
    p.add_argument("--terminal", action="store_true",
                   help="no window: train in the terminal, printing the loss")
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
    args = _parse(argv)
    if args.terminal:
        return train(args.model, args.iterations)
    return gui(args.model, args.screenshot, args.iterations)


def _parse_record(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="gradscope record",
        description="Run a model script in a worker process, recording every iteration, "
                    "and save the session (.gscope). Ctrl-C, SIGTERM or SIGHUP stop the run "
                    "and save what was captured.")
    p.add_argument("model", help="a model script defining `model` and `step(i)`")
    p.add_argument("-n", "--iterations", type=_int_at_least(1), default=None,
                   help="iterations to run (default: the script's ITERATIONS, else 100)")
    p.add_argument("--device", choices=("cpu", "cuda"), default=None,
                   help="where to run (default: the script's DEVICE, else cpu)")
    p.add_argument("--stats", choices=("off", "basic", "full"), default="basic",
                   help="tensor statistics to record (default: basic)")
    p.add_argument("--timeout", type=_positive_finite, default=None, metavar="SECONDS",
                   help="stop after this long (loading the script included) and save what "
                        "was captured")
    p.add_argument("--threads", type=_int_at_least(0), default=1, metavar="N",
                   help="BLAS/OpenMP threads for the model's ops (default: 1, fastest for "
                        "small models and honest op times on a busy machine; 0: the "
                        "libraries' default, one per core)")
    p.add_argument("-o", "--output", required=True, help="the session file to write")
    return p.parse_args(argv)


def record_command(argv: list[str]) -> int:
    """`gradscope record`: 0 on success (also after --timeout), 1 on a script error or when
    nothing was captured, 2 on bad arguments or an unwritable output, 128 + the signal's
    number when SIGINT/SIGTERM/SIGHUP ended it (what was captured is saved)."""
    from app.runner.record import Interrupt

    args = _parse_record(argv)
    with Interrupt() as interrupt:  # first: a signal must never cost what was captured
        return _record(args, interrupt)


def _record(args: argparse.Namespace, interrupt: Any) -> int:
    from app.runner.progress import ProgressBar  # plain training never needs the runner
    from app.runner.record import Callbacks, record
    from autograd_core.trace import SessionWriter
    from autograd_core.trace.archive import MAX_CAPTURES
    from autograd_core.trace.atomic import OutputPathError, check_output_path

    if not Path(args.model).is_file():
        _say(f"gradscope: no such model script: {args.model}", file=sys.stderr)
        return 2
    try:
        replaces = check_output_path(args.output, protect=[args.model])
    except OutputPathError as exc:
        _say(f"gradscope: {exc}", file=sys.stderr)
        return 2
    if replaces:
        _say(f"gradscope: {args.output} exists and will be replaced", file=sys.stderr)
    bar: list[ProgressBar] = []
    writer: list[Any] = []

    def sink(device: str, total: int) -> Any:
        # The window is what the file records; a session holds at most MAX_CAPTURES.
        writer.append(SessionWriter(args.output, script=args.model, device=device,
                                    window=min(total, MAX_CAPTURES)))
        return writer[0]

    callbacks = Callbacks(
        started=lambda total: bar.append(ProgressBar(total)),
        progress=lambda done, loss: bar[0].update(done, loss) if bar else None,
        output=lambda line: _show(bar, line.text, line.stream),
        warning=lambda err: _show(bar, f"gradscope: warning: {err.message}", "stderr"))
    try:
        result = record(args.model, args.iterations, args.device, args.stats, args.timeout,
                        callbacks, sink=sink, interrupt=interrupt, threads=args.threads)
    except BaseException:
        if writer:
            _abort(writer[0])
        raise
    if bar:
        bar[0].close()
    return _report(result, args, writer[0] if writer else None, interrupt)


def _show(bar: list, text: str, stream: str) -> None:
    out = sys.stderr if stream == "stderr" else sys.stdout
    if bar:
        bar[0].message(text, out)
    else:
        _say(text, file=out, flush=True)


def _report(result: RecordResult, args: argparse.Namespace, writer: Any,
            interrupt: Any) -> int:
    """Print the outcome, commit the session file when anything was captured (else leave
    any existing file untouched); the exit code."""
    failure = _print_failure(result)
    exc = result.write_error
    if isinstance(exc, OSError) or (exc is not None and writer is None):
        return _unwritable(writer, args, exc)  # broken off mid-write (a full disk), or
                                               # never started: drop it
    if exc is not None:  # a capture the file cannot hold: keep the ones before it
        _say(f"gradscope: capture {writer.count} could not be saved, so the run was "
              f"stopped: {exc}", file=sys.stderr)
        failure = failure or exc
    code = _exit_code(result, failure, interrupt)
    if writer is None or writer.count == 0:
        if writer is not None:
            _abort(writer)
        _say(f"gradscope: {_ended(result, args)}nothing was captured; "
              f"{_untouched(args.output)}", file=sys.stderr)
        return code or 1
    try:
        writer.commit()
    except OSError as exc:
        return _unwritable(writer, args, exc)
    _saved(result, args, writer.count)
    if result.first_nonfinite is not None:
        _say(_first_nonfinite(*result.first_nonfinite))
    return code


def _print_failure(result: RecordResult) -> Any:
    """Print the script's error or the worker's death (with where it happened); returns it."""
    failure: Any = result.error or result.died
    if failure is not None:
        during = f" during iteration {result.iterations}" if result.died is not None else ""
        _say(f"gradscope: {failure.message}{during}", file=sys.stderr)
        details = getattr(failure, "details", "")
        if details and details.strip() != failure.message:
            _say(details, file=sys.stderr)
    return failure


def _unwritable(writer: Any, args: argparse.Namespace, exc: Exception) -> int:
    """Drop the partial file and say why the session could not be written: exit code 2."""
    if writer is not None:
        _abort(writer)
    why = getattr(exc, "strerror", None) or exc
    _say(f"gradscope: cannot write {args.output}: {why}; "
          f"{_untouched(args.output)}", file=sys.stderr)
    return 2


def _say(*args: Any, file: Any = None, flush: bool = True) -> None:
    """print() that a closed terminal (SIGHUP) or a closed pipe cannot turn into an
    exception: what was captured must still be saved."""
    with contextlib.suppress(OSError, ValueError):
        print(*args, file=file or sys.stdout, flush=flush)


def _abort(writer: Any) -> None:
    """Drop the partial file; on a full disk closing it fails too, and must not hide why."""
    try:
        writer.abort()
    except OSError:
        Path(writer.partial_path).unlink(missing_ok=True)


def _exit_code(result: RecordResult, failure: Any, interrupt: Any) -> int:
    if result.interrupted:
        return 128 + interrupt.signum
    return 1 if failure is not None else 0


def _ended(result: RecordResult, args: argparse.Namespace) -> str:
    """How the run ended early, as the start of a sentence ('' when it was not cut short)."""
    if result.interrupted:
        return f"interrupted by {result.interrupted}; "
    if result.timed_out:
        return f"stopped after --timeout {args.timeout:g} s; "
    return ""


def _untouched(output: str) -> str:
    return (f"{output} was left as it was" if Path(output).exists()
            else f"{output} was not written")


def _saved(result: RecordResult, args: argparse.Namespace, count: int) -> None:
    n = result.iterations
    what = f"{count} captured iteration{'s' if count != 1 else ''}"
    if result.interrupted:
        _say(f"gradscope: interrupted by {result.interrupted} at iteration {n}; saved "
              f"{what} to {args.output}", file=sys.stderr)
    elif result.timed_out:
        _say(f"gradscope: stopped after --timeout {args.timeout:g} s at iteration {n}; "
              f"saved {what} to {args.output}", file=sys.stderr)
    elif not result.ok:
        _say(f"gradscope: saved the {what} made before the failure to {args.output}",
              file=sys.stderr)
    else:
        _say(f"saved {what} ({n} iterations, {result.elapsed:.1f} s, "
              f"{result.device}) to {args.output}")


def _first_nonfinite(iteration: int, o: Any) -> str:
    """Where the first NaN or Inf of the run was born, as one line."""
    kind = "NaN" if o.nan else "Inf"
    return (f"first {kind}: iteration {iteration}, {o.key} ({o.phase}, in its "
            f"{o.where}) at {o.source}")


def gui(source: str, screenshot: str | None, iterations: int | None = None) -> int:
    """Open the window (Qt is imported only here, so the other commands run without it)."""
    if not Path(source).is_file():
        print(f"gradscope: no such model script or session: {source}", file=sys.stderr)
        return 2
    try:
        from app.ui import run_app
    except ImportError as exc:
        print(f"gradscope: the app needs PySide6 ({exc}); install the gui extra: "
              "pip install -e '.[gui]'  (or use --terminal)", file=sys.stderr)
        return 2
    return run_app(source, screenshot, iterations)


def _positive_finite(text: str) -> float:
    """argparse type: a float above zero that is not NaN or infinite (e.g. --scale)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive finite number, got {text!r}")
    return value


def _int_at_least(low: int) -> Any:
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


def _parse_export(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="gradscope export",
        description="Render the graph view offscreen (PNG, SVG, PDF) or write the capture "
                    "(DOT, GraphML, JSON, Chrome trace) of a model script or a session file.")
    p.add_argument("source", help="a model script (recorded for -n iterations) or a .gscope")
    p.add_argument("-o", "--output", required=True,
                   help=f"OUT{suffix_list()} (data formats need no PySide6)")
    p.add_argument("--iteration", type=_int_at_least(0), default=None, metavar="K",
                   help="the iteration to export (default: the last captured)")
    p.add_argument("-n", "--iterations", type=_int_at_least(1), default=None,
                   help="iterations to record from a model script (default: 3)")
    p.add_argument("--overlay", choices=tuple(OVERLAYS), default="none",
                   help="colour nodes by forward time, gradient norm, value magnitude, ...")
    p.add_argument("--collapse", type=_int_at_least(0), default=None, metavar="DEPTH",
                   help="collapse module groups at this depth (0: none; default: by size)")
    p.add_argument("--scale", type=_positive_finite, default=2.0,
                   help="PNG scale (default: 2; large images are scaled down to at most "
                        "16384 pixels a side and 64 megapixels, with a note)")
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
