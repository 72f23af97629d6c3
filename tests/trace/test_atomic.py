"""Atomic writes: an export that fails midway leaves the old file whole and no temp file."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograd_core import trace
from autograd_core.trace.atomic import atomic_write


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "graph.dot"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_write(target, "w", encoding="utf-8") as f:
        f.write("half of the new")
        raise RuntimeError("the writer broke")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.dot"]


def test_every_export_replaces_its_file_whole(tmp_path: Path, recorded: trace.Recorder) -> None:
    cap = recorded.captures[-1]
    writers = {"g.dot": trace.export_dot, "g.graphml": trace.export_graphml,
               "g.json": trace.export_json, "g.trace.json": trace.export_chrome_trace}
    for name, write in writers.items():
        (tmp_path / name).write_text("stale")
        write(cap, tmp_path / name)
        assert (tmp_path / name).read_text() != "stale"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(writers)
