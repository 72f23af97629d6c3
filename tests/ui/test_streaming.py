"""A burst of events reaches the window in slices: one pump reads for a bounded time and queues
the next, so a fast run never holds the event loop, and nothing is lost."""

from __future__ import annotations


def test_a_backlog_is_read_in_slices_and_the_repump_finishes_it(qtbot, open_window, tmp_path):
    path = tmp_path / "model.py"
    printed = tmp_path / "printed"  # the script's signal that the whole burst is written
    path.write_text(
        "import time\nimport autograd_core as ag\nfrom autograd_core import nn\n"
        "model = nn.Linear(2, 1)\n"
        "def step(i):\n"
        "    if i == 1:\n"
        "        for n in range(300):\n"
        "            print(f'line {n}', flush=True)\n"
        "            time.sleep(0.002)  # lets the sender ship lines in many messages\n"
        f"        open({str(printed)!r}, 'w').close()\n"
        "    loss = model(ag.ones(4, 2)).sum()\n"
        "    loss.backward()\n"
        "    return loss\n")
    w = open_window(path)
    runner = w.runner
    runner._notifier.setEnabled(False)  # only the pumps below and the re-pumps they queue
    runner._timer.stop()
    before = w.output.blockCount()
    runner.send("run", 1)
    qtbot.waitUntil(runner.driver.pending, timeout=20_000)
    qtbot.waitUntil(printed.exists, timeout=20_000)  # the burst is written, most of it shipped
    runner.pump(budget=0.0)             # one message, then yield to the event loop
    assert w.output.blockCount() - before < 300 and runner._repump.isActive()
    runner._notifier.setEnabled(True)   # as running normally: lines still on their way count
    runner._timer.start()
    qtbot.waitUntil(lambda: "line 299" in w.output.toPlainText(), timeout=10_000)
    lines = [t for t in w.output.toPlainText().splitlines() if t.startswith("line ")]
    assert lines == [f"line {n}" for n in range(300)]
    qtbot.waitUntil(lambda: w.model.status.state == "idle", timeout=10_000)
