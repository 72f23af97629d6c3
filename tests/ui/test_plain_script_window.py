"""The window on a plain PyTorch script: `gradscope train.py -- --epochs 2` draws its graph,
runs and stops it, while the window's own process never takes autograd_core for torch."""

from __future__ import annotations

import os
import subprocess
import sys

from app.runner import protocol as p
from tests.ui.conftest import ROOT, STARTUP_MS

TRAIN = """\
import argparse
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 16)
        self.out = nn.Linear(16, 2)

    def forward(self, x):
        return self.out(F.relu(self.hidden(x)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=1)
    args = parser.parse_args()
    print("epochs", args.epochs)
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    x, y = torch.randn(32, 4), torch.randint(0, 2, (32,))
    for epoch in range(args.epochs):
        for i in range(100):
            opt.zero_grad()
            F.cross_entropy(net(x), y).backward()
            opt.step()


if __name__ == "__main__":
    main()
"""


def test_a_plain_script_opens_runs_and_stops_in_the_window(qtbot, settings, tmp_path):
    from app.ui.main_window import MainWindow

    script = tmp_path / "train.py"
    script.write_text(TRAIN)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    # What `gradscope train.py -- --epochs 2` does before it opens the script (launch.run_app).
    window.runner.script_args[os.path.abspath(script)] = ["--epochs", "2"]
    with qtbot.waitSignal(window.first_graph_drawn, timeout=STARTUP_MS):
        window.open_model(str(script))
    model = window.model
    assert {"Net.hidden", "Net.out"} <= {n.module for n in model.capture().nodes}
    qtbot.waitUntil(lambda: "epochs 2" in window.output.toPlainText(), timeout=20_000)

    window.runner.send("run", None)
    qtbot.waitUntil(lambda: len(model.captures) >= 5, timeout=60_000)
    window.runner.send("stop")
    qtbot.waitUntil(lambda: model.status is not None and model.status.state == p.IDLE
                    and window.runner.driver.state == p.IDLE, timeout=20_000)
    assert not [e for e in model.errors if e.kind not in ("warning", "stopped")]

    from app.runner.torch_alias import TorchAlias

    assert not any(isinstance(f, TorchAlias) for f in sys.meta_path)
    torch = sys.modules.get("torch")
    assert torch is None or not torch.__name__.startswith("autograd_core")
    window.close()


ARGV = """\
import sys
from pathlib import Path

import torch

Path(__file__).with_suffix(".argv").write_text(repr(sys.argv[1:]))
w = torch.ones(3, requires_grad=True)
for i in range(3):
    (w * 2.0).sum().backward()
"""


def test_gradscope_passes_the_arguments_after_the_double_dash(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(ARGV)
    out = tmp_path / "window.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path))
    env["PYTHONPATH"] = str(ROOT)
    run = subprocess.run([sys.executable, "-m", "app", str(script), "--screenshot", str(out),
                          "--", "--epochs", "1", "-n", "7"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-2000:]
    assert (tmp_path / "train.argv").read_text() == "['--epochs', '1', '-n', '7']"
    assert out.stat().st_size > 0
