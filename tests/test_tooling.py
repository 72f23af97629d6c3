"""The repository's own rules, checked: mypy on the typed packages, the set-up the README runs.

The type check uses `[tool.mypy]` in pyproject.toml (the packages fully typed today); it is
skipped, saying why, where mypy is not installed (the dev extra installs it).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_typed_packages_pass_mypy(tmp_path: Path) -> None:
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (it comes with the dev extra)")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path), "--no-error-summary"],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_reports_a_type_error(tmp_path: Path) -> None:
    """The check above can fail: the same configuration flags a wrong annotation."""
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (it comes with the dev extra)")
    bad = tmp_path / "bad.py"
    bad.write_text('def f() -> int:\n    return "one"\n')
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "c"), str(bad)],
        cwd=ROOT, capture_output=True, text=True, timeout=240,
    )
    assert done.returncode == 1 and "return-value" in done.stdout, done.stdout + done.stderr


def _ci_command() -> str:
    """The command `.ci/run` would run: it prints it after '+ ' before running it."""
    script = (ROOT / ".ci" / "run").read_text()
    extract = script.split("cmd=$(", 1)[1].split(")\n", 1)[0]
    done = subprocess.run(["bash", "-c", extract], cwd=ROOT, capture_output=True, text=True,
                          timeout=30, check=True)
    return done.stdout.strip()


def test_ci_runs_the_readme_test_line_through_scripts_setup() -> None:
    assert _ci_command().startswith("scripts/setup dev && ")
    assert "python -m pytest" in _ci_command()


@pytest.mark.parametrize("name", ["scripts/setup", ".ci/run", "benchmarks/gpu_check.sh"])
def test_shell_scripts_parse_and_are_executable(name: str) -> None:
    path = ROOT / name
    assert os.access(path, os.X_OK) or name.endswith(".sh"), f"{name} is not executable"
    subprocess.run(["bash", "-n", str(path)], check=True, timeout=30)


def test_setup_refuses_an_unknown_extra() -> None:
    done = subprocess.run([str(ROOT / "scripts" / "setup"), "everything"], cwd=ROOT,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and "usage: scripts/setup gui|dev" in done.stderr


def test_pre_commit_hooks_run_ruff_from_the_venv() -> None:
    yaml = pytest.importorskip("yaml", reason="PyYAML comes with pre-commit (the dev extra)")
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert all(repo["repo"] == "local" for repo in config["repos"])  # nothing to download
    assert hooks["ruff-check"]["entry"].startswith(".venv/bin/ruff check")
    assert hooks["ruff-format"]["entry"].startswith(".venv/bin/ruff format")


def test_readme_tables_are_rewritten_from_matching_results_only(tmp_path: Path,
                                                               monkeypatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT))
    from benchmarks.__main__ import regenerate
    from benchmarks._results import rows_of, table_of

    printed = "warm-up done\n| graph | ms |\n|---|---:|\n| mlp | 1.5 |\nmedian of 5\n"
    assert table_of(printed) == ["| graph | ms |", "|---|---:|", "| mlp | 1.5 |"]
    assert rows_of(table_of(printed)) == [{"graph": "mlp", "ms": "1.5"}]
    (tmp_path / "layout.json").write_text(json.dumps({"table": table_of(printed)}))
    (tmp_path / "ui.json").write_text(json.dumps({"table": ["| a |", "|---|", "| 1 |"]}))
    readme = ("x\n<!-- bench:layout -->\n| graph | ms |\n|---|---:|\n| mlp | 9.9 |\n"
              "<!-- /bench:layout -->\n<!-- bench:ui -->\n| a | target |\n|---|---|\n"
              "| 2 | <3 |\n<!-- /bench:ui -->\n<!-- bench:gpu -->\n| g |\n<!-- /bench:gpu -->\n")
    new, notes = regenerate(readme, tmp_path)
    assert "| mlp | 1.5 |" in new and "9.9" not in new  # same columns: replaced
    assert "| 2 | <3 |" in new  # a curated table with other columns is kept
    assert "| g |" in new and len(notes) == 3  # no results: kept
    assert new.count("<!-- bench:") == 3 and new.count("<!-- /bench:") == 3
