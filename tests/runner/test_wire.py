"""The wire between the window and the worker: every event and command survives a round trip
of frames, and whatever a (fake, hostile) worker sends that is not our protocol (random bytes,
a huge declared length, a wrong version, an unknown type, a pickle) ends the connection with a
message naming it, kills the worker, and never runs anything."""

from __future__ import annotations

import ast
import contextlib
import pickle
import random
import sys
import time
import typing
from pathlib import Path

import numpy as np
import pytest

from app.runner import driver as driver_module
from app.runner import messages
from app.runner import protocol as p
from app.runner.channel import decode_frame, encode_messages
from app.runner.frames import EVENTS, HEADER, MAGIC, VERSION, FrameError, encode_frame
from autograd_core.trace.codec import SessionFormatError
from autograd_core.trace.records import (
    BackwardRecord,
    IterationCapture,
    NodeRecord,
    TensorMeta,
    TensorStats,
)

ROOT = Path(__file__).resolve().parents[2]


def _node(i: int) -> NodeRecord:
    return NodeRecord(i, f"k{i}", "op", "Linear", "fc", "m.py:3", "step", "forward", (0,), (1,),
                      5, 7, None, 64, 0, None)


def _capture(i: int) -> IterationCapture:
    thumb = np.arange(12, dtype=np.float32).reshape(3, 4)
    stats = TensorStats(0.0, 1.0, 0.5, 0.1, 2.0, 0, 0, (1, 2), 0.0, 1.0, thumb)
    tensors = {0: TensorMeta(0, (4, 2), "float32", "cpu", stats),
               1: TensorMeta(1, (4, 1), "float32", "cpu", None)}
    return IterationCapture(index=i, level="full", wall_time=1.5, nodes=[_node(0)],
                            tensors=tensors, loss=float("nan"), duration_ns=9)


SAMPLES = [
    p.Loaded("/m.py", "cpu", 200, "Sequential"), p.Loaded("/m.py", "cuda", None, "Net"),
    p.Loaded("/m.py", "cuda", 3, "Net", "gpu1", (("cpu", "CPU"), ("cuda:0", "H200, 139 GiB"))),
    p.Pong(12.5), p.Source("/home/u/m.py", "x = 1\n"), p.Ping(3.25),
    p.Status(p.RUNNING, 3, 12.5, "cpu", 1 << 40, 4),
    p.Loss(2, float("nan")), p.Loss(3, float("inf")), p.Loss(4, 0.25),
    p.Output("stderr", "caf\u00e9 \udc80 <b>"),
    p.OutputBatch([("stdout", "a"), ("stderr", ""), ("stdout", "z" * 1000)]),
    p.Error("exception", "boom", "m.py:7", "Traceback ...", 3, None),
    p.Error("killed", "gone", exitcode=-9),
    p.Stepped("forward", 2, 1, "Linear", ((4, 2), None, "int", ()), ((4, 1),), _node(2),
              (_node(0), _node(1))),
    p.Stepped("backward", 0, 1, "AddBackward",
              record=BackwardRecord(0, 1, "AddBackward", 3, 4,
                                    (TensorMeta(2, (3,), "float32", "cpu"), None))),
    p.Finished(10, 0.5),
    p.Run(5), p.Run(None), p.Pause(), p.StepForward(), p.StepBackward(), p.FinishIteration(),
    p.Stop(), p.Restart(), p.SetDevice("cuda"), p.SetRecording("full", 3), p.Shutdown(),
    p.WorkerOptions("/m.py", remote=True, watchdog=15.0, cleanup_dir="/tmp/gs-1"),
    p.WorkerOptions("/m.py", "cpu", "off", 2, 0.1, 8, ["/x"], 0, 5, ["--lr", "0.1"]),
]


def _same(a: object, b: object) -> bool:
    return repr(a).replace("nan", "N") == repr(b).replace("nan", "N")


@pytest.mark.parametrize("item", SAMPLES, ids=lambda x: type(x).__name__)
def test_every_event_and_command_survives_a_round_trip(item):
    if isinstance(item, p.WorkerOptions):
        table = messages.OPTIONS_TYPES
    else:
        table = messages.EVENT_TYPES if type(item).__name__ in messages.EVENT_TYPES \
            else messages.COMMAND_TYPES
    kind = EVENTS if table is messages.EVENT_TYPES else 2
    (back,) = decode_frame(encode_messages([item], kind), table)
    assert type(back) is type(item) and _same(back, item)


