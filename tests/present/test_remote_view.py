"""What the window says about a remote worker, without Qt: the recent-files entry of a remote
model round-trips (and a damaged one is skipped), the link health line, when a link is slow
and which level is offered then, the lost-link sentence, and source lines from the text a
remote worker sent instead of this machine's disk."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.present.inspect import source_context
from app.present.remote_view import (
    REMOTE_PREFIX,
    RemoteEntry,
    is_slow,
    link_text,
    lost_text,
    lower_level,
)


@dataclass
class Health:
    host: str | None
    rtt_ms: float | None
    bytes_per_s: float
    connected: bool = True


def test_a_remote_entry_round_trips_and_names_host_and_path():
    entry = RemoteEntry("me@gpu-box:2222", "/srv/m.py", ("-J", "jump"), "/opt/venv/bin/python",
                        False)
    text = entry.encode()
    assert text.startswith(REMOTE_PREFIX) and "\n" not in text
    assert RemoteEntry.decode(text) == entry
    assert entry.label == "me@gpu-box:2222:/srv/m.py"


def test_a_plain_path_or_a_damaged_entry_is_not_a_remote_one():
    assert RemoteEntry.decode("/home/me/model.py") is None
    for bad in ("remote:{", "remote:[]", 'remote:{"path": "/m.py"}',
                'remote:{"destination": "", "path": "/m.py"}',
                'remote:{"destination": "h", "path": "/m.py", "upload": "yes"}',
                'remote:{"destination": "h", "path": "/m.py", "ssh_options": [1]}', None, 3):
        assert RemoteEntry.decode(bad) is None, bad


def test_an_entry_from_a_parsed_target_parses_back_to_the_same_target():
    remote = pytest.importorskip("app.runner.remote", reason="the runner's ssh transport")
    target = remote.RemoteTarget.parse("me@gpu-box:2222", ("-J", "jump"), "python3.12")
    entry = RemoteEntry.of(target, "/srv/m.py")
    assert entry.destination == "me@gpu-box:2222" and entry.ssh_options == ("-J", "jump")
    again = remote.RemoteTarget.parse(entry.destination, entry.ssh_options, entry.python,
                                      entry.upload)
    assert again == target
    assert RemoteEntry.decode(entry.encode()) == entry


def test_link_text_names_the_host_only_for_remote_workers():
    assert link_text(Health("gpu-box", 12.4, 340 * 1024)) == \
        "on gpu-box  |  rtt 12 ms  |  340 KiB/s"
    local = link_text(Health(None, 0.42, 3 * 2**20))
    assert local == "rtt 0.4 ms  |  3.0 MiB/s" and "on " not in local
    assert link_text(Health(None, None, 0.0)) == "rtt …  |  0 KiB/s"
    assert link_text(Health("h", 5.0, 0.0, connected=False)) == "on h  |  disconnected"
    assert link_text(Health("h", "nan?", "x")).startswith("on h  |  rtt …")  # never raises
    assert link_text(None) == ""


def test_a_slow_link_offers_the_next_lower_level_that_still_draws_the_graph():
    assert is_slow(Health("h", 300.0, 0.0)) and not is_slow(Health("h", 200.0, 0.0))
    assert is_slow(Health("h", 20.0, 0.0), backlog=True)
    assert not is_slow(Health("h", 900.0, 0.0, connected=False)) and not is_slow(None)
    assert [lower_level(x) for x in ("full", "basic", "off", "none", "?")] == \
        ["basic", "off", None, None, None]


def test_the_lost_sentence_names_host_reason_and_what_was_kept():
    assert lost_text("gpu-box", "ssh exited with status 255:\nConnection reset", 7) == \
        "Connection to gpu-box lost: ssh exited with status 255: Connection reset - " \
        "7 iterations kept"
    assert lost_text("h", "", 1).endswith("the link ended - 1 iteration kept")


def test_source_lines_come_from_the_sent_text_and_a_remote_run_never_reads_this_disk(tmp_path):
    local = tmp_path / "model.py"
    local.write_text("local 1\nlocal 2\nlocal 3\n")
    sent = {str(local): "remote 1\nremote 2\nremote 3\n"}
    lines = source_context(f"{local}:2", around=1, texts=sent, local=False)
    assert [(s.number, s.text, s.current) for s in lines] == [
        (1, "remote 1", False), (2, "remote 2", True), (3, "remote 3", False)]
    assert "remote host" in source_context(f"{local}:2", texts={}, local=False)
    assert source_context(f"{local}:2", around=0)[0].text == "local 2"  # a local run: disk
