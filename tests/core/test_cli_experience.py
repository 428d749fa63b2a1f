"""The command line as a new candidate meets it (issue 16): one profile from 'auditor init'
to the app, private folders, and an exit code for every way a command can end."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import auditor.cli as cli_module
import auditor.tui.app as app_module
from auditor.cli import build_parser, main


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args],
        capture_output=True, text=True, timeout=timeout, env=env, cwd=cwd,
    )  # fmt: skip


def private_env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }


def test_init_without_a_path_writes_the_apps_profile_in_private_folders(tmp_path: Path) -> None:
    result = run_cli("init", env=private_env(tmp_path))
    assert result.returncode == 0, result.stderr
    made = tmp_path / "config" / "candidate-auditor" / "profile.toml"
    assert made.exists() and str(made) in result.stderr
    assert stat.S_IMODE(os.stat(made).st_mode) == 0o600
    for folder in (tmp_path / "config", made.parent):  # both created here: both 0700
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    again = run_cli("init", env=private_env(tmp_path))
    assert again.returncode == 2 and "already exists" in again.stderr


def test_init_names_the_app_command_for_that_file(tmp_path: Path) -> None:
    result = run_cli("init", "my-profile.toml", cwd=tmp_path, env=private_env(tmp_path))
    assert result.returncode == 0
    assert "auditor --profile my-profile.toml" in result.stderr


def test_profile_before_no_command_opens_the_app_on_that_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[object] = []

    def fake_run_app(**kwargs: object) -> int:  # the terminal app itself is tested by Pilot
        opened.append(kwargs.get("profile_path"))
        return 0

    monkeypatch.setattr(app_module, "run_app", fake_run_app)
    path = tmp_path / "my-profile.toml"
    assert main(["--profile", str(path)]) == 0
    assert opened == [path]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--profile", "{tmp}"], "is a folder"),
        (["--profile", "{tmp}/missing/p.toml"], "does not exist"),
        (["--profile", "{tmp}/p.toml", "checks"], "put it after the command"),
        (["--search-provider", "searxng", "checks"], "put it after the command: auditor checks"),
        (["--search-provider", "nope"], "unknown search provider 'nope'"),
        (["--endpoint", "searxng"], "is not NAME=http(s)://URL"),
    ],
    ids=[
        "folder",
        "missing-folder",
        "before-a-command",
        "search-before-a-command",
        "unknown-provider",
        "bad-endpoint",
    ],
)
def test_profile_for_the_app_refuses_what_it_cannot_open(
    args: list[str], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([a.format(tmp=tmp_path) for a in args]) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1


def _opened_with(monkeypatch: pytest.MonkeyPatch, start: Callable[[], int]) -> dict[str, object]:
    """What ``start`` opens the app with, defaults filled in (run_app's own)."""
    opened: list[dict[str, object]] = []

    def fake_run_app(**kwargs: object) -> int:  # the terminal app itself is tested by Pilot
        opened.append(kwargs)
        return 0

    monkeypatch.setattr(app_module, "run_app", fake_run_app)
    assert start() == 0
    [kwargs] = opened
    notes = kwargs.pop("notes", ())
    assert isinstance(notes, list | tuple)
    defaults: dict[str, object] = {"demo": False, "profile_path": None, "options": None}
    return {**defaults, **kwargs, "notes": list(notes)}


@pytest.mark.parametrize("args", [[], ["demo"]], ids=["auditor", "auditor-demo"])
def test_the_apps_fast_path_opens_it_as_the_parser_would(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `auditor` and `auditor demo` skip building the parser (it imports every command), so
    # their first screen comes sooner: they must open the same app the parsed line would
    parsed = build_parser().parse_args(args)
    through_parser = _opened_with(
        monkeypatch, lambda: parsed.run(parsed) if args else cli_module._run_app(parsed)
    )
    assert _opened_with(monkeypatch, lambda: main(args)) == through_parser
    assert through_parser["demo"] is bool(args)


def test_no_app_option_means_the_default_audit_options() -> None:
    # the app is then given no options and makes AuditOptions() at its first audit, so
    # that the services (httpx, dnspython) do not load before its first screen
    from auditor.commands.common import app_options_from_args
    from auditor.services import AuditOptions

    notes: list[str] = []
    assert app_options_from_args(build_parser().parse_args([]), notes) == AuditOptions()
    assert notes == []
