"""A recording whose writer was killed (`NAME.PID-TOKEN.partial`) opens like a session: in
`gradscope export` and in the window, with every complete capture."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from app.cli import main
from autograd_core import trace
from autograd_core.trace import is_session_file

ROOT = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent("""
    import sys, time
    from autograd_core import nn, trace
    import autograd_core as ag
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1))
    w = trace.SessionWriter(sys.argv[1], script="m.py")
    with trace.record(model, stats="basic") as rec:
        for i in range(3):
            model(ag.randn(2, 4)).sum().backward()
            rec.next_iteration()
    for cap in rec.captures:
        w.add(cap)
    print("written", flush=True)
    time.sleep(60)  # killed here: the partial file is all that is left
""")


def _killed_recording(tmp_path: Path) -> Path:
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, str(script), str(tmp_path / "run.gscope")],
                            stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout.readline().strip() == "written"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    (partial,) = tmp_path.glob("run.gscope.*.partial")
    assert not (tmp_path / "run.gscope").exists()
    return partial


def test_sessions_are_told_from_scripts_by_name_or_content(tmp_path: Path) -> None:
    script = tmp_path / "model.py"
    script.write_text("model = None\n")
    renamed = tmp_path / "copy.bin"
    renamed.write_bytes(b"PK\x03\x04rest")
    assert not is_session_file(script)
    assert is_session_file(renamed) and is_session_file(tmp_path / "x.gscope")
    assert is_session_file(tmp_path / "x.gscope.1-ab.partial")


def test_a_killed_recording_exports_every_complete_capture(tmp_path: Path, capsys) -> None:
    partial = _killed_recording(tmp_path)
    out = tmp_path / "last.json"
    assert main(["export", str(partial), "-o", str(out)]) == 0
    exported = json.loads(out.read_text())
    assert len(trace.load(partial)) == 3
    assert json.dumps(exported).count('"Linear"') >= 2  # the last capture's graph


def test_a_killed_recording_opens_in_the_window(qtbot, tmp_path: Path, session_window) -> None:
    partial = _killed_recording(tmp_path)
    w = session_window(partial)
    assert len(w.model.captures) == 3
    assert "recovered" in w.statusBar().currentMessage()
