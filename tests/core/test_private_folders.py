"""Folders the tool creates are 0700, like its files (issue 16): every one it makes, parents
included, whatever the umask; and the folders the person already had keep their own modes.
In a fresh home (HOME and the XDG folders in a temp folder), through the CLI commands that
make folders: a saved audit (the history), ``init`` (the default profile and a path of one's
own), ``directory update`` (the downloaded 2FA Directory); ``-o`` makes none."""

from __future__ import annotations

import asyncio
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.demo.dns_server import DnsServer
from auditor.demo.web_server import WebServer, json_response
from auditor.files import make_private_dirs
from tests.support.zones import small_zone

DOMAIN = "folders.example"
DIRECTORY = [["Example Portal", {"domain": "portal.example", "tfa": ["totp"]}]]


@pytest.fixture
def wide_umask() -> Iterator[None]:
    """The common default (0022: new folders 0755), so a folder left to mkdir would show."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def created_below(home: Path) -> dict[str, int]:
    """Every folder under ``home``, by its path relative to it, with its mode."""
    return {str(p.relative_to(home)): mode(p) for p in sorted(home.rglob("*")) if p.is_dir()}


def test_a_saved_audit_makes_its_folders_0700(
    private_home: Path, wide_umask: None, capsys: pytest.CaptureFixture[str]
) -> None:
    private_home.chmod(0o755)  # the person's own home: left as it is

    async def scan() -> int:
        async with DnsServer([small_zone(DOMAIN)]) as server:
            return await asyncio.to_thread(
                main,
                ["scan", "--domain", DOMAIN, "--nameserver", f"127.0.0.1:{server.port}",
                 "--select", "email.spf", "-q", "--format", "json"],
            )  # fmt: skip

    assert asyncio.run(scan()) in (0, 1)
    assert "saved as" in capsys.readouterr().err
    folders = created_below(private_home)
    history = ".local/share/candidate-auditor/history"
    assert {f"{history}/audits", f"{history}/state"} <= set(folders)
    assert folders == dict.fromkeys(folders, 0o700), folders
    assert mode(private_home) == 0o755
    audits = list((private_home / history / "audits").iterdir())
    assert audits and all(mode(a) == 0o600 for a in audits)


def test_init_makes_its_folders_0700_and_leaves_the_persons_alone(
    private_home: Path, tmp_path: Path, wide_umask: None, capsys: pytest.CaptureFixture[str]
) -> None:
    config = private_home / ".config"
    config.mkdir(mode=0o755)
    config.chmod(0o755)  # the person's: already there, stays 0755
    assert main(["init"]) == 0
    profile = config / "candidate-auditor" / "profile.toml"
    assert mode(profile) == 0o600
    assert mode(profile.parent) == 0o700
    assert mode(config) == 0o755
    mine = tmp_path / "work"
    mine.mkdir()
    mine.chmod(0o755)
    deep = mine / "campaign" / "2026" / "profile.toml"
    assert main(["init", str(deep)]) == 0
    assert mode(deep) == 0o600
    assert [mode(deep.parent), mode(deep.parent.parent)] == [0o700, 0o700]
    assert mode(mine) == 0o755
    capsys.readouterr()


def test_directory_update_makes_its_folders_0700(
    private_home: Path, wide_umask: None, capsys: pytest.CaptureFixture[str]
) -> None:
    async def update() -> int:
        async with WebServer() as web:
            web.route("*", "/all.json", json_response(DIRECTORY))
            url = f"http://127.0.0.1:{web.http_port}/all.json"
            return await asyncio.to_thread(
                main, ["directory", "update", "--endpoint", f"twofa_directory={url}"]
            )

    assert asyncio.run(update()) == 0
    assert "Saved 1 services" in capsys.readouterr().err
    folders = created_below(private_home)
    assert ".local/share/candidate-auditor" in folders
    assert folders == dict.fromkeys(folders, 0o700), folders


def test_output_makes_no_folder(
    private_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wanted = tmp_path / "new" / "report.md"
    code = main(["scan", "--domain", DOMAIN, "--nameserver", "127.0.0.1:9", "-q",
                 "--select", "email.spf", "-o", str(wanted)])  # fmt: skip
    assert code == 2 and not wanted.parent.exists()
    assert f"the folder {wanted.parent} does not exist" in capsys.readouterr().err


def test_the_helper_sets_0700_on_each_folder_it_makes_and_no_other(
    tmp_path: Path, wide_umask: None
) -> None:
    tmp_path.chmod(0o751)
    made = make_private_dirs(tmp_path / "a" / "b" / "c")
    assert made.is_dir()
    assert [mode(tmp_path / p) for p in ("a", "a/b", "a/b/c")] == [0o700] * 3
    (tmp_path / "a").chmod(0o755)  # the person widened it: a second call leaves it so
    make_private_dirs(tmp_path / "a" / "b" / "d")
    assert mode(tmp_path / "a") == 0o755 and mode(tmp_path / "a/b/d") == 0o700
    assert mode(tmp_path) == 0o751