def test_a_capture_travels_as_bytes_and_decodes_equal_on_first_read():
    cap = _capture(7)
    (back,) = decode_frame(encode_messages([p.Captured.of(7, cap)]))
    assert type(back.payload) is bytes                          # not decoded on arrival
    got = back.capture
    assert got.nodes == cap.nodes and got.tensors[1] == cap.tensors[1]
    assert np.array_equal(got.tensors[0].stats.thumb, cap.tensors[0].stats.thumb)
    assert np.isnan(got.loss) and got.index == 7


def test_every_protocol_type_has_a_wire_format():
    events = {t.__name__ for t in typing.get_args(p.Event)} - {"Died", "LinkLost"}  # driver
    # side only
    commands = {t.__name__ for t in typing.get_args(p.Command)}
    assert events == set(messages.EVENT_TYPES)
    assert commands == set(messages.COMMAND_TYPES)
    tested = {type(x).__name__ for x in SAMPLES} | {"Captured"}  # the test below
    assert tested == events | commands | {"WorkerOptions"}


def test_damaged_frames_are_only_ever_refused():
    good = encode_messages([p.Loss(1, 2.0), p.Captured.of(1, _capture(1)),
                            p.OutputBatch([("stdout", "x")]), SAMPLES[10]])
    rng = random.Random(0)
    for _ in range(400):
        data = bytearray(good)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            events = decode_frame(bytes(data))
        except FrameError:
            continue
        for e in events:
            if isinstance(e, p.Captured):
                with contextlib.suppress(FrameError, SessionFormatError):
                    assert e.capture is not None


# ------------------------------------------------------------------ a fake, hostile worker
FAKE = '''
import os, sys, time
data = open(sys.argv[1], "rb").read()
os.write(int(sys.argv[3]), data)
time.sleep(60)
'''


class _Boom:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        import os
        return os.mkdir, (str(self.marker),)


def _hostile(kind: str, marker: Path) -> tuple[bytes, str]:
    """(bytes the fake worker sends, what the refusal must say)."""
    valid = encode_messages([p.Loss(0, 1.0)])
    if kind == "random":
        return random.Random(1).randbytes(5000), "not a Gradscope frame"
    if kind == "huge":
        return HEADER.pack(MAGIC, VERSION, EVENTS, 2**32 - 1), "over the"
    if kind == "version":
        return valid[:4] + (VERSION + 1).to_bytes(2, "little") + valid[6:], "protocol version"
    if kind == "unknown":
        return valid + encode_frame(EVENTS, [{"type": "Exec", "code": "1"}]), "unknown message"
    if kind == "pickle":
        return pickle.dumps([_Boom(marker)]), "not a Gradscope frame"
    assert kind == "pickle-in-frame"
    body = pickle.dumps(_Boom(marker))
    return HEADER.pack(MAGIC, VERSION, EVENTS, len(body)) + body, "frame"


@pytest.mark.parametrize("kind", ["random", "huge", "version", "unknown", "pickle",
                                  "pickle-in-frame"])
def test_a_hostile_worker_is_refused_and_ended(kind, tmp_path, monkeypatch):
    marker = tmp_path / "ran"
    data, why = _hostile(kind, marker)
    (tmp_path / "frame.bin").write_bytes(data)
    (tmp_path / "fake.py").write_text(FAKE)
    monkeypatch.setattr(driver_module, "WORKER_COMMAND",
                        [sys.executable, str(tmp_path / "fake.py"), str(tmp_path / "frame.bin")])
    d = driver_module.Driver(str(tmp_path / "model.py"))
    d.start()
    events: list = []
    end = time.monotonic() + 20
    try:
        while not any(isinstance(e, p.Died) for e in events) and time.monotonic() < end:
            events += d.wait_events(0.2)
        refused = [e for e in events if isinstance(e, p.Error)]
        assert refused and refused[0].kind == "internal" and why in refused[0].message, events
        died = events[-1]
        assert isinstance(died, p.Died) and died.message.startswith(
            "the connection to the worker was closed") and why in died.message
        assert not d.alive
        if kind == "unknown":  # what came before the bad frame still arrives
            assert isinstance(events[0], p.Loss)
    finally:
        d.close()
    assert not marker.exists()


