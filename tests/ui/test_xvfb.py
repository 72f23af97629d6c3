"""A real window under Xvfb (the xcb platform, not offscreen): `gradscope --screenshot` starts,
draws the first iteration, saves the window and exits. Skipped where xvfb-run is absent."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed")
def test_the_window_opens_under_xvfb_and_saves_a_screenshot(tmp_path):
    out = tmp_path / "window.png"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    env["PYTHONPATH"] = str(ROOT)
    env["XDG_CONFIG_HOME"] = str(tmp_path)  # QSettings of this run stay in tmp
    run = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1400x900x24", sys.executable,
                          "-m", "app", "--screenshot", str(out)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-2000:]
    image = QImage(str(out))
    assert image.width() >= 800 and image.height() >= 500
