"""Regenerate the README's panel screenshots from the real window and the real worker.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py [OUT_DIR] [--only NAME...]

Each shot opens the window on a bundled example, does what a user would (run iterations, click
the slowest op, go to the NaN, pin an iteration and scrub, tick a parameter, pick an overlay),
raises the panel that answers the question and saves the whole window as
`OUT_DIR/<name>.png` (default docs/screenshots). Nothing here is faked: the numbers are the
worker's. Settings are isolated in a temporary folder so saved window layouts do not leak in.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# Relative to ROOT (main() works there), so the pictures show no path of this machine.
EXAMPLES = Path("resources") / "examples"
SIZE = (1440, 900)

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def wait_until(cond: Callable[[], bool], timeout: float = 90.0, what: str = "") -> None:
    """Run the event loop until `cond()` holds; raise after `timeout` seconds."""
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise TimeoutError(f"timed out waiting for {what or cond}")
        QApplication.processEvents()
        time.sleep(0.01)


def settle(seconds: float = 0.8) -> None:
    """Let the 10 Hz panels, fades and deferred plot builds catch up before a grab."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def open_window(script: Path, settings_dir: str) -> Any:
    """A window running `script`, once its first graph is drawn and the worker is idle."""
    from app.ui import run_state as rs
    from app.ui.main_window import MainWindow
    from app.ui.settings import Settings

    ini = QSettings(str(Path(settings_dir) / f"{script.stem}.ini"), QSettings.IniFormat)
    window = MainWindow(Settings(ini))
    window.resize(*SIZE)
    window.show()
    drawn: list[bool] = []
    window.first_graph_drawn.connect(lambda: drawn.append(True))
    window.open_model(str(script))
    wait_until(lambda: bool(drawn), what=f"the first graph of {script.name}")
    wait_until(lambda: window.model.run_state not in (rs.STARTING, rs.RUNNING), what="idle")
    return window


def run_iterations(window: Any, n: int) -> None:
    """Run `n` more iterations (the toolbar's Run N) and wait until they are captured."""
    from app.ui import run_state as rs

    target = window.model.iterations_seen + n
    window.runner.send("run", n)
    wait_until(lambda: window.model.iterations_seen >= target, what=f"{n} iterations")
    wait_until(lambda: window.model.run_state not in (rs.STARTING, rs.RUNNING), what="idle")
    window.toolbar.scrubber.setValue(len(window.model.captures) - 1)


def choose_overlay(window: Any, name: str) -> None:
    combo = window.toolbar.overlay
    index = combo.findData(name)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)  # what a user's pick sends


RIGHT_TABS = ("Costs", "Gradient health", "Diff")


def raise_dock(window: Any, title: str) -> None:
    """Bring `title` to the front and give it the room a reader needs: the right column's
    tabbed panels take most of its height, a bottom panel most of the bottom row."""
    docks = window.docks
    dock = docks[title]
    dock.show()
    dock.raise_()
    v, h = Qt.Vertical, Qt.Horizontal
    if title in RIGHT_TABS:
        window.resizeDocks([docks["Inspector"], dock], [230, 560], v)
        window.resizeDocks([dock], [640], h)
    elif title == "Inspector":
        window.resizeDocks([dock, docks["Costs"]], [620, 170], v)
        window.resizeDocks([dock], [600], h)
    else:  # a bottom panel: wide and tall enough to read
        others = [docks[t] for t in ("Loss", "Timeline", "Output") if t != title]
        window.resizeDocks([dock, *others], [900, 250, 150], h)
        window.resizeDocks([dock], [380], v)


def save(window: Any, out: Path) -> None:
    from app.ui.export import save_window

    settle()
    size = save_window(window, str(out))
    print(f"saved {out} ({size.width()}x{size.height()})")


# ----------------------------------------------------------------------------- the shots
def shot_costs(window: Any) -> None:
    """Which op is slowest and in which module: the Costs dock, sorted, top row clicked."""
    raise_dock(window, "Costs")
    panel = window.cost_panel
    wait_until(lambda: bool(panel.table.rows), what="cost rows")
    window.model.select_node(panel.shown_rows()[0].key)
    choose_overlay(window, "total")


def shot_health(window: Any) -> None:
    """Which layer's gradients vanish: Gradient health sorted by norm, the grad overlay."""
    raise_dock(window, "Gradient health")
    wait_until(lambda: window.health_panel.first_row() is not None, what="health rows")
    window.model.select_node(window.health_panel.first_row().key)
    choose_overlay(window, "grad")


