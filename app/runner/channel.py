"""One direction-pair of the wire over a descriptor: `Channel` sends messages as frames and
reads the other side's, decoding them against the table of what that side may send.

The worker reads its commands blocking (`recv`, on its reader thread); the driver reads events
without ever blocking (`read`, from the GUI's event loop), so a slow or stalled worker cannot
hold it, and a frame that is not one we write raises `FrameError` for the driver to close
the connection on.
"""

from __future__ import annotations

import contextlib
import os
import select
import time
from typing import Any

from app.runner import messages
from app.runner.frames import (
    COMMANDS,
    COMPRESS_OVER,
    EVENTS,
    FrameError,
    FrameReader,
    compress_frame,
    encode_frame,
    read_frame,
)

__all__ = ["Channel", "decode_frame", "encode_messages"]


def encode_messages(items: list[Any], kind: int = EVENTS) -> bytes:
    """One frame carrying `items` (events or commands)."""
    blobs: list[bytes] = []
    return encode_frame(kind, messages.encode_items(items, blobs), blobs)


def decode_frame(data: bytes, table: dict | None = None) -> list[Any]:
    """The messages of one whole frame in `data` (tests, and what `Channel` reads)."""
    from app.runner.frames import HEADER, check_header, is_compressed, parse_payload

    table = messages.EVENT_TYPES if table is None else table
    kind = EVENTS if table is messages.EVENT_TYPES else COMMANDS
    size = check_header(bytes(data[:HEADER.size]), kind)
    if len(data) != HEADER.size + size:
        raise FrameError(f"{len(data)} bytes hold a frame of {HEADER.size + size}")
    items, blobs = parse_payload(memoryview(data)[HEADER.size:], is_compressed(data))
    return messages.decode_items(items, blobs, table)


class Channel:
    """Frames out of and into the descriptor `fd` (a socket or a pipe end; we own it).

    Args:
        send_kind: the frame kind we write (EVENTS from the worker, COMMANDS from the driver).
        nonblocking: read without blocking (the driver's side); `recv` then is unavailable.
    """

    def __init__(self, fd: int, send_kind: int, *, nonblocking: bool = False,
                 write_fd: int | None = None) -> None:
        self.fd = fd
        self.write_fd = fd if write_fd is None else write_fd
        self.send_kind = send_kind
        self.recv_kind = COMMANDS if send_kind == EVENTS else EVENTS
        self.closed = False
        self.compress = False  # deflate frames over COMPRESS_OVER bytes (remote links)
        self.refused: str | None = None  # why the other side's stream was refused
        self._received: list[Any] = []
        self._table = messages.OPTIONS_TYPES if self.recv_kind == COMMANDS else \
            messages.EVENT_TYPES
        self.reader = FrameReader(fd, self.recv_kind) if nonblocking else None

    def fileno(self) -> int:
        return self.fd

    # ------------------------------------------------------------------ writing
    def send(self, item: Any) -> None:
        self.send_bytes(encode_messages([item], self.send_kind))

    def send_bytes(self, data: bytes) -> None:
        """Write one whole frame (blocks while the other side's buffer is full)."""
        if self.compress and len(data) > COMPRESS_OVER:
            data = compress_frame(data)
        view = memoryview(data)
        while view:
            view = view[os.write(self.write_fd, view):]

    # ------------------------------------------------------------------ reading
    def recv(self) -> Any:
        """The next message, blocking (the worker's side). The first frame must hold the
        `WorkerOptions`; every later one commands.

        Raises:
            EOFError: the driver closed its end. FrameError: it sent something else.
        """
        while not self._received:
            items, blobs = read_frame(self.fd, self.recv_kind)
            self._received = messages.decode_items(items, blobs, self._table)
            self._table = messages.COMMAND_TYPES
        return self._received.pop(0)

    def poll(self) -> bool:
        """Whether a message or bytes wait (never blocks)."""
        if self._received:
            return True
        if self.reader is not None:
            if self.refused is not None:
                return False
            try:
                if self.reader.has_frame():
                    return True
            except FrameError:
                return True  # a bad header: the next read refuses it
        if self.closed or (self.reader is not None and self.reader.eof):
            return False
        ready, _, _ = select.select([self.fd], [], [], 0)
        return bool(ready)

    def read(self, budget: float | None = None) -> list[Any]:
        """The events of the frames available now (the driver's side), reading for at most
        `budget` seconds; `reader.eof` tells when the worker closed its end.

        A frame that is not one we write sets `refused` (why, fit to show) and ends the
        reading: the events before it are returned, and the caller closes the connection.
        """
        assert self.reader is not None
        end = None if budget is None else time.perf_counter() + budget
        events: list[Any] = []
        if self.refused is not None:
            return events
        try:
            while (frame := self.reader.next_frame()) is not None:
                events += messages.decode_items(frame[0], frame[1], messages.EVENT_TYPES)
                if end is not None and time.perf_counter() >= end:
                    break
        except FrameError as exc:
            self.refused = str(exc)
        return events

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for fd in {self.fd, self.write_fd}:
            with contextlib.suppress(OSError):
                os.close(fd)
