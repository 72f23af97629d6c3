"""The .gscope file: round trip, atomic writes, and refusal of crafted or damaged files."""

from __future__ import annotations

import contextlib
import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core import trace
from autograd_core.trace import SessionFormatError


@pytest.fixture
def saved(recorded: trace.Recorder, tmp_path: Path) -> Path:
    path = tmp_path / "run.gscope"
    trace.save(recorded.session, path)
    return path


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _write(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_round_trip_is_unchanged(recorded: trace.Recorder, saved: Path) -> None:
    back = trace.load(saved)
    assert back == recorded.session
    cap = back.captures[0]
    assert isinstance(cap.nodes[0].outputs, tuple)
    thumbs = [m.stats.thumb for m in cap.tensors.values() if m.stats.thumb is not None]
    assert thumbs and all(t.dtype == np.float32 for t in thumbs)


def test_round_trip_with_nan_and_every_level(tmp_path: Path) -> None:
    session = trace.Session(script="nan.py")
    for level in ("off", "basic", "full"):
        x = ag.tensor([1.0, -1.0], requires_grad=True)
        with trace.record(stats=level) as rec:
            x.log().sum().backward()
            rec.next_iteration()
        session.extend(rec.captures)
    trace.save(session, tmp_path / "n.gscope")
    back = trace.load(tmp_path / "n.gscope")
    assert back == session
    assert back.captures[2].health.first_nonfinite.key == "/Log#0"


def test_save_replaces_atomically(recorded: trace.Recorder, tmp_path: Path) -> None:
    path = tmp_path / "run.gscope"
    path.write_bytes(b"old")
    trace.save(recorded.session, path)
    assert trace.load(path) == recorded.session
    assert os.listdir(tmp_path) == ["run.gscope"]  # no temporary left behind


def test_failed_save_keeps_the_old_file(recorded: trace.Recorder, tmp_path: Path) -> None:
    path = tmp_path / "run.gscope"
    path.write_bytes(b"old")
    session = trace.Session(script="bad.py")
    session.extend(recorded.captures)
    session[2].wall_time = float("nan")  # the third capture cannot be written
    with pytest.raises(SessionFormatError, match=r"captures/000002\.json.*wall_time"):
        trace.save(session, path)
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["run.gscope"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_saved_file_has_the_usual_permissions(recorded: trace.Recorder, tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        trace.save(recorded.session, tmp_path / "run.gscope")
    finally:
        os.umask(umask)
    assert (tmp_path / "run.gscope").stat().st_mode & 0o777 == 0o644  # not mkstemp's 0o600


def _load_all(path: Path) -> trace.Session:
    """Load and read every capture (load itself decodes captures lazily)."""
    session = trace.load(path)
    session.captures  # noqa: B018 (decodes and validates each one)
    return session


def _refused(path: Path, *words: str) -> str:
    with pytest.raises(SessionFormatError) as info:
        _load_all(path)
    message = str(info.value)
    for w in words:
        assert w in message, message
    return message


def test_wrong_field_is_named(saved: Path, tmp_path: Path) -> None:
    members = _members(saved)
    data = json.loads(members["captures/000001.json"])
    data["nodes"][4]["time_ns"] = -5
    members["captures/000001.json"] = json.dumps(data).encode()
    _refused(_write(tmp_path / "bad.gscope", members), "captures/000001.json",
             "nodes[4].time_ns")
    data["nodes"][4]["time_ns"] = 1
    data["nodes"][2]["kind"] = "gremlin"
    members["captures/000001.json"] = json.dumps(data).encode()
    _refused(_write(tmp_path / "bad2.gscope", members), "nodes[2].kind")
    data["nodes"][2]["kind"] = "op"
    data["edges"][0]["src"] = 10_000
    members["captures/000001.json"] = json.dumps(data).encode()
    _refused(_write(tmp_path / "bad3.gscope", members), "edges[0]")


def test_schema_version_is_checked(saved: Path, tmp_path: Path) -> None:
    members = _members(saved)
    index = json.loads(members["gscope.json"])
    index["schema_version"] = 99
    members["gscope.json"] = json.dumps(index).encode()
    _refused(_write(tmp_path / "v.gscope", members), "gscope.json", "schema_version")


def test_pickled_array_is_refused(saved: Path, tmp_path: Path) -> None:
    members = _members(saved)
    npz_name = next(n for n in members if n.endswith(".npz"))
    buf = io.BytesIO()
    with np.load(io.BytesIO(members[npz_name])) as npz:
        arrays = {k: npz[k] for k in npz.files}
    first = sorted(arrays)[0]
    arrays[first] = np.array([{"evil": os.system}], dtype=object)
    np.savez(buf, **arrays)
    members[npz_name] = buf.getvalue()
    _refused(_write(tmp_path / "p.gscope", members), npz_name)


def test_huge_array_shape_is_refused_before_allocation(saved: Path, tmp_path: Path) -> None:
    # A 3.6 TiB shape in a 200-byte .npy: numpy would allocate it before reading the data.
    members = _members(saved)
    npz_name = next(n for n in members if n.endswith(".npz"))
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000), }"
    header = header.ljust(117) + "\n"
    npy = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as inner:
        inner.writestr("a0.npy", npy + bytes(64))
    members[npz_name] = buf.getvalue()
    _refused(_write(tmp_path / "s.gscope", members), npz_name, "float32 2-D")


def test_encrypted_member_is_refused(saved: Path, tmp_path: Path) -> None:
    raw = bytearray(saved.read_bytes())
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # local, central
        at = raw.find(signature)
        while at >= 0:
            raw[at + flags_at] |= 1  # general-purpose flag bit 0: encrypted
            at = raw.find(signature, at + 4)
    path = tmp_path / "e.gscope"
    path.write_bytes(bytes(raw))
    _refused(path, "encrypted")


def test_path_outside_the_zip_is_refused(saved: Path, tmp_path: Path) -> None:
    members = _members(saved)
    members["../../etc/evil.json"] = b"{}"
    _refused(_write(tmp_path / "t.gscope", members), "unexpected member")
    members.pop("../../etc/evil.json")
    members["/abs/captures/000000.json"] = b"{}"
    _refused(_write(tmp_path / "a.gscope", members), "unexpected member")


def _declare_size(raw: bytes, name: bytes, size: int) -> bytes:
    """Patch the uncompressed size the central directory declares for member `name`."""
    out = bytearray(raw)
    at = out.index(b"PK\x01\x02")
    while True:
        n = int.from_bytes(out[at + 28:at + 30], "little")
        if out[at + 46:at + 46 + n] == name:
            out[at + 24:at + 28] = size.to_bytes(4, "little")
            return bytes(out)
        at = out.index(b"PK\x01\x02", at + 4)


def test_huge_declared_size_is_refused(saved: Path, tmp_path: Path) -> None:
    path = tmp_path / "h.gscope"
    path.write_bytes(_declare_size(saved.read_bytes(), b"captures/000000.json", 2**32 - 2))
    _refused(path, "captures/000000.json", "declared size")


def test_zip_bomb_ratio_is_refused(saved: Path, tmp_path: Path) -> None:
    members = _members(saved)
    members["captures/000000.json"] = b" " * (8 * 2**20)  # compresses about 1000:1
    _refused(_write(tmp_path / "b.gscope", members), "captures/000000.json", "ratio")


def test_truncated_file_is_refused_or_recovered(saved: Path, tmp_path: Path) -> None:
    # A cut file looks like a writer killed midway: its complete captures are recovered (and
    # say so), or it is refused when none is complete; never another exception.
    raw = saved.read_bytes()
    full = trace.load(saved)
    for cut in (len(raw) // 2, len(raw) - 30, 100):
        path = tmp_path / f"cut{cut}.gscope"
        path.write_bytes(raw[:cut])
        try:
            back = trace.load(path)
        except SessionFormatError:
            assert cut == 100
            continue
        assert back.recovered and 1 <= len(back) <= len(full)
        assert back.captures == full.captures[:len(back)]


def test_corrupted_member_is_refused(saved: Path, tmp_path: Path) -> None:
    raw = bytearray(saved.read_bytes())
    with zipfile.ZipFile(saved) as zf:
        info = zf.getinfo("captures/000000.json")
    start = info.header_offset + 30 + len(info.filename) + 10
    raw[start:start + 8] = b"\x00" * 8  # bad deflate data or a CRC mismatch
    path = tmp_path / "c.gscope"
    path.write_bytes(bytes(raw))
    _refused(path, "captures/000000.json")


def test_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.gscope"
    path.write_text("hello")
    _refused(path, "not a .gscope")


_SAVED: dict[str, bytes] = {}


def _sample_session_bytes(tmp: Path) -> bytes:
    if "raw" not in _SAVED:
        ag.manual_seed(0)
        w = ag.randn(3, 4, requires_grad=True)
        with trace.record(stats="full") as rec:
            (ag.ones(2, 3) @ w).tanh().sum().backward()
            rec.next_iteration()
        trace.save(rec.session, tmp / "fuzz.gscope")
        _SAVED["raw"] = (tmp / "fuzz.gscope").read_bytes()
    return _SAVED["raw"]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1,
                      max_size=8))
