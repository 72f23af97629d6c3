"""The Output dock: what the script prints, shown without ever stalling the window.

Lines arrive in batches (`protocol.OutputBatch`); `OutputView.add_lines` only hands them to the
run's log (`run_log.RunLog`, written by its own thread) and queues them, and the view takes
the queue in at most once a frame, as one insert. The queue and the view are bounded: when a
flood outruns them, the oldest lines give way to a "N lines not shown" marker, and the whole
text stays in the log file ("Open full output"). The view follows new lines unless the user
scrolled up; then it stays put, counting what waits below, until they scroll back to the
bottom.
"""

from __future__ import annotations

import os
import tempfile
import time
from bisect import bisect_left
from collections import deque
from itertools import accumulate, islice
from operator import itemgetter
from pathlib import Path

from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QToolButton, QVBoxLayout, QWidget

from app.ui.run_log import RunLog
from app.ui.text import clip, plain_label

MAX_LINES = 2000          # lines the view holds (and the queue between two frames)
MAX_LINE = 5_000          # characters shown of one line: a 1 MB line took 53 s to lay out,
                          # and wrapped in a narrow dock 20k took 35 ms (the log has it all)
MAX_CHARS = 250_000       # characters the view holds (and the queue): long lines mean
                          # fewer of them (2,000 lines of 20k characters took 0.8 s to set;
                          # a frame's layout cost grows with them, and with a narrower dock)
FRAME_S = 0.016           # the view takes queued lines in at most once per frame
REBUILD_AFTER = 200       # lines pushed out of the view past which it is set anew
REBUILD_CHARS = 20_000    # ... or characters


