"""`gradscope record`: run a model script in a worker, recording every iteration, and save
the session (.gscope) — with a progress bar, the script's output, and what was captured kept
whatever ends the run (an error, --timeout, Ctrl-C, SIGTERM/SIGHUP, a full disk). Apart from
`app.cli` (which dispatches to it) because it is one story: run, report, commit the file."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli_args import (
    add_remote_options,
    int_at_least,
    positive_finite,
    remote_target,
    split_script_args,
)

if TYPE_CHECKING:
    from app.runner.record import RecordResult


def _parse_record(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="gradscope record", usage="%(prog)s MODEL.py -o OUT [options] [-- SCRIPT ARGS]",
        description="Run a model script in a worker process, recording every iteration, "
                    "and save the session (.gscope). Ctrl-C, SIGTERM or SIGHUP stop the run "
                    "and save what was captured.")
    p.add_argument("model", help="a model script defining `model` and `step(i)`, or a plain "
                                 "PyTorch training script (arguments after `--` are its own)")
    p.add_argument("-n", "--iterations", type=int_at_least(1), default=None,
                   help="iterations to run (default: the script's ITERATIONS, else 100)")
    p.add_argument("--device", choices=("cpu", "cuda"), default=None,
                   help="where to run (default: the script's DEVICE, else cpu)")
    p.add_argument("--stats", choices=("off", "basic", "full"), default="basic",
                   help="tensor statistics to record (default: basic)")
    p.add_argument("--timeout", type=positive_finite, default=None, metavar="SECONDS",
                   help="stop after this long (loading the script included) and save what "
                        "was captured")
    p.add_argument("--threads", type=int_at_least(0), default=1, metavar="N",
                   help="BLAS/OpenMP threads for the model's ops (default: 1, fastest for "
                        "small models and honest op times on a busy machine; 0: the "
                        "libraries' default, one per core)")
    p.add_argument("-o", "--output", required=True, help="the session file to write "
                                                         "(here, also with --remote)")
    add_remote_options(p)
    return p.parse_args(argv)


def record_command(argv: list[str]) -> int:
    """`gradscope record`: 0 on success (also after --timeout), 1 on a script error or when
    nothing was captured, 2 on bad arguments or an unwritable output, 128 + the signal's
    number when SIGINT/SIGTERM/SIGHUP ended it (what was captured is saved)."""
    from app.runner.record import Interrupt

    ours, script_args = split_script_args(argv)
    args = _parse_record(ours)
    args.script_args = script_args
    with Interrupt() as interrupt:  # first: a signal must never cost what was captured
        return _record(args, interrupt)


def _record(args: argparse.Namespace, interrupt: Any) -> int:
    from app.runner.progress import ProgressBar  # plain training never needs the runner
    from app.runner.record import Callbacks, record
    from autograd_core.trace import SessionWriter
    from autograd_core.trace.archive import MAX_CAPTURES
    from autograd_core.trace.atomic import OutputPathError, check_output_path

    try:
        remote = remote_target(args)
    except ValueError as exc:
        _say(f"gradscope: {exc}", file=sys.stderr)
        return 2
    if (remote is None or remote.upload) and not Path(args.model).is_file():
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
                        callbacks, sink=sink, interrupt=interrupt, threads=args.threads,
                        args=args.script_args, remote=remote)
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
