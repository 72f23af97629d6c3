"""Image exports and `gradscope export` under hostile input: names that are not valid XML,
1,500-level module paths, oversized graphs, a full disk, and bad arguments or output paths.
Each test checks what the user gets: a well-formed file, a capped image with a note, or a
clear error with exit code and the old file left as it was."""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import sys
import time
import xml.dom.minidom
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel

from app.cli import main
from app.ui import export
from autograd_core import trace
from tests.trace import strategies
from tests.trace.capture_cases import chain_capture, deep_capture, hostile_capture

IMAGES = ("png", "svg", "pdf")
DATA = ("dot", "graphml", "json", "trace.json")


def _check_image(path: Path) -> None:
    """The file is a complete document of its kind."""
    data = path.read_bytes()
    if path.suffix == ".svg":
        xml.dom.minidom.parseString(data)
        assert ET.fromstring(data).tag.endswith("svg")
    elif path.suffix == ".pdf":
        assert data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]
    else:
        assert not QImage(str(path)).isNull(), f"{path.name} does not decode"


def _big_capture() -> trace.IterationCapture:
    """300 ops in a chain: a drawing ~23,000 units tall (beyond every size cap)."""
    return chain_capture([("Linear", f"layer{i}/Linear#0", f"layer{i}", "model.py:1")
                          for i in range(300)])


@pytest.mark.parametrize("loaded", [True, False], ids=["from-file", "in-memory"])
def test_hostile_names_draw_into_well_formed_images(qapp, tmp_path, loaded) -> None:
    cap = hostile_capture(loadable=loaded)
    if loaded:
        trace.save(trace.Session(captures=[cap]), tmp_path / "in.gscope")
        cap = trace.load(tmp_path / "in.gscope").captures[0]
    for kind in IMAGES:
        export.export_capture(cap, tmp_path / f"g.{kind}", collapse=0)
        _check_image(tmp_path / f"g.{kind}")
    svg = (tmp_path / "g.svg").read_text(encoding="utf-8")
    assert "re\\x00lu" in svg and "m0.re\\x00lu" in svg  # op and frame title, escaped
    # A file's lone surrogates come back as U+FFFD (the codec); in memory they are escaped.
    assert ("lone\ufffdhigh" if loaded else "lone\\ud800high") in svg
    for overlay in ("time", "backward", "grad", "value", "anomaly"):  # NaN/inf/huge numbers
        export.export_capture(cap, tmp_path / "o.svg", overlay=overlay, theme_name="dark")
        _check_image(tmp_path / "o.svg")


def test_deep_module_paths_render_quickly_within_the_caps(qapp, tmp_path) -> None:
    cap = deep_capture(1500)
    for kind in IMAGES:
        start = time.perf_counter()
        done = export.export_capture(cap, tmp_path / f"deep.{kind}", collapse=0, scale=8.0)
        assert time.perf_counter() - start < 20, f"{kind} took too long"
        assert "deeper than" in done.note  # the user is told frames were collapsed
        _check_image(tmp_path / f"deep.{kind}")


def test_oversized_graphs_are_scaled_down_with_a_note(qapp, tmp_path) -> None:
    cap = _big_capture()
    done = export.export_capture(cap, tmp_path / "big.png", scale=8.0)
    image = QImage(str(tmp_path / "big.png"))
    assert max(image.width(), image.height()) <= export.MAX_SIDE
    assert image.width() * image.height() <= export.MAX_PIXELS
    assert "scaled down" in done.note and "big.png" in done.note
    for kind in ("svg", "pdf"):
        done = export.export_capture(cap, tmp_path / f"big.{kind}")
        assert "scaled down" in done.note
        _check_image(tmp_path / f"big.{kind}")
    root = ET.parse(tmp_path / "big.svg").getroot()
    assert max(float(root.get("width").rstrip("mpx")),
               float(root.get("height").rstrip("mpx"))) <= export.MAX_PAGE


def test_the_cli_prints_the_scale_down_note(qapp, tmp_path, capsys) -> None:
    trace.save(trace.Session(captures=[_big_capture()]), tmp_path / "big.gscope")
    code = main(["export", str(tmp_path / "big.gscope"), "-o", str(tmp_path / "o.png")])
    out, err = capsys.readouterr()
    assert code == 0 and "wrote" in out
    assert "note:" in err and "scaled down" in err


def test_fit_size_caps_both_sides_and_the_area() -> None:
    size, note = export.fit_size(100, 100, 2.0, 1000, 100_000, "x.png")
    assert (size.width(), size.height(), note) == (200, 200, "")
    size, note = export.fit_size(40_000, 10, 1.0, 1000, None, "x.png")
    assert size.width() == 1000 and size.height() == 1 and "x.png" in note
    size, _ = export.fit_size(5000, 5000, 1.0, 100_000, 1_000_000, "x.png")
    assert size.width() * size.height() <= 1_000_000
    size, note = export.fit_size(300, 100, 1e300, 3000, None, "x.png")  # no overflow
    assert (size.width(), size.height()) == (3000, 1000) and "scaled down" in note
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match=r"x\.png"):
            export.fit_size(10, 10, bad, 1000, None, "x.png")


@pytest.mark.parametrize("kind", [*IMAGES, *DATA])
@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cap=strategies.captures())
def test_every_generated_capture_exports(qapp, tmp_path_factory, kind, cap) -> None:
    path = tmp_path_factory.mktemp("prop") / f"g.{kind}"
    export.export_capture(cap, path)
    if kind in IMAGES:
        _check_image(path)
    else:
        assert path.stat().st_size > 0  # the trace tests read these formats back in full


