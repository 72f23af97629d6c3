"""What is drawn, without Qt: a capture turned into the graph the view shows (collapse,
labels, overlay values), the export format registry and the data exports.

Like napari's `components/` beside `_qt/`: `app.ui` draws what this package computes, and the
headless `gradscope export` of data formats (DOT, GraphML, JSON, Chrome trace) runs from here
without PySide6 installed. This package never imports PySide6 (tests/test_import_rules.py).
"""
