"""The Gradscope desktop app (PySide6). The only package that imports Qt.

    from app.ui import run_app
    run_app("resources/examples/spiral_mlp.py")          # opens the window

Pieces: `session_model` (state fed by runner events), `runner_adapter` (worker <-> event loop),
`graph_presenter` (what to draw, layout), `graph_scene`/`items`/`overview`/`graph_view`
(drawing), `inspector`, `timeline`, `error_panel`, `export`, `main_window`, `launch`.
"""

from app.ui.launch import run_app

__all__ = ["run_app"]
