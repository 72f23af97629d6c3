"""A private OpenSSH server on a free loopback port, for the remote-worker tests and benchmark.

It runs `/usr/sbin/sshd -D -e -f CONFIG` with a host key and a user key generated into a
temporary folder, accepting only that key (no change to the machine's own ssh setup), and
gives the client options that reach it (`PrivateSshd.options`).
"""

from __future__ import annotations

import contextlib
import getpass
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = ["PrivateSshd", "SshdUnavailableError", "find_sshd"]


class SshdUnavailableError(RuntimeError):
    """sshd (or ssh, ssh-keygen) is missing or would not start; the message says which."""


def find_sshd() -> str:
    for candidate in (shutil.which("sshd"), "/usr/sbin/sshd", "/usr/local/sbin/sshd"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise SshdUnavailableError(
        "no sshd on this machine (scripts/setup dev installs openssh-server)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivateSshd:
    """Start with `start()`, end with `stop()`; `options` are the ssh client's options."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="gradscope-sshd-"))
        self.port = _free_port()
        self.process: subprocess.Popen | None = None
        self.options: tuple[str, ...] = ()

    def start(self, timeout: float = 20.0) -> PrivateSshd:
        sshd = find_sshd()
        for tool in ("ssh", "ssh-keygen"):
            if shutil.which(tool) is None:
                raise SshdUnavailableError(f"no {tool} on this machine "
                                      "(scripts/setup dev installs openssh-client)")
        d = self.dir
        for name in ("host_key", "user_key"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / name)],
                           check=True, capture_output=True)
        shutil.copy(d / "user_key.pub", d / "authorized_keys")
        Path("/run/sshd").mkdir(exist_ok=True)  # privilege separation directory
        (d / "sshd_config").write_text(
            f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {d / 'host_key'}\n"
            f"PidFile {d / 'sshd.pid'}\nAuthorizedKeysFile {d / 'authorized_keys'}\n"
            "PermitRootLogin yes\nUsePAM no\nStrictModes no\nPasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\nLogLevel ERROR\n"
            "MaxStartups 100\nMaxSessions 100\n")
        (d / "known_hosts").write_text(
            f"[127.0.0.1]:{self.port} {(d / 'host_key.pub').read_text()}")
        with open(d / "sshd.log", "wb") as log_file:
            self.process = subprocess.Popen(
                [sshd, "-D", "-e", "-f", str(d / "sshd_config")], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=log_file, start_new_session=True)
        self.options = ("-F", "/dev/null", "-i", str(d / "user_key"), "-p", str(self.port),
                        "-o", f"UserKnownHostsFile={d / 'known_hosts'}",
                        "-o", "StrictHostKeyChecking=yes", "-o", "LogLevel=ERROR")
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                log = (d / "sshd.log").read_text(errors="replace")[-500:]
                self.stop()
                raise SshdUnavailableError(f"sshd exited at start: {log.strip()}")
            probe = subprocess.run(["ssh", *self.options, self.destination, "--", "true"],
                                   capture_output=True, timeout=30)
            if probe.returncode == 0:
                return self
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(0.1)  # not listening yet: wait a moment (or for its exit)
        self.stop()
        raise SshdUnavailableError(f"sshd did not accept our key within {timeout:.0f} s: "
                              f"{probe.stderr.decode(errors='replace').strip()[-300:]}")

    @property
    def destination(self) -> str:
        return f"{getpass.getuser()}@127.0.0.1"

    def stop(self) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, 9)
            self.process.wait(5)
            self.process = None
        shutil.rmtree(self.dir, ignore_errors=True)