def shot_memory(window: Any) -> None:
    """How much memory is kept for backward: the saved-bytes overlay, module totals."""
    from app.present.graph import collapse_at_depth

    raise_dock(window, "Costs")
    window.cost_panel.grouped.setChecked(True)
    choose_overlay(window, "saved")
    window.presenter.set_collapsed(collapse_at_depth(window.scene.graph, 1))
    settle(0.3)
    window.view.resetTransform()  # 1:1, where each box shows its total under its name
    window.view.centerOn(window.scene.itemsBoundingRect().center().x(), 0)


def shot_timeline(window: Any) -> None:
    """Where the time goes inside an iteration: the Timeline, a node selected."""
    raise_dock(window, "Timeline")
    window.timeline.iterations.setValue(3)  # three iterations side by side
    window.model.select_node(window.cost_panel.shown_rows()[0].key)


def shot_inspector(window: Any) -> None:
    """What one node is: the Inspector on the first convolution, its Values tab (histogram
    and thumbnail heatmap: the Record level "full" is chosen first, as a user would)."""
    from app.ui.node_extras import NodeExtras

    combo = window.toolbar.recording
    combo.setCurrentIndex(combo.findData("full"))
    combo.activated.emit(combo.currentIndex())
    run_iterations(window, 2)
    raise_dock(window, "Inspector")
    key = next(k for k in window.scene.nodes if "Conv2d" in str(k))
    window.model.select_node(key)
    item = window.scene.nodes.get(key)
    if item is not None:
        window.view.centerOn(item)
    settle(0.5)
    for extras in window.inspector.findChildren(NodeExtras):
        extras.setCurrentIndex(1)  # Values


def shot_nan(window: Any) -> None:
    """Where the NaN was born: the banner's Go to, the Anomaly overlay."""
    from app.ui.nan_banner import go_to_birth

    run_iterations(window, 9)
    wait_until(lambda: window.nan_banner.isVisible(), what="the NaN banner")
    window.nan_banner.go_button.click()
    wait_until(lambda: window.model.nan_birth is not None
               and window.model.selected == window.model.nan_birth.key, what="go to")
    choose_overlay(window, "anomaly")
    go_to_birth(window)  # centre the origin again once the overlay redrew


def shot_diff(window: Any) -> None:
    """What changed between two iterations: pin one, scrub to another, the Diff dock."""
    run_iterations(window, 11)
    model = window.model
    caps = [model.capture_at(i) for i in range(len(model.captures))]
    a, b = next((i, j) for i in range(len(caps)) for j in range(len(caps))
                if len(caps[i].nodes) > len(caps[j].nodes))
    window.toolbar.scrubber.setValue(a)
    window.actions["pin_iteration"].trigger()
    window.toolbar.scrubber.setValue(b)
    raise_dock(window, "Diff")
    wait_until(lambda: window.diff_panel.view is not None, what="the diff")
    settle(0.3)
    ghost = next(i for i in window.scene.nodes.values() if i.state == "removed")
    window.view.centerOn(ghost)  # where the pinned, longer sequence had steps this one lacks


def shot_plots(window: Any) -> None:
    """How training goes: loss and per-parameter gradient norms for a ticked parameter."""
    plots = window.loss_plot
    plots.ensure_built()
    raise_dock(window, "Loss")
    plots.tabs.setCurrentIndex(2)
    settle(0.5)
    names = [plots.param_list.item(i).text() for i in range(plots.param_list.count())]
    for name in names[:3]:
        plots.tick_parameter(name)


# name -> (example, iterations before the shot, what to do)
SHOTS: dict[str, tuple[str, int, Callable[[Any], None]]] = {
    "costs": ("cnn_shapes.py", 10, shot_costs),
    "health": ("cnn_shapes.py", 10, shot_health),
    "memory": ("cnn_shapes.py", 3, shot_memory),
    "timeline": ("cnn_shapes.py", 3, shot_timeline),
    "inspector": ("cnn_shapes.py", 3, shot_inspector),
    "nan": ("nan_divergence.py", 0, shot_nan),
    "diff": ("rnn_variable_length.py", 0, shot_diff),
    "plots": ("spiral_mlp.py", 60, shot_plots),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--only", nargs="*", choices=sorted(SHOTS), default=None)
    args = parser.parse_args(argv)
    out = Path(args.out).resolve()
    os.chdir(ROOT)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Gradscope")
    with tempfile.TemporaryDirectory() as settings_dir:
        for name in args.only or list(SHOTS):
            example, iterations, act = SHOTS[name]
            window = open_window(EXAMPLES / example, settings_dir)
            try:
                if iterations:
                    run_iterations(window, iterations)
                act(window)
                save(window, out / f"panel_{name}.png")
            finally:
                window.close()
                settle(0.2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