def test_fuzz_mutated_bytes_never_crash_the_loader(tmp_path: Path,
                                                   edits: list[tuple[int, int]]) -> None:
    raw = bytearray(_sample_session_bytes(tmp_path))
    for pos, value in edits:
        raw[pos % len(raw)] = value
    path = tmp_path / "m.gscope"
    path.write_bytes(bytes(raw))
    with contextlib.suppress(SessionFormatError):
        _load_all(path)  # a mutation in slack bytes may leave a valid file


_JSON = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) |
                     st.floats(allow_nan=False) | st.text(max_size=8),
                     lambda kids: st.lists(kids, max_size=4) |
                     st.dictionaries(st.text(max_size=8), kids, max_size=4), max_leaves=12)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.lists(st.integers(0, 50), min_size=1, max_size=4), value=_JSON)
def test_fuzz_mutated_json_fields_are_refused_cleanly(tmp_path: Path, path: list[int],
                                                      value: object) -> None:
    raw = _sample_session_bytes(tmp_path)
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    data = json.loads(members["captures/000000.json"])
    node = data
    for step in path[:-1]:  # walk to some nested container, then replace one entry
        children = list(node.values()) if isinstance(node, dict) else node
        if not isinstance(children, list) or not children:
            break
        nxt = children[step % len(children)]
        if not isinstance(nxt, (dict, list)):
            break
        node = nxt
    if isinstance(node, dict) and node:
        node[sorted(node)[path[-1] % len(node)]] = value
    elif isinstance(node, list) and node:
        node[path[-1] % len(node)] = value
    members["captures/000000.json"] = json.dumps(data).encode()
    out = _write(tmp_path / "j.gscope", members)
    with contextlib.suppress(SessionFormatError):
        _load_all(out)


def test_version_1_files_without_clock_and_threads_still_load(saved: Path,
                                                             tmp_path: Path) -> None:
    """Schema 2 added IterationCapture.clock and .threads; a version-1 file lacks both."""
    members = _members(saved)
    index = json.loads(members["gscope.json"])
    index["schema_version"] = 1
    members["gscope.json"] = json.dumps(index).encode()
    for name in [n for n in members if n.startswith("captures/") and n.endswith(".json")]:
        data = json.loads(members[name])
        assert data.pop("clock") == "wall" and "threads" in data
        del data["threads"]
        members[name] = json.dumps(data).encode()
    session = _load_all(_write(tmp_path / "v1.gscope", members))
    assert session.captures and all((c.clock, c.threads) == ("wall", 0)
                                    for c in session.captures)


def test_a_capture_keeps_its_thread_count_through_a_file(tmp_path: Path) -> None:
    model = ag.nn.Linear(3, 2)
    with trace.record(model, threads=3) as rec:
        model(ag.ones(1, 3)).sum().backward()
        rec.next_iteration()
    trace.save(rec.session, tmp_path / "t.gscope")
    (capture,) = _load_all(tmp_path / "t.gscope").captures
    assert (capture.clock, capture.threads) == ("wall", 3)
