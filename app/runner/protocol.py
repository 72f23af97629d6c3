"""Commands (driver -> worker) and events (worker -> driver): plain dataclasses over a pipe.

They travel as JSON messages in frames (`messages`, `frames`): plain data (numbers, strings,
shapes and the trace's plain records), never pickles, live arrays or engine objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Worker states, as reported by `Status.state`.
LOADING = "loading"      # executing the script file
IDLE = "idle"            # loaded, waiting for a command
RUNNING = "running"      # running iterations
STEPPING = "stepping"    # blocked inside the engine hook, waiting for the next step command
ERROR = "error"          # the script failed to load; only Restart (or SetDevice) helps
DEAD = "dead"            # the worker process is gone (driver-side state)
STATES = (LOADING, IDLE, RUNNING, STEPPING, ERROR, DEAD)

# 'none' records nothing; 'off', 'basic', 'full' are the trace's statistics levels ('off':
# graph structure and timings only).
RECORD_LEVELS = ("none", "off", "basic", "full")


# ----------------------------------------------------------------------------- commands
@dataclass(slots=True)
class Run:
    """Run `iterations` iterations, or until paused when None."""

    iterations: int | None = None


@dataclass(slots=True)
class Pause:
    """Stop running at the end of the current iteration."""


@dataclass(slots=True)
class StepForward:
    """Run until the next forward op has run, then block (starts an iteration when idle)."""


@dataclass(slots=True)
class StepBackward:
    """Run until the next backward node has run, then block (skips remaining forward ops)."""


@dataclass(slots=True)
class FinishIteration:
    """Leave step mode and run to the end of the current iteration."""


@dataclass(slots=True)
class Stop:
    """Abandon the current iteration at the next op (the driver kills after a grace period)."""


@dataclass(slots=True)
class Restart:
    """Reload the script (re-read from disk) in a fresh namespace."""


@dataclass(slots=True)
class SetDevice:
    """Change the default device ('cpu' or 'cuda') and reload the script on it."""

    device: str = "cpu"


@dataclass(slots=True)
class SetRecording:
    """Recording level (see RECORD_LEVELS), recording one iteration in every `every`."""

    level: str = "basic"
    every: int = 1


@dataclass(slots=True)
class Shutdown:
    """Leave the worker's main loop and exit cleanly."""


@dataclass(slots=True)
class Ping:
    """The driver is listening (sent about once a second): the worker answers `Pong(t)` from
    its command reader at once, and a remote worker that hears nothing for its watchdog
    period ends itself."""

    t: float = 0.0  # the driver's monotonic clock at sending


Command = (Run | Pause | StepForward | StepBackward | FinishIteration | Stop | Restart
           | SetDevice | SetRecording | Shutdown | Ping)


# ------------------------------------------------------------------------------- events
@dataclass(slots=True)
class Loaded:
    """The script loaded: what it defines and where it runs."""

    path: str
    device: str
    iterations: int | None   # the script's ITERATIONS, if any
    model_type: str          # class name of `model`
    host: str = ""           # the worker's hostname
    devices: tuple = ()      # (name, label) per usable device there: ("cpu", "CPU"),
                             # ("cuda:0", "NVIDIA H200, 139 GiB")


@dataclass(slots=True)
class Status:
    """Where the worker stands. `iteration` counts completed iterations since load."""

    state: str
    iteration: int
    its_per_sec: float = 0.0
    device: str = "cpu"
    memory_bytes: int = 0    # resident memory (CPU) or the CuPy pool in use (CUDA)
    threads: int = 1         # BLAS/OpenMP threads the ops run with (WorkerOptions.threads,
                             # or what the libraries use by default when that is 0)


@dataclass(slots=True)
class Loss:
    iteration: int
    value: float


@dataclass(slots=True)
class Output:
    """One line the script printed (`stream` is 'stdout' or 'stderr'), without its newline."""

    stream: str
    text: str


@dataclass(slots=True)
class OutputBatch:
    """Lines the script printed, in order, as one event: `lines` holds (stream, text) pairs.

    The worker's sender folds queued `Output` events into batches of at most
    `OUTPUT_BATCH_LINES` lines (and about `OUTPUT_BATCH_CHARS` characters), so a script that
    prints thousands of lines costs the window one event per batch, not one per line.
    """

    lines: list[tuple[str, str]]

    def outputs(self) -> list[Output]:
        """The batch as single-line `Output` events."""
        return [Output(stream, text) for stream, text in self.lines]


OUTPUT_BATCH_LINES = 1000
OUTPUT_BATCH_CHARS = 1 << 20


