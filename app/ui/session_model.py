"""SessionModel: the GUI-side state fed by runner events (or a loaded .gscope file), announced
with past-tense Qt signals. Views read it; only the model changes it. Memory stays bounded: a
window of captures and of loss values, however long the run. Captures from the worker stay
encoded until a view reads them (`capture()`), so a fast run costs the GUI thread little more
than its losses. Captures of an opened session are decoded when first read too; one that
cannot be decoded (a hostile or damaged file, a bad frame) is reported once as an error
event and shows as no capture, never as an exception in Qt's event loop.

A run is one execution of one script, or one opened session (read-only). `start_run` clears
everything the previous run left and announces `run_started`: views reset on that one signal.
Earlier runs are not kept browsable; a run's data is never mixed into another's.
`run_state` is the state the window shows and enables controls by (see `app.ui.run_state`)."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.runner import protocol as p
from app.ui import run_state as rs
from app.ui.session_nan import NanTracking
from app.ui.session_pin import PinTracking
from app.ui.session_remote import RemoteTracking
from autograd_core.trace import SessionFormatError

CAPTURE_WINDOW = 100
LOSS_WINDOW = 10_000


class SessionModel(NanTracking, PinTracking, RemoteTracking, QObject):
    """What the window shows: captures, losses, status, stepping state, errors, selection."""

    loaded = Signal(object)            # protocol.Loaded
    status_changed = Signal(object)    # protocol.Status
    loss_added = Signal(int, float)
    capture_added = Signal(int)        # index of the new capture in `captures`
    capture_selected = Signal(int)     # the capture the views show changed
    stepped = Signal(object)           # protocol.Stepped
    node_selected = Signal(object)     # stable key (or GroupNode), None when cleared
    error_reported = Signal(object)    # protocol.Error
    worker_died = Signal(object)       # protocol.Died
    output_added = Signal(object)      # list of (stream, text) lines, in order
    run_finished = Signal(int)
    session_opened = Signal(str)
    run_started = Signal(object)       # RunInfo of the run that now owns everything shown
    run_state_changed = Signal(str)    # one of run_state.RUN_STATES
    nan_found = Signal(object)         # NanBirth: where the run's first NaN/Inf was born
    pinned_changed = Signal(object)    # the capture pinned for the diff (None: unpinned)
    link_lost = Signal(str)            # a remote worker's link dropped (the reason)

    def __init__(self, window: int = CAPTURE_WINDOW, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.captures: deque = deque(maxlen=window)
        self.losses: deque[tuple[int, float]] = deque(maxlen=LOSS_WINDOW)
        self.status: p.Status | None = None
        self.info: p.Loaded | None = None
        self.errors: list[p.Error] = []
        self.current = -1                 # index into captures; -1 follows the newest
        self.selected: Hashable | None = None
        self.step_records: list[Any] = []  # forward NodeRecords of the iteration being stepped
        self.step_leaves: list[Any] = []   # the params/inputs those ops read (NodeRecords)
        self.last_step: p.Stepped | None = None
        self.iterations_seen = 0
        self.session: Any = None           # the opened trace.Session (None while a script runs)
        self.session_path = ""             # its file
        self.run = RunInfo(0, "none", "")
        self.run_state = rs.NONE
        self._requested = ""               # the last user command that shapes the state
        self._reset_remote()

    # ------------------------------------------------------------------ runs
    def start_run(self, kind: str, path: str) -> RunInfo:
        """Forget everything of the previous run and announce a new one (`kind`: 'script' or
        'session'). Views clear on `run_started`; nothing of the old run survives here."""
        self.close_session()
        self.captures.clear()
        self.losses.clear()
        self.status, self.info, self.errors = None, None, []
        self.current, self.selected = -1, None
        self.step_records, self.step_leaves, self.last_step = [], [], None
        self.iterations_seen, self.session_path = 0, ""
        self._requested = ""
        self._reset_nan()
        self._reset_remote()
        self.unpin()
        self.run = RunInfo(self.run.number + 1, kind, str(path))
        self.run_started.emit(self.run)
        self._set_state(rs.SESSION if kind == "session" else rs.STARTING)
        return self.run

    def note_command(self, name: str) -> None:
        """The user asked for `name` (run, pause, stop, ...): what the next worker states mean
        depends on it (idle after Pause is 'paused', a death after Stop is 'stopped')."""
        self._requested = name
        # Shown at once (the worker confirms within a status interval), so Pause is
        # enabled the moment Run was pressed.
        optimistic = {"restart": rs.STARTING, "set_device": rs.STARTING, "run": rs.RUNNING,
                      "run_until_stopped": rs.RUNNING, "run_one": rs.RUNNING}
        if name in optimistic:
            self._set_state(optimistic[name])

    @property
    def stop_requested(self) -> bool:
        return self._requested == "stop"

    def _set_state(self, state: str) -> None:
        if state != self.run_state:
            self.run_state = state
            self.run_state_changed.emit(state)

    # ------------------------------------------------------------------ events in
    def apply(self, event: Any) -> None:
        """Fold one runner event into the model and announce it."""
        handler = _HANDLERS.get(type(event))
        if handler is not None:
            handler(self, event)

    def _apply_loaded(self, event: p.Loaded) -> None:
        self.info = event
        self.step_records, self.step_leaves = [], []
        self.last_step = None
        self.loaded.emit(event)

    def _apply_status(self, event: p.Status) -> None:
        self.status = event
        self._set_state(rs.from_worker(event.state, self._requested, self.run_state))
        self.status_changed.emit(event)

    def _apply_loss(self, event: p.Loss) -> None:
        self.losses.append((event.iteration, event.value))
        self.loss_added.emit(event.iteration, event.value)

    def _apply_captured(self, event: p.Captured) -> None:
        self.add_capture(event)  # decoded when a view first reads it

    def _apply_stepped(self, event: p.Stepped) -> None:
        if event.phase == "forward":
            if event.index == 0:
                self.step_records, self.step_leaves = [], []
            if event.record is not None:
                self.step_records.append(event.record)
            self.step_leaves.extend(event.leaves)
        self.last_step = event
        self.stepped.emit(event)

    def _apply_finished(self, event: p.Finished) -> None:
        self.step_records, self.step_leaves = [], []
        self.last_step = None
        self.run_finished.emit(event.iteration)

    def _apply_error(self, event: p.Error) -> None:
        if event.kind in ("stopped", "killed") and self.stop_requested:
            self._set_state(rs.STOPPED)
        self.errors.append(event)
        del self.errors[:-50]  # a script failing every iteration must not grow the list forever
        self.error_reported.emit(event)

    def _apply_died(self, event: p.Died) -> None:
        self.step_records, self.step_leaves = [], []
        self.last_step = None
        # A dropped link is not the script failing: say what happened (LinkLost came first).
        self._set_state(rs.ENDED if self.stop_requested else
                        rs.DISCONNECTED if self.link_lost_reason else rs.FAILED)
        self.worker_died.emit(event)

    def _apply_output(self, event: p.Output | p.OutputBatch) -> None:
        lines = event.lines if type(event) is p.OutputBatch else [(event.stream, event.text)]
        self.output_added.emit(lines)  # one signal per batch: views take whole batches

    # ------------------------------------------------------------------ captures
    def add_capture(self, capture: Any) -> None:
        """Append an IterationCapture (or a `Captured` event, decoded on first read)."""
        self._keep_birth()  # the capture where a NaN was born stays in the window
        self.captures.append(capture)
        self.iterations_seen += 1
        self.step_records, self.step_leaves = [], []
        self.last_step = None
        self._check_new_capture(len(self.captures) - 1)
        self.capture_added.emit(len(self.captures) - 1)

    def open_session(self, session: Any, path: str = "") -> None:
        """Show a loaded `trace.Session` (no worker involved). Its captures stay undecoded
        until read; those that fail to decode are reported (file, member and field)."""
        if session is self.session:
            self.session = None  # the same object shown again: start_run must not close it
        self.start_run("session", path)
        self.session, self.session_path = session, path
        total = len(session)
        first = max(0, total - (self.captures.maxlen or total))
        broken = self._read_losses(session, max(0, total - LOSS_WINDOW), total)
        # A capture that failed here is reported already: it shows as none, not a second error.
        shown = list(range(first, total))
        birth = self._session_birth(session, first)  # kept ahead of the window
        if birth is not None:
            shown = [birth, *shown[len(shown) - (self.captures.maxlen or total) + 1:]]
        self.captures.extend(_BROKEN if i in broken else _SessionRef(session, i)
                             for i in shown)
        self.current = -1
        self.session_opened.emit(path)
        if self.captures:
            self.capture_added.emit(len(self.captures) - 1)

    def close_session(self) -> None:
        """Release the file of the opened session (a lazily loaded one keeps it open)."""
        session, self.session = self.session, None
        close = getattr(session, "close", None)
        if close is not None:
            close()

    def _read_losses(self, session: Any, start: int, stop: int) -> set[int]:
        """The loss curve of captures `start..stop-1`; a broken capture is left out, and the
        first failure is reported once with the number of others. Returns the broken ones.
        A file whose index lists the losses is read from there, decoding no capture."""
        index = getattr(session, "loss_index", None)
        if index is not None:
            self.losses.extend((it, loss) for it, loss in index[start:stop] if loss is not None)
            return set()
        failures: dict[int, BaseException] = {}
        for i in range(start, stop):
            try:
                cap = session[i]
                if cap.loss is not None:
                    self.losses.append((int(cap.index), float(cap.loss)))
            except Exception as exc:  # untrusted file: report, do not raise
                failures[i] = exc
        if failures:
            more = f" ({len(failures) - 1} more captures failed too)" if len(failures) > 1 else ""
            self._report(session_error(self.session_path, next(iter(failures.values())), more))
        return set(failures)

    def capture(self) -> Any:
        """The capture the views show: the chosen one, else the newest readable one (None
        before any, or when the chosen one cannot be read)."""
        if 0 <= self.current < len(self.captures):
            return self.capture_at(self.current)
        for index in range(len(self.captures) - 1, -1, -1):  # following: skip broken ones
            cap = self.capture_at(index)
            if cap is not None:
                return cap
        return None

    def capture_at(self, index: int) -> Any:
        """Capture `index` of the window (negative counts from the newest), decoded."""
        item = self.captures[index]
        if type(item) is p.Captured or type(item) is _SessionRef:
            try:
                item = item.capture
            except Exception as exc:  # untrusted data: report, do not raise
                self._report(session_error(self.session_path, exc) if type(item) is _SessionRef
                             else capture_error(item, exc))
                item = None
            self.captures[index] = _BROKEN if item is None else item
            if item is not None:
                self._note_decoded(item)
        return None if item is _BROKEN else item

    def _report(self, error: p.Error) -> None:
        self._apply_error(error)

    def select_capture(self, index: int) -> None:
        """Show capture `index` of the window; -1 (or the last) follows new captures."""
        self.current = -1 if index < 0 or index >= len(self.captures) - 1 else index
        self.capture_selected.emit(index)

    # ------------------------------------------------------------------ selection
    def select_node(self, key: Hashable | None) -> None:
        if key != self.selected:
            self.selected = key
            self.node_selected.emit(key)

    def record_of(self, key: Hashable | None) -> Any:
        """What the inspector shows for `key`: its NodeRecord in the shown capture, the
        stepped record, the group, or the capture itself when nothing is selected."""
        if key is None:
            return self.capture()
        for rec in (*self.step_records, *self.step_leaves):
            if rec.key == key:
                return rec
        cap = self.capture()
        if cap is not None and isinstance(key, str):
            node = cap.node_by_key(key)
            if node is not None:
                return node
        return key


class RunInfo:
    """Which run the window shows: a number (one more per run), its kind and its file."""

    __slots__ = ("kind", "number", "path")

    def __init__(self, number: int, kind: str, path: str) -> None:
        self.number, self.kind, self.path = number, kind, path

    def __repr__(self) -> str:
        return f"RunInfo({self.number}, {self.kind!r}, {self.path!r})"


class _SessionRef:
    """Capture `index` of an opened session, decoded (and validated) on first read."""

    __slots__ = ("index", "session")

    def __init__(self, session: Any, index: int) -> None:
        self.session, self.index = session, index

    @property
    def capture(self) -> Any:
        return self.session[self.index]


_BROKEN = object()  # stands in for a capture that failed to decode (reported once)


def session_error(path: str, exc: BaseException, more: str = "") -> p.Error:
    """The error event for a session file that cannot be read: the file first, then what is
    wrong (a SessionFormatError names the member and field)."""
    what = str(exc) if isinstance(exc, SessionFormatError) else f"{type(exc).__name__}: {exc}"
    return p.Error("session", f"cannot read this session: {what}{more}",
                   location=str(path or "session"))


def capture_error(event: Any, exc: BaseException) -> p.Error:
    """The error event for a worker's capture that cannot be decoded."""
    return p.Error("internal", f"iteration {getattr(event, 'iteration', '?')}: the capture "
                   f"could not be read ({type(exc).__name__}: {exc})")


_HANDLERS = {
    p.Loaded: SessionModel._apply_loaded,
    p.Status: SessionModel._apply_status,
    p.Loss: SessionModel._apply_loss,
    p.Captured: SessionModel._apply_captured,
    p.Stepped: SessionModel._apply_stepped,
    p.Finished: SessionModel._apply_finished,
    p.Error: SessionModel._apply_error,
    p.Died: SessionModel._apply_died,
    p.Output: SessionModel._apply_output,
    p.OutputBatch: SessionModel._apply_output,
}
# A remote worker's events (protocol versions without them simply never send them).
for _name, _handler in (("Source", SessionModel._apply_source),
                        ("LinkLost", SessionModel._apply_link_lost)):
    if hasattr(p, _name):
        _HANDLERS[getattr(p, _name)] = _handler
