"""`gradscope --help` names the record and export commands; their own --help works."""

from __future__ import annotations

import pytest

from app.cli import main


def help_of(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as exit_:
        main([*argv, "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


def test_the_main_help_lists_the_subcommands_with_their_usage(capsys):
    text = help_of(capsys)
    assert "--screenshot" in text
    assert "gradscope record MODEL.py -o run.gscope" in text
    assert "gradscope export (MODEL.py | run.gscope) -o OUT." in text


@pytest.mark.parametrize(("command", "option"), [("record", "--stats"), ("export", "--overlay")])
def test_each_subcommand_has_its_own_help(capsys, command, option):
    text = help_of(capsys, command)
    assert text.startswith(f"usage: gradscope {command}") and option in text
