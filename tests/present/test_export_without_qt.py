"""`gradscope export` of data formats runs where PySide6 cannot be imported, and the format
registry drives the CLI, the file dialogs and the dispatch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from app.present import formats
from app.present.data_export import export_data, export_data_headless

ROOT = Path(__file__).resolve().parents[2]
# Imported first by every interpreter that has this folder on PYTHONPATH: any
# `import PySide6` (or shiboken6) then raises ImportError, as on a machine without it.
NO_QT = "import sys\nsys.modules['PySide6'] = None\nsys.modules['shiboken6'] = None\n"


@pytest.fixture(scope="module")
def session_file(tmp_path_factory) -> Path:
    from app.runner.record import record
    from autograd_core import trace

    path = tmp_path_factory.mktemp("s") / "run.gscope"
    result = record(str(ROOT / "resources" / "examples" / "spiral_mlp.py"), iterations=2)
    trace.save(result.session, path)
    return path


def _gradscope_without_qt(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess:
    hook = tmp_path / "noqt"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(NO_QT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hook), str(ROOT)])}
    return subprocess.run([sys.executable, "-m", "app", *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_data_exports_run_without_pyside6(session_file, tmp_path):
    for name in ("g.json", "g.dot", "g.graphml", "g.trace.json"):
        out = tmp_path / name
        done = _gradscope_without_qt(tmp_path, "export", str(session_file), "-o", str(out))
        assert done.returncode == 0, done.stderr
        assert out.stat().st_size > 0
    assert json.loads((tmp_path / "g.json").read_text())
    assert nx.read_graphml(tmp_path / "g.graphml").number_of_nodes() > 0
    assert (tmp_path / "g.dot").read_text().lstrip().startswith(("digraph", "strict digraph"))


def test_an_image_export_without_pyside6_says_it_needs_it(session_file, tmp_path):
    # Also proves the hook works: were PySide6 importable, this would succeed.
    done = _gradscope_without_qt(tmp_path, "export", str(session_file), "-o",
                                 str(tmp_path / "g.png"))
    assert done.returncode == 2
    assert "PySide6" in done.stderr and ".json" in done.stderr
    assert not (tmp_path / "g.png").exists()


def test_headless_data_export_picks_the_iteration(session_file, tmp_path):
    done = export_data_headless(str(session_file), str(tmp_path / "c.json"), iteration=0)
    assert done.path == tmp_path / "c.json" and done.note == ""
    with pytest.raises(ValueError, match="not in the session"):
        export_data_headless(str(session_file), str(tmp_path / "d.json"), iteration=99)
    with pytest.raises(ValueError, match="not a data format"):
        export_data_headless(str(session_file), str(tmp_path / "d.png"))
    with pytest.raises(ValueError, match="not a data format"):
        export_data(None, tmp_path / "d.txt")


def test_a_chrome_trace_holds_every_captured_iteration_unless_one_is_named(session_file,
                                                                          tmp_path):
    from autograd_core import trace

    held = [c.index for c in trace.load(session_file).captures]
    assert len(held) == 2
    out = tmp_path / "all.trace.json"
    export_data_headless(str(session_file), str(out))
    events = json.loads(out.read_text())["traceEvents"]
    shown = [e["name"] for e in events if e.get("cat") == "iteration"]
    assert shown == [f"iteration {i}" for i in held]                # one time line, in order
    starts = [e["ts"] for e in events if e.get("cat") == "iteration"]
    assert starts[0] < starts[1]
    one = tmp_path / "one.trace.json"
    export_data_headless(str(session_file), str(one), iteration=held[0])
    events = json.loads(one.read_text())["traceEvents"]
    assert [e["name"] for e in events if e.get("cat") == "iteration"] == [f"iteration {held[0]}"]


def test_the_format_registry_knows_each_ending():
    assert formats.export_kind("a/B.TRACE.JSON") == ".trace.json"
    assert formats.export_kind("b.json") == ".json"
    assert formats.export_kind("c.txt") == ""
    assert formats.IMAGE_FORMATS == (".png", ".svg", ".pdf")
    assert set(formats.DATA_FORMATS) == {".json", ".trace.json", ".dot", ".graphml"}
    assert formats.dialog_filter("image") == "PNG (*.png);;SVG (*.svg);;PDF (*.pdf)"
    assert formats.suffix_list("image") == ".png, .svg or .pdf"
    assert formats.format_names("image") == "PNG, SVG or PDF"


def test_a_registered_format_reaches_the_cli_help_and_the_dispatch(monkeypatch, tmp_path,
                                                                  capsys):
    # The CLI derives its help from the registry when it is built: a new entry shows there.
    import importlib

    import app.cli
    from autograd_core import trace

    extra = formats.ExportFormat(".edges", "Edge list", "data", "export_edges")
    monkeypatch.setattr(formats, "FORMATS", (*formats.FORMATS, extra))
    written: list[str] = []
    monkeypatch.setattr(trace, "export_edges", lambda cap, path: written.append(path),
                        raising=False)
    export_data(object(), tmp_path / "g.edges")
    assert written == [str(tmp_path / "g.edges")]
    assert "Edge list (*.edges)" in formats.dialog_filter("data")
    assert formats.format_names("data").endswith("GraphML or Edge list")
    cli = importlib.reload(app.cli)
    try:
        with pytest.raises(SystemExit):
            cli.main(["--help"])
        assert "edges}" in capsys.readouterr().out
    finally:
        monkeypatch.undo()
        importlib.reload(app.cli)
