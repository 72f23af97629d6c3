"""Starting a worker process, with its two channels: locally over a socket pair, remotely
over the stdin and stdout of `ssh` (one protocol, two transports).

Either way the process leads its own session and process group: a terminal's Ctrl-C reaches
only the driver (which decides how the worker ends), and ending the group ends every process
its script forked (locally; on a host the remote worker ends its own group).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.runner.channel import Channel
from app.runner.frames import COMMANDS
from app.runner.pipes import start_relay
from app.runner.remote import StderrTail
from app.runner.threads import thread_env

__all__ = ["Spawned", "spawn_local", "spawn_remote"]

_ROOT = str(Path(__file__).resolve().parents[2])  # the folder holding the `app` package


@dataclass
class Spawned:
    process: Any             # the subprocess.Popen: the worker, or the ssh client
    commands: Channel        # what the driver writes
    events: Channel          # what it reads, without blocking
    stderr: StderrTail | None = None  # ssh's stderr (remote only)


def spawn_local(command: list[str], threads: int, relay_output: bool,
                dump_fd: int) -> Spawned:
    """`command` plus the worker's two descriptors, in a fresh interpreter (never a fork:
    the GUI process holds Qt and CUDA state)."""
    cmd_parent, cmd_child = socket.socketpair()
    evt_parent, evt_child = socket.socketpair()
    fds = (cmd_child.fileno(), evt_child.fileno())
    env = thread_env(dict(os.environ), threads)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_ROOT, env.get("PYTHONPATH")]))
    out = subprocess.PIPE if relay_output else None
    process = subprocess.Popen(
        [*command, str(fds[0]), str(fds[1])],
        pass_fds=(*fds, dump_fd), stdin=subprocess.DEVNULL, stdout=out, stderr=out,
        env=env, start_new_session=True)
    if relay_output:
        start_relay(process.stdout, sys.__stdout__)
        start_relay(process.stderr, sys.__stderr__)
    cmd_child.close()  # the child holds its ends; closing ours makes its death an EOF here
    evt_child.close()
    return Spawned(process, Channel(cmd_parent.detach(), COMMANDS),
                   Channel(evt_parent.detach(), COMMANDS, nonblocking=True))


def spawn_remote(command: list[str], relay_output: bool) -> Spawned:
    """`command` (ssh ... -- PYTHON -m app.runner --stdio) with frames on its stdin/stdout;
    its stderr (ssh's messages, the remote worker's raw stderr) is kept for error messages."""
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, start_new_session=True)
    stdin, stdout = process.stdin, process.stdout
    assert stdin is not None and stdout is not None  # both were asked for as pipes
    write_fd, read_fd = os.dup(stdin.fileno()), os.dup(stdout.fileno())
    stdin.close()  # our duplicates are the only ends: closing them is ssh's EOF
    stdout.close()
    tail = StderrTail(process.stderr, relay=relay_output)
    return Spawned(process, Channel(write_fd, COMMANDS),
                   Channel(read_fd, COMMANDS, nonblocking=True), tail)