# ------------------------------------------------------------------ a full disk
@contextlib.contextmanager
def _small_disk(folder: Path) -> Iterator[Path]:
    """A real 64 KiB tmpfs at `folder` (we run as root); skips where mounting is refused."""
    folder.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs ({result.stderr.strip() or 'not root'})")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def _fill(disk: Path, leave: int = 4096) -> None:
    """Fill the disk, then free `leave` bytes: any export bigger than that cannot fit."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        with contextlib.suppress(OSError):  # unbuffered: ENOSPC ends the loop, not close()
            while os.write(fd, b"\0" * 1024):
                pass
    finally:
        os.close(fd)
    os.truncate(filler, max(filler.stat().st_size - leave, 0))


@pytest.mark.parametrize("kind", [*IMAGES, *DATA])
def test_a_full_disk_fails_the_export_and_keeps_the_old_file(qapp, tmp_path, capsys,
                                                            kind) -> None:
    source = tmp_path / "big.gscope"
    trace.save(trace.Session(captures=[_big_capture()]), source)
    with _small_disk(tmp_path / "disk") as disk:
        out = disk / f"graph.{kind}"
        export.export_capture(chain_capture([]), out, scale=0.5)  # the old export, small
        old = out.read_bytes()
        _fill(disk)
        code = main(["export", str(source), "-o", str(out), "--scale", "1"])
        stdout, stderr = capsys.readouterr()
        assert code == 1, stdout + stderr
        assert "wrote" not in stdout
        assert str(out) in stderr and os.strerror(errno.ENOSPC) in stderr
        assert out.read_bytes() == old  # byte-identical
        assert sorted(p.name for p in disk.iterdir()) == ["filler", out.name]  # no temp files


def test_a_full_disk_fails_the_window_screenshot(qapp, tmp_path) -> None:
    label = QLabel("x" * 200)
    label.resize(800, 600)
    label.show()
    with _small_disk(tmp_path / "disk") as disk:
        out = disk / "shot.png"
        out.write_bytes(b"old screenshot")
        _fill(disk, leave=512)
        with pytest.raises(OSError, match=r"shot\.png"):
            export.save_window(label, out)
        assert out.read_bytes() == b"old screenshot"
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "shot.png"]
    label.close()


# ------------------------------------------------------------------ the command's arguments
@pytest.mark.parametrize("args, wrong", [
    (["--scale", "0"], "--scale"), (["--scale", "-2"], "--scale"), (["--scale", "nan"], "--scale"),
    (["--scale", "inf"], "--scale"), (["--scale", "big"], "--scale"),
    (["--iteration", "-1"], "--iteration"), (["-n", "0"], "-n"), (["--collapse", "-1"],
                                                                   "--collapse")])
def test_bad_arguments_are_refused_by_the_parser(tmp_path, capsys, args, wrong) -> None:
    source = tmp_path / "s.gscope"
    source.write_bytes(b"not read")
    with pytest.raises(SystemExit) as stop:
        main(["export", str(source), "-o", str(tmp_path / "g.png"), *args])
    assert stop.value.code == 2
    assert wrong in capsys.readouterr().err
    assert not (tmp_path / "g.png").exists()


def _slow_script(tmp_path: Path) -> Path:
    """A model script that would take minutes to record: the output check must come first."""
    script = tmp_path / "slow.py"
    script.write_text("import time\ntime.sleep(600)\n")
    return script


@pytest.mark.parametrize("target", ["folder", "missing", "source", "device"])
def test_a_bad_output_path_is_refused_before_recording(tmp_path, capsys, target) -> None:
    script = _slow_script(tmp_path)
    before = script.read_bytes()
    out = {"folder": tmp_path, "missing": tmp_path / "nope" / "g.png", "source": script,
           "device": Path("/dev/null")}[target]
    start = time.perf_counter()
    code = main(["export", str(script), "-o", str(out)])
    assert code == 2 and time.perf_counter() - start < 10  # nothing was recorded
    assert str(out) in capsys.readouterr().err
    assert script.read_bytes() == before


def test_an_export_cannot_overwrite_its_source_session(qapp, tmp_path, capsys) -> None:
    source = tmp_path / "run.json"  # a session file under a data format's name
    trace.save(trace.Session(captures=[hostile_capture()]), source)
    before = source.read_bytes()
    code = main(["export", str(source), "-o", str(source)])
    assert code == 2 and str(source) in capsys.readouterr().err
    assert source.read_bytes() == before


def test_the_command_runs_as_a_program_and_reports_the_note(tmp_path) -> None:
    """The real entry point in its own process: exit code, stdout and stderr as a user sees."""
    source = tmp_path / "big.gscope"
    trace.save(trace.Session(captures=[_big_capture()]), source)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run([sys.executable, "-m", "app", "export", str(source), "-o",
                          str(tmp_path / "g.png")], capture_output=True, text=True, env=env,
                         timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert run.returncode == 0, run.stderr
    assert "wrote" in run.stdout and "scaled down" in run.stderr


def test_a_bad_session_file_is_named_with_the_field(tmp_path, capsys) -> None:
    import json
    import zipfile

    good, bad = tmp_path / "good.gscope", tmp_path / "bad.gscope"
    trace.save(trace.Session(captures=[hostile_capture()]), good)
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name.endswith("000000.json"):
                capture = json.loads(data)
                capture["nodes"][1]["time_ns"] = "soon"
                data = json.dumps(capture).encode()
            zout.writestr(name, data)
    code = main(["export", str(bad), "-o", str(tmp_path / "g.dot")])
    err = capsys.readouterr().err
    assert code == 1 and str(bad) in err and "nodes[1].time_ns" in err
    assert not (tmp_path / "g.dot").exists()