def default_log_dir() -> Path:
    """Where run logs go: a per-user folder in the system's temporary directory."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"gradscope-output-{uid}"


class OutputView(QPlainTextEdit):
    """Read-only text of the current run's output. Signal: backlog_changed(hidden, below):
    lines dropped from the view so far, and lines waiting while the user is scrolled up."""

    backlog_changed = Signal(int, int)

    def __init__(self, log_dir: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        # No maximumBlockCount: `_show` trims by lines and characters itself.
        self.log_dir = log_dir or default_log_dir()
        self.log = RunLog(self.log_dir)
        self.following = True
        self.hidden = 0                        # lines of this run the view will never show
        self._queue: deque[str] = deque()
        self._queued_chars = 0
        self._last_frame = 0.0
        self._cost = 0.0                       # seconds the last flush took
        self._shown: deque[str] = deque()      # the view's lines, for trims and rebuilds
        self._shown_chars = 0
        self._frame = QTimer(self)
        self._frame.setSingleShot(True)
        self._frame.timeout.connect(self.flush)
        self._appending = False
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._on_scrollbar_value_changed)

    @property
    def log_path(self) -> Path | None:
        """The current run's full output (None until it printed something)."""
        return self.log.path

    def new_run(self) -> None:
        """Forget the shown run: empty view and queue, and a new log file for the next."""
        self._frame.stop()
        self._queue.clear()
        self._queued_chars = self.hidden = 0
        self.log.close()
        self.log = RunLog(self.log_dir)
        self.following = True
        self._shown.clear()
        self._shown_chars = 0
        super().clear()
        self.backlog_changed.emit(0, 0)

    def clear(self) -> None:  # a run's output is cleared only with the run
        self.new_run()

    def add_lines(self, lines: list[tuple[str, str]]) -> None:
        """Take printed (stream, text) lines: logged now, shown by the next frame."""
        texts = list(map(itemgetter(1), lines))
        if not set(map(type, texts)) <= {str}:
            texts = [text if type(text) is str else str(text) for text in texts]
        self.log.write(texts)
        if len(texts) >= MAX_LINES:  # the batch alone fills the view: what was queued goes
            self.hidden += len(self._queue) + len(texts) - MAX_LINES
            self._queue.clear()
            self._queued_chars = 0
            texts = texts[-MAX_LINES:]
        # Per-line Python passes cost ~1 ms a batch under a flood: lengths are taken in C,
        # and a line is clipped only when one is long.
        lengths = list(map(len, texts))
        if lengths and max(lengths) > MAX_LINE:
            texts = [t if len(t) <= MAX_LINE else clip(t, MAX_LINE) for t in texts]
            lengths = list(map(len, texts))
        self._queue.extend(texts)
        self._queued_chars += sum(lengths)
        self._trim_queue()
        self._schedule()

    def _trim_queue(self) -> None:
        """Drop the oldest queued lines beyond what one frame may show (counted as hidden)."""
        drop, chars = _oldest_beyond(self._queue, self._queued_chars, keep=0)
        if drop:
            self._queue = deque(islice(self._queue, drop, None))
            self._queued_chars -= chars
            self.hidden += drop

    def _schedule(self) -> None:
        """Flush now when the last frame is a frame ago (a lone line shows at once), else
        once the frame is over."""
        if not self.following:
            self.backlog_changed.emit(self.hidden, len(self._queue))
            return
        # Under a flood the view takes at most a fifth of the loop's time.
        wait = self._last_frame + max(FRAME_S, 4 * self._cost) - time.perf_counter()
        if wait <= 0:
            self.flush()
        elif not self._frame.isActive():
            self._frame.start(max(1, int(wait * 1000)))

    def flush(self) -> None:
        """Show the queued lines now (one insert), unless the user is scrolled up."""
        self._frame.stop()
        started = time.perf_counter()
        self._last_frame = started
        self.log.flush(wait=False)  # the writer thread flushes; the view never waits on disk
        if not self._queue or not self.following:
            return
        lines, hidden = list(self._queue), self.hidden
        self._queue.clear()
        self._queued_chars = self.hidden = 0
        if hidden:
            if len(lines) >= MAX_LINES:  # room for the marker in the view's bounded blocks
                del lines[0]
                hidden += 1
            lines.insert(0, f"[{hidden} lines not shown: Open full output for every line]")
        self._show(lines)
        self._cost = time.perf_counter() - started
        self.backlog_changed.emit(0, 0)

    def _show(self, lines: list[str]) -> None:
        """Append `lines`, push the oldest out past `MAX_LINES` or `MAX_CHARS`, and scroll to
        the end. When many are pushed out the text is set anew from `_shown`: Qt removes
        blocks one by one (2,000 took 21 ms where setting 2,000 lines took 2)."""
        self._shown.extend(lines)
        self._shown_chars += sum(map(len, lines))
        dropped, dropped_chars = _oldest_beyond(self._shown, self._shown_chars, keep=1)
        if dropped:
            self._shown = deque(islice(self._shown, dropped, None))
            self._shown_chars -= dropped_chars
        self._appending = True
        try:
            # Removing blocks costs by their characters (100 lines of 2,000: 40 ms).
            if (dropped > min(REBUILD_AFTER, len(self._shown) - len(lines))
                    or dropped_chars > REBUILD_CHARS):
                self.setPlainText("\n".join(self._shown))
            else:
                self.appendPlainText("\n".join(lines))
                if dropped:
                    self._remove_first_blocks(dropped)
            bar = self.verticalScrollBar()
            bar.setValue(bar.maximum())
        finally:
            self._appending = False

    def _remove_first_blocks(self, count: int) -> None:
        cursor = QTextCursor(self.document())
        cursor.movePosition(QTextCursor.Start)
        cursor.movePosition(QTextCursor.NextBlock, QTextCursor.KeepAnchor, count)
        cursor.removeSelectedText()

    def _on_scrollbar_value_changed(self, value: int) -> None:
        if self._appending:
            return
        following = value >= self.verticalScrollBar().maximum()
        if following != self.following:
            self.following = following
            if following:
                self.flush()
            else:
                self.backlog_changed.emit(self.hidden, len(self._queue))

    def open_full_output(self) -> bool:
        """Open the run's log file in the system's viewer; False when there is none."""
        self.log.flush()
        path = self.log_path
        return path is not None and QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _oldest_beyond(lines: deque[str], chars: int, keep: int) -> tuple[int, int]:
    """How many of the oldest `lines` (holding `chars` characters) must go so that at most
    `MAX_LINES` and `MAX_CHARS` remain, keeping at least `keep`; and their characters.
    Sums and searches run in C: a flood pushes out ~1,000 lines a batch."""
    n = len(lines)
    drop = max(0, n - MAX_LINES)
    if chars <= MAX_CHARS and not drop:
        return 0, 0
    lengths = list(map(len, lines))
    gone = sum(lengths[:drop])
    excess = chars - gone - MAX_CHARS
    if excess > 0:  # still too many characters: the fewest further lines that cover them
        drop += bisect_left(list(accumulate(lengths[drop:])), excess) + 1
    drop = min(drop, n - keep) if n > keep else 0
    return drop, sum(lengths[:drop])


class OutputPanel(QWidget):
    """The Output dock's widget: the view, a line saying what waits or was dropped, and an
    "Open full output" button."""

    def __init__(self, log_dir: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = OutputView(log_dir)
        self.note = plain_label("")
        self.open_button = QToolButton()
        self.open_button.setText("Open full output")
        self.open_button.setToolTip("Every line this run printed, in a text file")
        self.open_button.clicked.connect(self.view.open_full_output)
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 0, 4, 0)
        bar.addWidget(self.note, 1)
        bar.addWidget(self.open_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addLayout(bar)
        lay.addWidget(self.view, 1)
        self.view.backlog_changed.connect(self._on_view_backlog_changed)

    def _on_view_backlog_changed(self, hidden: int, below: int) -> None:
        parts = []
        if below:
            parts.append(f"{below + hidden:,} new lines below: scroll to the end to follow")
        elif hidden:
            parts.append(f"{hidden:,} lines not shown")
        self.note.setText("; ".join(parts))
