"""A worker on another machine, through the system's `ssh` client: the target, the command
line, the upload of a local script, and what ssh said on its stderr.

Nothing listens on any port and nothing of ours authenticates: `ssh` (its config, keys,
agent and jump hosts) starts `PYTHON -m app.runner --stdio` on the host, and the frames of
`channel` travel over its stdin and stdout. `BatchMode=yes` keeps ssh from ever prompting
on a terminal the window does not have: a host that needs a password fails with ssh's own
message instead.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["SSH", "RemoteError", "RemoteTarget", "StderrTail", "upload"]

SSH = "ssh"  # the client run (tests put a fake one here)
_PORT = re.compile(r"^(?P<dest>[^:\s]+):(?P<port>\d{1,5})$")
_TAIL_BYTES = 4096


class RemoteError(RuntimeError):
    """ssh could not start the worker (unreachable host, refused key, no python there)."""


@dataclass(frozen=True)
class RemoteTarget:
    """Where and how a remote worker runs.

    Args:
        destination: what `ssh` connects to: `[user@]host` or an alias of the ssh config.
        ssh_options: more arguments for ssh, before the destination (`-p 2222`, `-J jump`).
        python: the interpreter on the host, as a shell word (a venv's python, or
            `env VAR=... python3`); `app.runner` must be importable by it.
        upload: the script is a local file, copied to a private temporary folder on the host
            (and removed when the worker ends); otherwise it is a path on the host.
    """

    destination: str
    ssh_options: tuple[str, ...] = ()
    python: str = "python3"
    upload: bool = False
    written: str = field(default="", compare=False)  # the text parse() was given

    @classmethod
    def parse(cls, text: str, ssh_options: tuple[str, ...] = (), python: str = "python3",
              upload: bool = False) -> RemoteTarget:
        """`[user@]host[:port]` as a target (a port becomes `-p PORT`).

        Raises:
            ValueError: an empty destination, one that looks like an option (a leading '-'
                would be read by ssh as one), or one holding whitespace, naming the text.
        """
        if not text:
            raise ValueError("the remote host is empty: give [user@]host[:port]")
        if text.startswith("-"):
            raise ValueError(f"the remote host {text!r} starts with '-': ssh would read it "
                             "as an option (give [user@]host[:port])")
        if any(c.isspace() for c in text) or "\0" in text:
            raise ValueError(f"the remote host {text!r} holds whitespace: give "
                             "[user@]host[:port]")
        dest, options = text, tuple(ssh_options)
        match = _PORT.match(text)
        if match is not None:
            port = int(match["port"])
            if not 0 < port < 65536:
                raise ValueError(f"the remote host {text!r} names port {port}, not 1-65535")
            dest, options = match["dest"], ("-p", str(port), *options)
        if not dest or dest.endswith("@") or dest.startswith("@"):
            raise ValueError(f"the remote host {text!r} names no host: give "
                             "[user@]host[:port]")
        return cls(dest, options, python or "python3", upload, written=text)

    @property
    def label(self) -> str:
        """The destination as the user wrote it (for the status bar and recent files)."""
        return self.written or self.destination

    @property
    def host(self) -> str:
        """The host part of the destination (no user)."""
        return self.destination.rpartition("@")[2]

    def ssh_command(self, remote: str) -> list[str]:
        """The local command line that runs the shell command `remote` on the host."""
        return [SSH, "-T", "-o", "BatchMode=yes", *self.ssh_options, self.destination,
                "--", remote]

    def worker_command(self) -> list[str]:
        return self.ssh_command(f"{self.python} -m app.runner --stdio")


class StderrTail:
    """A thread keeping the last few KB of ssh's stderr (its own messages and the remote
    worker's raw stderr), optionally copying it to ours as it comes."""

    def __init__(self, source: Any, relay: bool = False) -> None:
        self._chunks: deque[bytes] = deque()
        self._size = 0
        self._lock = threading.Lock()
        self._relay = relay
        self.thread = threading.Thread(target=self._read, args=(source,), daemon=True,
                                       name="gradscope-ssh-stderr")
        self.thread.start()

    def _read(self, source: Any) -> None:
        with source:
            while True:
                try:
                    chunk = os.read(source.fileno(), 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    return
                if self._relay and sys.__stderr__ is not None:
                    try:
                        os.write(sys.__stderr__.fileno(), chunk)
                    except (OSError, ValueError):
                        self._relay = False
                with self._lock:
                    self._chunks.append(chunk)
                    self._size += len(chunk)
                    while self._size > _TAIL_BYTES and len(self._chunks) > 1:
                        self._size -= len(self._chunks.popleft())

    def text(self, wait: float = 0.0) -> str:
        """The tail as text (waiting up to `wait` s for ssh to close its stderr)."""
        if wait:
            self.thread.join(wait)
        with self._lock:
            data = b"".join(self._chunks)[-_TAIL_BYTES:]
        return data.decode("utf-8", "replace")

    def last_line(self, wait: float = 0.0) -> str:
        lines = [line.strip() for line in self.text(wait).splitlines() if line.strip()]
        return lines[-1] if lines else ""


def upload(target: RemoteTarget, local: str, timeout: float = 60.0) -> tuple[str, str]:
    """Copy the local script to a fresh private folder on the host.

    Returns:
        (the script's path there, the folder, to remove when the worker ends).
    Raises:
        RemoteError: the copy failed (ssh's message is in it); OSError: no local file.
    """
    data = Path(local).read_bytes()
    name = shlex.quote(Path(local).name or "model.py")
    script = (f'umask 077 && d=$(mktemp -d "${{TMPDIR:-/tmp}}/gradscope-XXXXXX") && '
              f'cat > "$d"/{name} && echo "$d"')
    try:
        done = subprocess.run(target.ssh_command(f"sh -c {shlex.quote(script)}"), input=data,
                              capture_output=True, timeout=timeout, start_new_session=True)
    except subprocess.TimeoutExpired:
        raise RemoteError(f"copying {local} to {target.label} took over {timeout:.0f} s") \
            from None
    folder = done.stdout.decode("utf-8", "replace").strip()
    if done.returncode != 0 or not folder.startswith("/"):
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        why = tail[-1] if tail else f"ssh exited with status {done.returncode}"
        raise RemoteError(f"could not copy {local} to {target.label}: {why}")
    return f"{folder}/{Path(local).name or 'model.py'}", folder
