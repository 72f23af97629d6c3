"""File > Save session writes the run's captures; a failed save or export is reported in the
window and leaves the old file as it was (real worker, real files)."""

from __future__ import annotations

from autograd_core import trace


def _run_iterations(qtbot, window, n: int) -> None:
    window.runner.send("run", n)
    qtbot.waitUntil(lambda: window.model.iterations_seen >= n + 1, timeout=30_000)


def test_save_session_writes_every_capture_the_window_holds(qtbot, spiral_window, tmp_path):
    w = spiral_window
    _run_iterations(qtbot, w, 3)
    out = tmp_path / "run.gscope"
    written = w.save_session(str(out))
    held = [w.model.capture_at(i) for i in range(len(w.model.captures))]
    assert written == len(held) >= 4
    saved = trace.load(out)
    assert [c.index for c in saved] == [c.index for c in held]
    assert saved[-1].nodes == held[-1].nodes
    assert saved.script.endswith("spiral_mlp.py")


def test_a_save_that_cannot_be_written_shows_an_error_and_keeps_the_old_file(
        qtbot, spiral_window, tmp_path):
    w = spiral_window
    target = tmp_path / "folder"
    target.mkdir()  # a directory is never replaced by a session
    w._write_file(str(target), lambda: w.save_session(str(target)))
    assert w.error_panel.isVisibleTo(w)
    assert str(target) in w.error_panel.message.text()
    assert target.is_dir()


def test_an_export_that_fails_is_reported_not_raised(qtbot, spiral_window, tmp_path):
    from app.ui import export

    w = spiral_window
    folder = tmp_path / "graph.svg"
    folder.mkdir()  # a folder where the picture should go
    w._write_file(str(folder), lambda: export.export_graph(w.scene, folder))
    assert w.error_panel.isVisibleTo(w)
    assert str(folder) in w.error_panel.message.text()
    good = tmp_path / "graph2.svg"
    w._write_file(str(good), lambda: export.export_graph(w.scene, good))
    assert good.read_text().lstrip().startswith("<?xml")
    assert "wrote graph2.svg" in w.statusBar().currentMessage()
