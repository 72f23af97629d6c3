"""The remote link's pieces without ssh: `RemoteTarget.parse`, the ssh command line, large
frames deflated (and a frame that would inflate past the limit refused), link health."""

from __future__ import annotations

import os
import zlib

import pytest

from app.runner import LinkHealth, RemoteTarget
from app.runner import protocol as p
from app.runner.channel import Channel, decode_frame, encode_messages
from app.runner.frames import (
    COMPRESS_OVER,
    COMPRESSED,
    EVENTS,
    HEADER,
    MAGIC,
    MAX_FRAME,
    VERSION,
    FrameError,
    FrameReader,
    compress_frame,
)
from app.runner.link import LinkMonitor


def test_parse_reads_user_host_and_port():
    t = RemoteTarget.parse("alice@gpu1:2222")
    assert (t.destination, t.ssh_options, t.label) == ("alice@gpu1", ("-p", "2222"),
                                                       "alice@gpu1:2222")
    assert RemoteTarget.parse("gpu1").label == "gpu1" and RemoteTarget.parse("gpu1").host == "gpu1"
    assert RemoteTarget.parse("gpu1", ("-J", "jump")).ssh_options == ("-J", "jump")


@pytest.mark.parametrize("text", ["", "-oProxyCommand=x", "gpu 1", "gpu1\t", "gpu1:0",
                                  "gpu1:70000", "@gpu1", "alice@"])
def test_parse_refuses_what_ssh_would_misread_naming_it(text):
    with pytest.raises(ValueError, match="remote host"):
        RemoteTarget.parse(text)


def test_the_ssh_command_never_prompts_and_ends_options_before_the_command():
    t = RemoteTarget.parse("bob@h:22", python="/opt/venv/bin/python")
    cmd = t.worker_command()
    assert cmd[:4] == ["ssh", "-T", "-o", "BatchMode=yes"]
    assert cmd[-3:] == ["bob@h", "--", "/opt/venv/bin/python -m app.runner --stdio"]
    assert cmd[4:6] == ["-p", "22"]


def _big_event() -> p.Output:
    return p.Output("stdout", "loss 0.123456 " * (COMPRESS_OVER // 8))


def test_large_frames_travel_deflated_on_a_remote_link():
    r, w = os.pipe()
    sender = Channel(w, EVENTS)
    sender.compress = True
    reader = FrameReader(r, EVENTS)
    frame = encode_messages([_big_event()])
    small = compress_frame(frame)
    assert len(small) < len(frame) // 10
    assert HEADER.unpack_from(small)[2] == EVENTS | COMPRESSED
    assert decode_frame(small)[0] == _big_event()
    os.set_blocking(w, True)
    try:
        import threading

        writer = threading.Thread(target=sender.send, args=(_big_event(),))
        writer.start()
        got = None
        while got is None:
            got = reader.next_frame()
        writer.join()
        assert reader.bytes_read < len(frame) // 10
        assert got[0][0]["text"] == _big_event().text
    finally:
        os.close(r)
        sender.close()


def test_small_frames_and_local_links_stay_uncompressed():
    frame = encode_messages([p.Loss(1, 0.5)])
    assert HEADER.unpack_from(frame)[2] == EVENTS
    r, w = os.pipe()
    local = Channel(w, EVENTS)
    assert local.compress is False
    local.close()
    os.close(r)


def test_a_frame_that_would_inflate_past_the_limit_is_refused():
    packer = zlib.compressobj(9)
    zeros = bytes(1 << 20)
    body = b"".join(packer.compress(zeros) for _ in range(MAX_FRAME // len(zeros) + 1))
    body += packer.flush()
    bomb = HEADER.pack(MAGIC, VERSION, EVENTS | COMPRESSED, len(body)) + body
    with pytest.raises(FrameError, match="inflating past"):
        decode_frame(bomb)


def test_link_health_takes_the_median_round_trip_and_the_byte_rate():
    link = LinkMonitor(interval=0.0)
    assert link.health("h", True) == LinkHealth("h", None, 0.0, True)
    for _ in range(3):
        t = link.take_ping()
        assert t is not None
        link.pong(t)
    link.pong(-1e9)  # an answer from a confused clock is ignored
    link.received(4000)
    health = link.health(None, True)
    assert health.rtt_ms is not None and 0 <= health.rtt_ms < 1000
    assert health.bytes_per_s == 2000.0  # over the ~2 s window
