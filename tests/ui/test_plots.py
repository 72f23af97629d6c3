"""The plots dock on a real run: the NaN example's loss keeps its NaN iterations as marks, a
click on the loss shows that iteration, hovering reads the loss out, the log scale and
smoothing redraw, ticked parameters get gradient-norm and update-ratio lines, the speed tab
has a line, and Export PNG writes a picture that loads."""

from __future__ import annotations

import html
import math

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog

from app.ui import run_state as rs
from tests.ui.conftest import EXAMPLES, STARTUP_MS


@pytest.fixture
def nan_window(open_window, qtbot):
    window = open_window(EXAMPLES / "nan_divergence.py")
    before = window.model.iterations_seen
    window.actions["run"].trigger()  # F5: the script's 10 iterations
    qtbot.waitUntil(lambda: window.model.iterations_seen == before + 10
                    and window.model.run_state == rs.IDLE, timeout=STARTUP_MS)
    # The plots follow the window's 10 Hz tick, redrawn at most every 300 ms while a run
    # streams: wait until the last loss is drawn.
    qtbot.waitUntil(lambda: len(window.loss_plot.series.x) == 11, timeout=5000)
    return window


def _click(qtbot, plot, x: float, y: float) -> None:
    point = plot.view_point(x, y).toPoint()
    qtbot.mouseClick(plot.viewport(), Qt.LeftButton, pos=point)


def test_nan_losses_are_marked_and_a_click_shows_that_iteration(qtbot, nan_window):
    plots = nan_window.loss_plot
    series = plots.series
    assert series.x == list(range(11))
    nan_its = [it for it, _ in series.marks]
    assert nan_its and all(not math.isfinite(v) for it, v in nan_window.model.losses
                           if it in nan_its)  # marked, not dropped
    assert nan_its[0] >= 4
    marks = [item for item in plots.loss_view.getPlotItem().listDataItems()
             if item.name() and item.name().startswith("NaN/Inf")]
    assert len(marks) == 1 and list(marks[0].getData()[0]) == nan_its
    finite = [v for v in series.y if math.isfinite(v)]
    _click(qtbot, plots.loss_view, 2, finite[2])
    qtbot.waitUntil(lambda: nan_window.model.capture().index == 2, timeout=5000)
    assert nan_window.toolbar.scrub_label.text() != ""
    _click(qtbot, plots.loss_view, nan_its[0], finite[0])  # a NaN iteration can be shown too
    qtbot.waitUntil(lambda: nan_window.model.capture().index == nan_its[0], timeout=5000)


def test_hover_reads_out_the_loss_and_log_and_smoothing_redraw(qtbot, nan_window):
    plots = nan_window.loss_plot
    view = plots.loss_view

    def hovered() -> bool:
        # Moved again on each poll: a redraw that lands after a move shifts the axes, so the
        # point of iteration 3 is read anew each time.
        qtbot.mouseMove(view.viewport(), view.view_point(3, plots.series.y[3]).toPoint())
        return plots.readout.text().startswith("iteration 3: loss ")

    qtbot.waitUntil(hovered, timeout=5000)
    assert f"{plots.series.raw[3]:.6g}" in plots.readout.text()
    plots.log_box.click()
    assert view.getPlotItem().ctrl.logYCheck.isChecked()
    assert all(v > 0 for v in plots.series.y if math.isfinite(v))
    plots.smoothing.setValue(90)
    lines = [i.name() for i in view.getPlotItem().listDataItems() if i.isVisible()]
    assert "loss (smoothed)" in lines and plots.smoothing_label.text() == "smoothing 0.90"


def test_ticked_parameters_get_gradient_and_ratio_lines(qtbot, nan_window):
    plots = nan_window.loss_plot
    plots.tabs.setCurrentIndex(2)
    assert plots.param_list.count() >= 1
    name = plots.param_list.item(0).text()
    assert plots.grad_plot.getPlotItem().listDataItems() == []  # nothing ticked yet
    item = plots.param_list.item(0)
    rect = plots.param_list.visualItemRect(item)
    # A click on the item's check box ticks it, as a user does.
    qtbot.mouseClick(plots.param_list.viewport(), Qt.LeftButton,
                     pos=QPoint(rect.left() + 10, rect.center().y()))
    if item.checkState() != Qt.Checked:  # styles place the box differently: tick it directly
        plots.tick_parameter(name)
    grad = plots.grad_plot.getPlotItem().listDataItems()
    ratio = plots.ratio_plot.getPlotItem().listDataItems()
    assert [g.name() for g in grad] == [html.escape(name)] == [r.name() for r in ratio]
    xs, _ys = grad[0].getData()
    assert len(xs) == len(nan_window.model.captures)


def test_speed_tab_draws_iterations_per_second(qtbot, nan_window):
    plots = nan_window.loss_plot
    plots.tabs.setCurrentIndex(1)
    lines = plots.speed_plot.getPlotItem().listDataItems()
    assert len(lines) == 1
    xs, ys = lines[0].getData()
    assert len(xs) >= 1 and all(y > 0 for y in ys)


def test_export_png_writes_a_picture_of_the_plot(qtbot, nan_window, tmp_path, monkeypatch):
    path = tmp_path / "loss.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(path), "PNG (*.png)")))
    qtbot.mouseClick(nan_window.loss_plot.export_button, Qt.LeftButton)
    image = QImage(str(path))
    assert not image.isNull() and image.width() > 50 and image.height() > 50
