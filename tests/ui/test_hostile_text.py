"""Names and messages from sessions and the worker are shown literally, never as markup.

A session is recorded from a real model, its names (ops, keys, modules, sources, functions,
dtypes, devices, backward names, health entries, script) are replaced with markup, control
characters and very long strings, saved with `trace.save` and opened in the real window.
Then every widget is walked: labels that show data are plain text, tooltips are escaped, the
text on screen equals the raw name, and no `<img src=...>` was ever loaded (a probe file is
watched with inotify; `/dev/zero` would hang the test into its timeout or abort it).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from PySide6 import QtGui
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QHelpEvent, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QPlainTextEdit,
    QTextEdit,
    QToolTip,
    QTreeWidget,
    QWidget,
)

import autograd_core as ag
from app.layout import GroupNode
from app.runner import protocol as p
from app.ui.graph_view import summary
from app.ui.text import plain_tooltip
from autograd_core import nn, optim, trace
from autograd_core.trace.records import NonFiniteOrigin
from autograd_core.trace.text import safe_text

pytestmark = pytest.mark.timeout(240)  # a /dev/zero read never ends: fail, do not hang

MARKUP = ("<img src=/dev/zero>", "<h1>SPOOF</h1>", "<a href='x'>click</a>", "<b>bold</b>",
          "&amp;", "<table><tr><td>cell")
CONTROL = "\x1b[31m\x07\x08\u202e\r"
LONG = ("<h1>LONG</h1>" + "x" * 1950 + "<img src=/dev/zero>") * 2  # within the codec limit


# ---------------------------------------------------------------------- a hostile session
def _hostile(i: int, what: str, probe: Path) -> str:
    """A distinct hostile string per record and field: markup, controls, a probe image."""
    mark = MARKUP[i % len(MARKUP)]
    extra = f"<img src='{probe}'>" if i % 2 == 0 else CONTROL
    return LONG if (i, what) == (1, "source") else f"{mark}{what}{i}{extra}"


def _record_session() -> trace.Session:
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    opt = optim.SGD(model.parameters(), lr=0.1)
    x, y = ag.randn(5, 3), ag.tensor([0, 1, 0, 1, 1])

    def step(i: int):
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    with trace.record(model, stats="basic", script="plain.py") as rec:
        wrapped = rec.wrap(step)
        for i in range(2):
            wrapped(i)
    return rec.session


def _poison(session: trace.Session, probe: Path) -> None:
    """Every name in every capture becomes hostile (the same per node in each capture, so
    keys stay stable across iterations)."""
    session.script = f"/tmp/<h1>SPOOF</h1>/{CONTROL}model.py"
    for cap in session.captures:
        for i, n in enumerate(cap.nodes):
            h = _hostile(i, "", probe)
            n.key = f"{n.kind}:{h}key" if n.kind != "op" else f"{h}key"
            n.op = _hostile(i, "op", probe)
            n.module = f"m{i}.{_hostile(i, 'module', probe)}"
            n.source = _hostile(i, "source", probe)
            n.function = _hostile(i, "function", probe)
        for i, meta in cap.tensors.items():
            meta.dtype, meta.device = f"<b>f32</b>{i}", f"<img src=/dev/zero>{i}"
        for i, b in enumerate(cap.backward):
            b.name = _hostile(i, "backward", probe)
        cap.health.first_nonfinite = NonFiniteOrigin(0, cap.nodes[0].key, "forward",
                                                     _hostile(3, "nf", probe), "output", 1, 0)
        cap.health.param_grad_norms = {_hostile(i, "param", probe): 1.0 + i for i in range(3)}
        cap.health.vanishing = (_hostile(5, "vanish", probe),)


@pytest.fixture
def probe(tmp_path):
    """A file named in `<img src=...>` all over the session; nothing may open it."""
    path = tmp_path / "probe.png"
    path.write_bytes(b"not an image")
    with OpenWatch(path) as watch:
        yield watch


@pytest.fixture
def hostile_file(tmp_path, probe) -> tuple[Path, trace.Session]:
    session = _record_session()
    _poison(session, probe.path)
    path = tmp_path / "<h1>SPOOF & [*] <img src=probe.png> run.gscope"
    trace.save(session, path)
    return path, trace.load(path)


@pytest.fixture
def hostile_window(session_window, hostile_file, qtbot):
    path, _ = hostile_file
    window = session_window(path)
    window.presenter.set_collapsed(frozenset())  # every op drawn as its own box
    qtbot.waitUntil(lambda: any(i.kind == "op" for i in window.scene.nodes.values()),
                    timeout=10_000)
    return window


# ---------------------------------------------------------------------- the checks
def _raw_marks(text: str) -> list[str]:
    """Markup from the data that appears unescaped in `text`."""
    found = [m for m in MARKUP if m != "&amp;" and m in text]
    return found + (["<img"] if "<img" in text else [])


def _shown_text(tip: str) -> str:
    """What Qt shows for a tooltip: rich text rendered to characters, else the text."""
    if not QtGui.Qt.mightBeRichText(tip):  # the QtGui namespace has this function
        return tip
    assert not _raw_marks(tip), f"unescaped markup in a tooltip: {tip[:200]!r}"
    doc = QTextDocument()  # safe now: the only markup left is the helper's own
    doc.setHtml(tip)
    return doc.toPlainText()


def _check_tooltip(tip: str, raw: str | None = None) -> None:
    shown = _shown_text(tip)
    if raw is not None:
        wanted = raw.replace("\x00", "\ufffd").replace("\r", "\n")
        # The graph's own texts show control characters as visible escapes (`\x1b`).
        assert wanted[:500] in shown or safe_text(raw)[:500] in shown, \
            f"tooltip does not show {raw[:80]!r}: {shown[:200]!r}"


def _walk(window: QWidget) -> int:
    """Check every widget of the window (and any tooltip on screen); returns how many
    texts were looked at, so the walk cannot silently check nothing."""
    seen = 0
    widgets = window.findChildren(QWidget) + [w for w in QApplication.topLevelWidgets()
                                              if w.objectName() == "qtooltip_label"]
    for w in widgets:
        if isinstance(w, QLabel) and w.objectName() != "qtooltip_label":
            assert w.textFormat() == Qt.PlainText, f"QLabel {w.text()[:80]!r} is not plain"
            seen += 1
        if isinstance(w, (QTextEdit,)):
            assert not w.acceptRichText() or not _raw_marks(w.toHtml())
        if w.toolTip():
            _check_tooltip(w.toolTip())
            seen += 1
        if isinstance(w, QTreeWidget):
            seen += _walk_tree(w)
        if isinstance(w, QComboBox):
            for i in range(w.count()):
                _check_tooltip(w.itemData(i, Qt.ToolTipRole) or "")
        if isinstance(w, QAbstractButton):
            assert not _raw_marks(w.text())
    for action in window.findChildren(type(window.actions["run"])):
        _check_tooltip(action.toolTip())
    return seen


def _walk_tree(tree: QTreeWidget) -> int:
    seen = 0
    stack = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    while stack:
        item = stack.pop()
        for col in range(tree.columnCount()):
            _check_tooltip(item.toolTip(col), item.text(col) or None)
            seen += 1
        stack.extend(item.child(i) for i in range(item.childCount()))
    return seen


def _rows(panel) -> dict[str, str]:
    tree = panel.tree
    return {tree.topLevelItem(i).text(0): tree.topLevelItem(i).text(1)
            for i in range(tree.topLevelItemCount())}


# ---------------------------------------------------------------------- tests
def test_hostile_names_show_literally_in_the_inspector_and_every_widget(qtbot, hostile_window,
                                                                      hostile_file, probe):
    w = hostile_window

    cap = w.model.capture()
    assert w.windowTitle().startswith("Gradscope — <h1>SPOOF & [*][*] <img")  # [*] kept
    ops = [n for n in cap.nodes if n.kind == "op"]
    # Boxes show the name with control characters made visible (`\x1b`), as the exports do.
    assert ops and all(w.scene.nodes[n.key].label == safe_text(n.op) for n in ops)
    for node in cap.nodes:
        w.model.select_node(node.key)
        panel = w.inspector.current_panel()
        assert panel.objectName() == "NodePanel"
        assert panel.title.text() == f"{node.label}  {node.source}"   # the literal name
        assert panel.title.textFormat() == Qt.PlainText
        rows = _rows(panel)
        assert (rows["key"], rows["source"], rows["function"]) == (node.key, node.source,
                                                                  node.function)
        assert rows["module"] == node.module
        # A 4,000-character name must not stretch the window (it once grew to 15,000 px).
        assert w.inspector.minimumSizeHint().width() < 2000
        _walk(w)
    assert w.scene.frames
    for frame in w.scene.frames.values():                            # frame titles: elided
        title = frame.fitted_title()
        assert title == frame.path or ("…" in title and title.replace("…", "") in frame.path)
    w.model.select_node(GroupNode(ops[0].module))                    # a module's panel
    assert w.inspector.current_panel().title.text().startswith(f"module {ops[0].module}")
    w.model.select_node(None)                                        # the capture's health
    qtbot.waitUntil(lambda: w.inspector.current_panel().objectName() == "CapturePanel",
                    timeout=5_000)
    rows = _rows(w.inspector.current_panel())
    assert cap.health.first_nonfinite.source in rows["first NaN/Inf"]
    assert rows["vanishing"] == cap.health.vanishing[0]
    assert _walk(w) > 20
    assert probe.opened() == [], "a widget loaded an <img> named in the data"


def test_hover_summaries_and_timeline_tooltips_are_escaped(qtbot, hostile_window, probe):
    w = hostile_window
    w.view.fit()
    cap = w.model.capture()
    for node in cap.nodes:
        item = w.scene.nodes.get(node.key)
        if item is None:
            continue
        tip = summary(w.scene, node.key)
        _check_tooltip(tip, node.label)
        if node.kind == "op":
            _check_tooltip(tip, node.source)
        # The real hover path: a tooltip event over the box shows the summary on screen.
        w.view.centerOn(item)
        pos = w.view.mapFromScene(item.scenePos())
        QApplication.sendEvent(w.view.viewport(), QHelpEvent(
            QEvent.ToolTip, pos, w.view.viewport().mapToGlobal(pos)))
        shown = _shown_text(QToolTip.text())
        assert safe_text(node.label)[:300] in shown
    timeline = w.timeline
    timeline.set_capture(cap)
    timeline.resize(2400, 120)
    timeline.repaint()
    bars = [(r, key, label) for r, key, _phase, label, _t in timeline._bars]
    assert bars
    for rect, _key, label in bars:
        tip = timeline.tip_at(rect.center())
        _check_tooltip(tip, label)
    rect = bars[0][0]
    centre = rect.center().toPoint()
    QApplication.sendEvent(timeline, QHelpEvent(QEvent.ToolTip, centre,
                                                timeline.mapToGlobal(centre)))
    _check_tooltip(QToolTip.text(), bars[0][2])
    _walk(w)
    assert probe.opened() == []


def test_worker_errors_output_and_status_show_literally(qtbot, hostile_window, probe):
    w = hostile_window
    message = f"ValueError: <h1>SPOOF</h1> <img src='{probe.path}'>{CONTROL}"
    location = f"/tmp/<a href='x'>click</a>/<img src=/dev/zero>.py:7{CONTROL}"
    details = "Traceback:\n  <b>frame</b>\n" + LONG[:200] + "\n&amp; last"
    w.model.apply(p.Error("exception", message, location=location, details=details))
    panel = w.error_panel
    assert panel.isVisible()
    assert (panel.location.text(), panel.message.text()) == (location, message)
    assert panel.details.text() == details.strip()
    assert panel.minimumSizeHint().width() < 2000  # long lines wrap or clip
    for label in (panel.location, panel.message, panel.details):
        assert label.textFormat() == Qt.PlainText
    w.model.apply(p.Died(exitcode=1, message=message))
    assert panel.message.text() == message
    w.model.apply(p.Error("warning", f"<h1>SPOOF</h1> fell back {CONTROL}\nsecond line"))
    assert w.statusBar().currentMessage().startswith("<h1>SPOOF</h1> fell back")
    w.model.apply(p.Output("stdout", f"<img src='{probe.path}'> <b>out</b>"))
    assert f"<img src='{probe.path}'> <b>out</b>" in w.output.toPlainText()
    assert isinstance(w.output, QPlainTextEdit)
    w.model.apply(p.Output("stdout", "<b>" + "y" * 1_000_000))     # laid out whole: ~1 min
    w.output.flush()                        # the view takes lines in once a frame
    last = w.output.document().lastBlock().text()
    assert last.startswith("<b>yyy") and len(last) < 30_000 and "more characters" in last
    w.model.apply(p.Status(state="<h1>SPOOF</h1>", iteration=1, device="<b>cuda</b>"))
    w._on_status_timer_timeout()
    assert "<b>cuda</b>" in w.state_label.text()
    w.settings.add_recent("/tmp/a&b<h1>x</h1>\t.py")
    w._fill_recent()
    entry = w.recent_menu.actions()[0]
    assert entry.text() == "/tmp/a&&b<h1>x</h1> .py"                # '&' shown, not a mnemonic
    assert _walk(w) > 10
    assert probe.opened() == []


def test_the_tooltip_helper_escapes_everything_and_keeps_line_breaks():
    tip = plain_tooltip("a <img src=/dev/zero>\n&amp; b", title="<h1>T</h1>")
    assert "<img" not in tip and "<h1>" not in tip and "&amp;amp;" in tip
    doc = QTextDocument()
    doc.setHtml(tip)
    assert doc.toPlainText() == "<h1>T</h1>\na <img src=/dev/zero>\n&amp; b"
    assert plain_tooltip("") == ""


# ---------------------------------------------------------------------- broken files
def test_a_file_that_is_not_a_session_shows_its_name_and_the_window_keeps_working(
        qtbot, session_window, tmp_path):
    bad = tmp_path / "<img src=dev-zero> notes.gscope"
    bad.write_bytes(b"<h1>not a zip</h1>")
    w = session_window(bad, expect_graph=False)
    panel = w.error_panel
    assert panel.isVisible() and panel.location.text() == str(bad)
    assert "not a .gscope session" in panel.message.text() or "zip" in panel.message.text()
    w.view.fit()                                                     # still responds
    assert w.model.capture() is None


def test_a_capture_with_a_bad_field_names_the_member_and_field(qtbot, session_window,
                                                              hostile_file, tmp_path):
    good, _ = hostile_file
    bad = tmp_path / "broken.gscope"
    _rewrite_member(good, bad, "captures/000001.json",
                    lambda obj: _set_first_time(obj, "<img src=/dev/zero>"))
    w = session_window(bad, expect_graph=False)
    panel = w.error_panel
    qtbot.waitUntil(panel.isVisible, timeout=5_000)
    assert panel.location.text() == str(bad)
    # Where the file is read lazily, the readable capture is drawn; else nothing is.
    assert w.model.capture() is None or w.model.capture().index == 0
    text = panel.message.text()
    assert "captures/000001.json" in text and "time_ns" in text, text
    assert panel.message.textFormat() == Qt.PlainText
    w.view.fit()
    w.model.select_capture(0)                                        # the good one still shows
    w._on_status_timer_timeout()
    w.model.select_capture(1)                                        # the bad one: no raise...
    w._on_status_timer_timeout()
    said = [e for e in w.model.errors if "captures/000001.json" in e.message]
    assert len(said) <= 1                                            # ...and no second message


def test_a_worker_capture_that_cannot_be_decoded_is_reported_not_raised(qtbot, session_window,
                                                                       hostile_file):
    path, _ = hostile_file
    w = session_window(path)
    before = len(w.model.errors)
    newest = w.model.capture().index
    w.model.apply(p.Captured(iteration=7, payload=b"\x80\x05<img src=/dev/zero>"))
    assert w.model.capture().index == newest                         # the last good one stays
    assert len(w.model.errors) == before + 1                         # ...and why, said once
    assert w.model.capture().index == newest and len(w.model.errors) == before + 1  # read again
    qtbot.waitUntil(w.error_panel.isVisible, timeout=5_000)
    assert "iteration 7" in w.error_panel.message.text()
    w._on_status_timer_timeout()                                     # the 10 Hz tick copes
    w.model.select_capture(0)
    assert w.model.capture() is not None


def _rewrite_member(src: Path, dst: Path, member: str, change) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == member:
                obj = json.loads(data)
                change(obj)
                data = json.dumps(obj).encode()
            zout.writestr(info.filename, data)


def _set_first_time(obj, value) -> None:
    """Put `value` into the first `time_ns` field found (wherever the schema keeps it)."""
    stack = [obj]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            if "time_ns" in cur:
                cur["time_ns"] = value
                return
            stack.extend(cur.values())
        elif isinstance(cur, list):
            stack.extend(cur)
    raise AssertionError("no time_ns field in the capture member")


# ---------------------------------------------------------------------- the probe
class OpenWatch:
    """Reports whether anything opened `path` (Linux inotify): proof that no widget loaded
    an `<img src=path>` from the data. Skips the test where inotify is missing."""

    IN_OPEN, IN_ACCESS, IN_NONBLOCK = 0x20, 0x01, 0o4000

    def __init__(self, path: Path) -> None:
        self.path = path
        name = ctypes.util.find_library("c")
        libc = ctypes.CDLL(name, use_errno=True) if name else None
        if libc is None or not hasattr(libc, "inotify_init1"):
            pytest.skip("needs Linux inotify to watch the probe file")
        self._libc = libc
        self.fd = libc.inotify_init1(self.IN_NONBLOCK)
        if self.fd < 0:
            pytest.skip(f"inotify unavailable: {os.strerror(ctypes.get_errno())}")
        if libc.inotify_add_watch(self.fd, str(path).encode(), self.IN_OPEN | self.IN_ACCESS) < 0:
            pytest.skip(f"cannot watch {path}: {os.strerror(ctypes.get_errno())}")
        self.events: list[int] = []

    def opened(self) -> list[int]:
        """Event masks seen so far (empty: never opened or read)."""
        while True:
            try:
                data = os.read(self.fd, 4096)
            except BlockingIOError:
                return self.events
            except OSError as exc:
                if exc.errno == errno.EAGAIN:
                    return self.events
                raise
            buf = io.BytesIO(data)
            while chunk := buf.read(16):  # struct inotify_event: wd, mask, cookie, len
                mask = int.from_bytes(chunk[4:8], "little")
                buf.read(int.from_bytes(chunk[12:16], "little"))
                self.events.append(mask)

    def __enter__(self) -> OpenWatch:
        return self

    def __exit__(self, *exc) -> None:
        os.close(self.fd)


def test_the_probe_sees_an_open(tmp_path):
    """The watch itself works, so `probe.opened() == []` above means something."""
    path = tmp_path / "probe"
    path.write_bytes(b"x")
    with OpenWatch(path) as watch:
        assert watch.opened() == []
        path.read_bytes()
        assert watch.opened(), "inotify saw no open of the probe"


def test_an_unescaped_img_really_is_loaded_by_qt(qtbot, tmp_path):
    """Why the checks matter: Qt does open a file named in an <img> of auto-detected text."""
    path = tmp_path / "probe.png"
    path.write_bytes(b"not an image")
    with OpenWatch(path) as watch:
        label = QLabel(f"x<img src='{path}'>")
        qtbot.addWidget(label)
        label.show()
        label.adjustSize()
        qtbot.waitUntil(lambda: bool(watch.opened()), timeout=5_000)