# ------------------------------------------------------------------ no pickle on our side
def test_nothing_in_the_runner_or_the_window_can_unpickle():
    """pickle, and multiprocessing's Connection (its recv unpickles), are gone from the
    code that reads what the worker or the window sends."""
    banned = {"pickle", "cPickle", "_pickle", "dill", "shelve", "marshal"}
    for path in [*(ROOT / "app/runner").rglob("*.py"), *(ROOT / "app/ui").rglob("*.py")]:
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module.split(".")[0]]
                assert not (node.module == "multiprocessing.connection" and any(
                    a.name in ("Connection", "Client", "Listener") for a in node.names)), path
            assert not banned & set(names), f"{path}: imports {names}"
            if isinstance(node, ast.Attribute):
                assert node.attr not in ("recv", "loads") or not isinstance(
                    node.value, ast.Name) or node.value.id not in banned, path


def test_gradscope_record_names_a_refused_worker_and_exits_non_zero(tmp_path, monkeypatch,
                                                                   capsys):
    from app.cli import main

    data, _ = _hostile("pickle", tmp_path / "ran")
    (tmp_path / "frame.bin").write_bytes(data)
    (tmp_path / "fake.py").write_text(FAKE)
    (tmp_path / "model.py").write_text("model = None\n")
    monkeypatch.setattr(driver_module, "WORKER_COMMAND",
                        [sys.executable, str(tmp_path / "fake.py"), str(tmp_path / "frame.bin")])
    code = main(["record", str(tmp_path / "model.py"), "-n", "2",
                 "-o", str(tmp_path / "run.gscope")])
    err = capsys.readouterr().err
    assert code != 0 and "the connection was closed" in err, err
    assert "not a Gradscope frame" in err
    assert not (tmp_path / "ran").exists() and not (tmp_path / "run.gscope").exists()


def test_the_fast_capture_document_is_the_session_files(tmp_path):
    """The worker's fast encoder writes what the session codec writes (and reads)."""
    import json

    from app.runner.capture_json import capture_rows, document_from_rows
    from autograd_core.trace.schema import SCHEMA, encode

    cap = _capture(3)
    cap.health.param_grad_norms = {"fc.weight": 0.5}
    cap.phases = {"forward": (1, 2)}
    fast_arrays: dict = {}
    slow_arrays: dict = {}
    rows = json.loads(json.dumps(capture_rows(cap, fast_arrays)))  # as it travels
    fast = document_from_rows(rows, fast_arrays)
    assert set(fast) == set(SCHEMA[IterationCapture])

    def norm(doc: object) -> object:
        return json.loads(json.dumps(doc).replace("NaN", '"nan"'))

    assert norm(fast) == norm(encode(cap, slow_arrays))
    assert fast_arrays.keys() == slow_arrays.keys()


def test_a_worker_stalled_inside_a_frame_never_blocks_the_reader(tmp_path, monkeypatch):
    """Half a frame, then silence: polls return at once (the window stays responsive)."""
    whole = encode_messages([p.Loss(0, 1.0)])
    (tmp_path / "frame.bin").write_bytes(whole + whole[:len(whole) // 2])
    (tmp_path / "fake.py").write_text(FAKE)
    monkeypatch.setattr(driver_module, "WORKER_COMMAND",
                        [sys.executable, str(tmp_path / "fake.py"), str(tmp_path / "frame.bin")])
    d = driver_module.Driver(str(tmp_path / "model.py"))
    d.start()
    try:
        events: list = []
        end = time.monotonic() + 20
        while not events and time.monotonic() < end:
            events += d.wait_events(0.2)
        assert [type(e) for e in events] == [p.Loss]
        t0 = time.monotonic()
        for _ in range(5):
            assert d.poll_events() == []
        assert time.monotonic() - t0 < 0.5 and d.alive
    finally:
        d.close()


def test_a_capture_packet_pointing_outside_its_tables_is_refused_on_read():
    from app.runner.capture_json import capture_rows
    from app.runner.frames import pack

    cap = _capture(1)
    arrays: dict = {}
    rows = capture_rows(cap, arrays)
    stats_row = rows[_capture_field("tensors")][0][4]
    bad_index = [*stats_row[:-1], 99]                        # no such table row
    bad_thumb = [*stats_row[:-2], "stats", stats_row[-1]]    # the table as a thumbnail
    for changed in (bad_index, bad_thumb):
        rows[_capture_field("tensors")][0][4] = changed
        with pytest.raises((FrameError, SessionFormatError)):
            messages.decode_capture(pack(rows, dict(arrays)))


def _capture_field(name: str) -> int:
    from autograd_core.trace.schema import SCHEMA

    return list(SCHEMA[IterationCapture]).index(name)