@dataclass(slots=True)
class Error:
    """Something failed. `kind`: 'syntax', 'script' (missing/wrong model or step), 'exception'
    (raised at import or inside step), 'device' (CUDA asked for but unusable), 'stopped' (the
    user's Stop ended an iteration: "stopped by you at FILE:LINE", also when the worker had to
    be killed after the grace period), 'killed' (the worker was killed for another reason),
    'warning' (not a failure: e.g. DEVICE fell back to the CPU),
    'internal' (a bug in the runner or the recorder, not in the script), 'timeout' (loading
    outlasted `gradscope record --timeout`).

    `message` is the one line to show; `location` is 'file:line' (or 'file:line:col') of the
    user's code when known; `details` is the trimmed traceback.
    """

    kind: str
    message: str
    location: str = ""
    details: str = ""
    iteration: int | None = None
    exitcode: int | None = None


@dataclass(slots=True)
class Stepped:
    """Step mode: one forward op or backward node just ran, and the worker now waits.

    `index` counts ops (forward) or nodes (backward) within the iteration; `name` is the op
    class (forward) or node name (backward); `record` is the trace's record when recording, and
    `leaves` the NodeRecords of the params and inputs this op was the first to read (so a view
    of the ops run so far can show what feeds them, as the full graph does).
    """

    phase: str
    index: int
    iteration: int
    name: str
    inputs: tuple = ()       # shapes of the inputs (forward) or incoming grads (backward)
    outputs: tuple = ()      # shapes of the outputs (forward) or outgoing grads (backward)
    record: Any = None
    leaves: tuple = ()


@dataclass(slots=True)
class Captured:
    """One recorded iteration: `capture` is the trace's `IterationCapture` (plain records).

    Over the pipe the capture travels as its own packet (the session file's JSON and its
    thumbnails, see `messages.encode_capture`), decoded and validated on first read of
    `capture`: a viewer that falls behind a fast run keeps every capture of its window but
    decodes only those it shows (a capture is ~10x cheaper to carry as bytes than to decode).
    """

    iteration: int
    payload: Any  # the IterationCapture, or its packet (bytes) as it came off the pipe
    # The capture holds a NaN/Inf (its health names an origin): set by the worker, so the
    # window finds where a NaN was born without decoding every capture, and never thins it.
    nonfinite: bool = False

    @classmethod
    def of(cls, iteration: int, capture: Any) -> Captured:
        """The event for `capture`, flagged when its health names a NaN/Inf origin."""
        health = getattr(capture, "health", None)
        return cls(iteration, capture, getattr(health, "first_nonfinite", None) is not None)

    @property
    def capture(self) -> Any:
        """The capture; raises (FrameError, SessionFormatError) when its packet is bad."""
        if type(self.payload) is bytes:
            from app.runner.messages import decode_capture

            self.payload = decode_capture(self.payload)
        return self.payload

    def encode(self) -> None:
        """Encode the capture in place (the worker's sender does this before sending)."""
        if type(self.payload) is not bytes:
            from app.runner.messages import encode_capture

            self.payload = encode_capture(self.payload)


@dataclass(slots=True)
class Finished:
    """A `Run(n)` completed its n iterations (or an iteration finished after a step)."""

    iteration: int
    elapsed: float


@dataclass(slots=True)
class Died:
    """Driver-side: the worker process ended. `signal` is set when a signal killed it."""

    exitcode: int | None
    signal: str | None = None
    message: str = ""


@dataclass(slots=True)
class Pong:
    """The worker's answer to `Ping(t)` (the driver consumes it: round-trip time)."""

    t: float = 0.0


@dataclass(slots=True)
class Source:
    """A remote worker's copy of a user source file that a capture names (sent once per
    file, before the `Captured` event that first names it): the window shows its lines."""

    path: str
    text: str


@dataclass(slots=True)
class LinkLost:
    """Driver-side, remote only: the ssh transport ended without the worker saying it was
    ending (`reason` names why); `Died` follows, and everything received stays received."""

    reason: str


Event = (Loaded | Status | Loss | Output | OutputBatch | Error | Stepped | Captured | Finished
         | Died | Pong | Source | LinkLost)


@dataclass(slots=True)
class WorkerOptions:
    """What the worker needs at start-up."""

    path: str
    device: str | None = None        # None: the script's DEVICE, else 'cpu'
    record: str = "basic"
    every: int = 1
    status_interval: float = 0.25    # seconds between Status events while running
    keep_captures: int | None = None  # a viewer's window: older captures of a backlog
                                      # are not sent (None: send every capture)
    extra_sys_path: list[str] = field(default_factory=list)
    threads: int = 1                 # BLAS/OpenMP threads (set in the environment before
                                     # numpy loads); 0: the libraries' default (all cores)
    dump_fd: int | None = None       # inherited file for faulthandler's stacks on SIGUSR1
    args: list[str] = field(default_factory=list)  # the script's own command-line arguments
                                                   # (its sys.argv[1:])
    remote: bool = False             # started over ssh (--stdio): compress large frames,
                                     # send Source events, watch for the driver's pings
    watchdog: float | None = None    # seconds without any command or Ping before the worker
                                     # ends itself (None: never, as local workers)
    cleanup_dir: str | None = None   # an uploaded script's temporary folder, removed at exit
