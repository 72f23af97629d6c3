"""A worker that sends what is not our protocol (here: a pickle that would create a file when
unpickled) is refused: the window shows it as the worker's failure, nothing ran, and the window
keeps working."""

from __future__ import annotations

import pickle
import sys

from app.runner import driver as driver_module

FAKE = '''
import os, sys, time
os.write(int(sys.argv[3]), open(sys.argv[1], "rb").read())
time.sleep(60)
'''


class _Boom:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        import os
        return os.mkdir, (self.marker,)


def test_a_pickle_from_the_worker_is_refused_and_the_window_survives(qtbot, settings,
                                                                    tmp_path, monkeypatch):
    from app.ui.main_window import MainWindow

    marker = tmp_path / "ran"
    (tmp_path / "frame.bin").write_bytes(pickle.dumps([_Boom(str(marker))]))
    (tmp_path / "fake.py").write_text(FAKE)
    (tmp_path / "model.py").write_text("model = None\n")
    monkeypatch.setattr(driver_module, "WORKER_COMMAND",
                        [sys.executable, str(tmp_path / "fake.py"), str(tmp_path / "frame.bin")])
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    died = []
    window.model.worker_died.connect(died.append)
    window.open_model(str(tmp_path / "model.py"))
    qtbot.waitUntil(lambda: bool(died), timeout=20_000)
    assert "connection to the worker was closed" in died[0].message
    assert "not a Gradscope frame" in died[0].message
    panel = window.error_panel
    qtbot.waitUntil(panel.isVisible, timeout=5_000)
    assert "not a Gradscope frame" in panel.message.text(), panel.message.text()
    assert not window.runner.alive and not marker.exists()
    window.actions["fit"].trigger()                                  # still responds
    window.close()
