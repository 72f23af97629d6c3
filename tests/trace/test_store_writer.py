"""SessionWriter and the lazy loader: streaming, commit/abort, round trips at the schema's
limits, and what the writer accepts the reader accepts."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from autograd_core import trace
from autograd_core.trace import EmptySessionError, SessionFormatError, SessionWriter
from autograd_core.trace.archive import capture_name
from autograd_core.trace.codec import MAX_PATH_DEPTH, MAX_STR


def _strategies() -> Any:
    """tests/trace/strategies.py, by path (works whatever is on sys.path)."""
    name = "tests.trace.strategies"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(
            "strategies.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


gs = _strategies()
_FIXTURE_OK = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                             HealthCheck.too_slow])


@settings(_FIXTURE_OK, max_examples=60)
@given(session=gs.sessions())
def test_round_trip_of_any_valid_session(tmp_path: Path, session: trace.Session) -> None:
    path = trace.save(session, tmp_path / "any.gscope")
    back = trace.load(path)
    assert gs.encoded(back) == gs.encoded(session)
    assert (back.window, back.dropped, back.created) == (session.window, session.dropped,
                                                         session.created)
    assert back.script == gs.encode(session.script, None)  # lone surrogates -> U+FFFD
    back.close()


@settings(_FIXTURE_OK, max_examples=12)
@given(session=gs.sessions(max_captures=2, at_limit=True))
def test_round_trip_at_the_schema_limits(tmp_path: Path, session: trace.Session) -> None:
    path = trace.save(session, tmp_path / "limits.gscope")
    back = trace.load(path)
    assert gs.encoded(back) == gs.encoded(session)
    modules = [n.module for c in back for n in c.nodes] + [m.path for c in back
                                                           for m in c.modules]
    for m in modules:
        assert len(m) == MAX_STR and m.count(".") == MAX_PATH_DEPTH - 1
    back.close()


def test_lone_surrogates_come_back_replaced_and_writable(tmp_path: Path,
                                                         recorded: trace.Recorder) -> None:
    cap = recorded.captures[0]
    cap.nodes[1].op = "bad\ud800op"
    cap.nodes[1].source = "/home/\udcff.py:3"  # a non-UTF-8 file name, as Python spells it
    with SessionWriter(tmp_path / "s.gscope", script="x\udfff.py") as w:
        w.add(cap)
    back = trace.load(tmp_path / "s.gscope")
    assert back.script == "x\ufffd.py"
    assert back[0].nodes[1].op == "bad\ufffdop"
    assert back[0].nodes[1].source == "/home/\ufffd.py:3"
    # What later writers do with it: UTF-8 text must encode.
    trace.export_json(back[0], tmp_path / "c.json")
    json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))


def test_writer_streams_each_capture_to_the_partial_file(tmp_path: Path,
                                                         recorded: trace.Recorder) -> None:
    target = tmp_path / "run.gscope"
    target.write_bytes(b"previous")
    w = SessionWriter(target, script="net.py", window=10)
    assert w.partial_path.parent == tmp_path and w.partial_path.exists()
    for i, cap in enumerate(recorded.captures):
        w.add(cap)
        assert w.count == i + 1
        partial = trace.load(w.partial_path)  # readable mid-stream, as after a kill -9
        assert partial.recovered and len(partial) == i + 1
        assert partial[i] == cap and partial.script == "net.py"
        partial.close()
    assert target.read_bytes() == b"previous"  # untouched until commit
    assert w.commit() == target
    assert not w.partial_path.exists()
    back = trace.load(target)
    assert not back.recovered and back.window == 10 and back.captures == recorded.captures


def test_writer_takes_the_recorders_frozen_items(tmp_path: Path,
                                                 recorded: trace.Recorder) -> None:
    frozen = list(recorded.session._items)  # what the recorder holds before anyone reads
    with SessionWriter(tmp_path / "f.gscope") as w:
        for item in frozen:
            w.add(item)
    assert trace.load(tmp_path / "f.gscope").captures == recorded.captures


def test_empty_commit_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "run.gscope"
    target.write_bytes(b"previous")
    w = SessionWriter(target)
    with pytest.raises(EmptySessionError, match=r"no captured iterations.*left unchanged"):
        w.commit()
    assert target.read_bytes() == b"previous"
    assert sorted(os.listdir(tmp_path)) == ["run.gscope"]
    with pytest.raises(EmptySessionError):
        trace.save(trace.Session(), target)
    assert target.read_bytes() == b"previous"
    assert isinstance(EmptySessionError("x"), ValueError)


def test_context_manager_commits_on_error_only_with_captures(tmp_path: Path,
                                                             recorded: trace.Recorder) -> None:
    target = tmp_path / "run.gscope"
    with pytest.raises(RuntimeError), SessionWriter(target) as w:
        w.add(recorded.captures[0])
        raise RuntimeError("the model script failed")
    assert len(trace.load(target)) == 1  # what was recorded before the failure is kept
    target.write_bytes(b"previous")
    with pytest.raises(RuntimeError), SessionWriter(target):
        raise RuntimeError("failed before any capture")
    assert target.read_bytes() == b"previous"
    assert sorted(os.listdir(tmp_path)) == ["run.gscope"]


def test_abort_removes_the_partial(tmp_path: Path, recorded: trace.Recorder) -> None:
    w = SessionWriter(tmp_path / "run.gscope")
    w.add(recorded.captures[0])
    w.abort()
    assert os.listdir(tmp_path) == []
    with pytest.raises(ValueError, match="closed"):
        w.add(recorded.captures[0])


def test_writer_refuses_what_the_reader_would(tmp_path: Path,
                                              recorded: trace.Recorder) -> None:
    cap = recorded.captures[0]
    with SessionWriter(tmp_path / "r.gscope") as w:
        w.add(cap)
        for field, value in (("wall_time", float("nan")), ("wall_time", 1e308),
                             ("duration_ns", 2**80)):
            old = getattr(cap, field)
            setattr(cap, field, value)
            with pytest.raises(SessionFormatError, match=rf"captures/000001\.json.*{field}"):
                w.add(cap)
            setattr(cap, field, old)
        cap.nodes[0].module = ".".join(["m"] * (MAX_PATH_DEPTH + 1))
        with pytest.raises(SessionFormatError, match=r"nodes\[0\]\.module.*levels"):
            w.add(cap)
    assert len(trace.load(tmp_path / "r.gscope")) == 1


def test_window_and_count_past_a_million_round_trip(tmp_path: Path,
                                                    recorded: trace.Recorder) -> None:
    # `record -n 2000000` sets the window to two million: it must load again.
    with SessionWriter(tmp_path / "big.gscope", window=2_000_000) as w:
        w.add(recorded.captures[0])
    assert trace.load(tmp_path / "big.gscope").window == 2_000_000
    assert capture_name(1_000_000) == "captures/1000000"
    # A file whose captures are numbered past 999,999 (as a long recording writes them).
    src = zipfile.ZipFile(tmp_path / "big.gscope")
    members = {n: src.read(n) for n in src.namelist()}
    index = json.loads(members.pop("gscope.json"))
    for ext in (".json", ".npz"):
        members[capture_name(1_234_567) + ext] = members.pop("captures/000000" + ext)
    index["captures"] = [capture_name(1_234_567)]
    members["gscope.json"] = json.dumps(index).encode()
    with zipfile.ZipFile(tmp_path / "renamed.gscope", "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in members.items():
            zf.writestr(n, data)
    assert trace.load(tmp_path / "renamed.gscope")[0] == recorded.captures[0]


def test_load_is_lazy_and_a_bad_capture_fails_when_read(tmp_path: Path,
                                                        recorded: trace.Recorder) -> None:
    trace.save(recorded.session, tmp_path / "ok.gscope")
    with zipfile.ZipFile(tmp_path / "ok.gscope") as src:
        members = {n: src.read(n) for n in src.namelist()}
    data = json.loads(members["captures/000002.json"])
    data["nodes"][3]["time_ns"] = "soon"
    members["captures/000002.json"] = json.dumps(data).encode()
    with zipfile.ZipFile(tmp_path / "bad.gscope", "w", zipfile.ZIP_DEFLATED) as zf:
        for n, raw in members.items():
            zf.writestr(n, raw)
    session = trace.load(tmp_path / "bad.gscope")  # the index is fine: loads
    assert len(session) == 3
    assert session[0] == recorded.captures[0] and session[1] == recorded.captures[1]
    with pytest.raises(SessionFormatError, match=r"captures/000002\.json.*nodes\[3\]\.time_ns"
                       ) as info:
        session[2]
    assert str(info.value).startswith(f"{tmp_path / 'bad.gscope'}: ")  # names the file too
    with pytest.raises(SessionFormatError):
        list(session)


def test_a_loaded_session_holds_only_recent_captures(tmp_path: Path,
                                                     recorded: trace.Recorder) -> None:
    from autograd_core.trace import fileformat

    with SessionWriter(tmp_path / "long.gscope") as w:
        for _ in range(fileformat.CACHE * 3):
            w.add(recorded.captures[0])
    session = trace.load(tmp_path / "long.gscope")
    firsts = [session[i] for i in range(len(session))]
    assert all(c == recorded.captures[0] for c in firsts)
    assert len(session.source._cache) == fileformat.CACHE
    assert session[-1] is session[-1]  # recent reads come from the cache


def test_the_cache_also_has_a_byte_budget(tmp_path: Path, recorded: trace.Recorder,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from autograd_core.trace import fileformat

    trace.save(recorded.session, tmp_path / "s.gscope")
    session = trace.load(tmp_path / "s.gscope")
    one = session.source.archive.entries["captures/000000.json"].file_size
    monkeypatch.setattr(fileformat, "CACHE_BYTES", one + one // 2)  # room for one capture
    assert [session[i] for i in range(3)] == recorded.captures
    assert list(session.source._cache) == [2]


@settings(_FIXTURE_OK, max_examples=30)
@given(session=gs.sessions())
def test_the_index_lists_each_captures_loss_without_decoding_it(tmp_path: Path,
                                                                session: trace.Session) -> None:
    path = trace.save(session, tmp_path / "losses.gscope")
    back = trace.load(path)
    want = [(c.index, c.loss) for c in session]
    got = back.loss_index
    assert got is not None and len(got) == len(want)
    for (i, loss), (j, wanted) in zip(got, want):
        assert i == j
        assert (loss is None and wanted is None) or loss == wanted or (
            loss != loss and wanted != wanted)  # NaN stays NaN
    back.close()


@pytest.mark.parametrize("losses", ["soon", [[0]], [[0, "x"]], [[-1, 0.5]], [[0, 1.0]] * 9])
def test_a_bad_loss_list_in_the_index_is_refused(tmp_path: Path, recorded: trace.Recorder,
                                                 losses: Any) -> None:
    trace.save(recorded.session, tmp_path / "ok.gscope")
    with zipfile.ZipFile(tmp_path / "ok.gscope") as src:
        members = {n: src.read(n) for n in src.namelist()}
    index = json.loads(members["gscope.json"])
    index["losses"] = losses
    members["gscope.json"] = json.dumps(index).encode()
    with zipfile.ZipFile(tmp_path / "bad.gscope", "w", zipfile.ZIP_DEFLATED) as zf:
        for n, raw in members.items():
            zf.writestr(n, raw)
    with pytest.raises(SessionFormatError, match="losses"):
        trace.load(tmp_path / "bad.gscope")
