"""`gradscope record --remote` saves locally a session whose structure equals a local run's;
`--remote` with a host ssh cannot reach, or a destination ssh would misread, is one clear
sentence and a non-zero exit (the CLI's other failures' codes)."""

from __future__ import annotations

import shutil

import pytest

from app.cli import main
from autograd_core import trace
from tests.remote.conftest import REMOTE_PYTHON, ROOT
from tests.runner.conftest import RecordProcess

EXAMPLE = ROOT / "resources" / "examples" / "spiral_mlp.py"


def _keys(path) -> list[list[str]]:
    session = trace.load(str(path))
    return [[n.key for n in session[i].nodes] for i in range(len(session))]


def test_record_remote_saves_locally_what_a_local_run_records(tmp_path, sshd):
    local, remote = tmp_path / "local.gscope", tmp_path / "remote.gscope"
    assert main(["record", str(EXAMPLE), "-n", "3", "-o", str(local)]) == 0
    run = RecordProcess("record", str(EXAMPLE), "-n", "3", "-o", str(remote),
                        "--remote", sshd.destination, "--remote-python", REMOTE_PYTHON,
                        *(f"--ssh-option={o}" for o in sshd.options))
    try:
        assert run.finish(120) == 0, run.stderr
    finally:
        run.kill()
    assert remote.is_file()
    assert _keys(remote) == _keys(local)
    assert len(_keys(remote)) == 3


def test_record_remote_uploads_a_local_script(tmp_path, sshd):
    script = tmp_path / "mine.py"
    shutil.copy(EXAMPLE, script)
    out = tmp_path / "run.gscope"
    run = RecordProcess("record", str(script), "-n", "2", "-o", str(out), "--upload",
                        "--remote", sshd.destination, "--remote-python", REMOTE_PYTHON,
                        *(f"--ssh-option={o}" for o in sshd.options))
    try:
        assert run.finish(120) == 0, run.stderr
    finally:
        run.kill()
    assert len(trace.load(str(out))) == 2


def test_record_remote_to_an_unreachable_host_is_one_clear_error(tmp_path, capsys):
    out = tmp_path / "run.gscope"
    code = main(["record", "/on/the/host/model.py", "-o", str(out), "--remote",
                 "127.0.0.1:1", "--ssh-option=-F", "--ssh-option=/dev/null"])
    err = capsys.readouterr().err
    assert code == 1
    first = err.strip().splitlines()[0]
    assert first.startswith("gradscope: could not start the worker on 127.0.0.1:1: ")
    assert "Connection refused" in first
    assert not out.exists()


@pytest.mark.parametrize("host", ["-oProxyCommand=touch /tmp/x", "", "a b"])
def test_a_destination_ssh_would_misread_is_refused(host, tmp_path, capsys):
    code = main(["record", "m.py", "-o", str(tmp_path / "r.gscope"), f"--remote={host}"])
    assert code == 2
    assert "remote host" in capsys.readouterr().err


def test_remote_options_need_remote(tmp_path, capsys):
    assert main(["record", "m.py", "-o", str(tmp_path / "r.gscope"), "--upload"]) == 2
    assert "need --remote" in capsys.readouterr().err


def test_the_window_command_checks_its_remote_options_before_opening(capsys):
    assert main(["--remote=a b", "m.py"]) == 2
    assert "remote host" in capsys.readouterr().err
    assert main(["--remote", "gpu1", "--terminal", "m.py"]) == 2
    assert "record --remote" in capsys.readouterr().err
