from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.demo.web_server import WebServer, html, json_response, text
from auditor.standards.accounts.services_table import directory_path, load_service_table

DIRECTORY = [
    ["Example Council Portal", {"domain": "portal.council.example", "tfa": ["totp", "sms"],
                                "documentation": "https://portal.council.example/2fa"}],
    ["Facebook", {"domain": "facebook.com", "tfa": ["sms"]}],
]  # fmt: skip


def update(server: WebServer, path: str) -> int:
    url = f"http://127.0.0.1:{server.http_port}{path}"
    return main(["directory", "update", "--endpoint", f"twofa_directory={url}"])


def test_update_saves_0600_and_the_table_merges_it(
    threaded_web: WebServer, private_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    threaded_web.route("*", "/v3/all.json", json_response(DIRECTORY))
    assert update(threaded_web, "/v3/all.json") == 0
    path = directory_path()
    assert path.is_relative_to(private_home)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text()) == DIRECTORY
    err = capsys.readouterr().err
    assert "MIT licence" in err and "2fa.directory" in err
    table = load_service_table()
    portal = table.get("portal.council.example")
    assert portal is not None and portal.methods == ("totp", "sms")
    facebook = table.get("facebook")
    assert facebook is not None and facebook.source == "table"  # ours wins


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (html("<!doctype html><h1>Service unavailable</h1>"), "HTML page instead"),
        (text('[["half a list", {"domain": "x.example"'), "not valid JSON"),
        (text("Internal error", status=500), "HTTP 500"),
        (json_response({}), "not a non-empty list"),
    ],
)
def test_failed_update_exits_2_with_one_line_and_keeps_the_old_file(
    threaded_web: WebServer,
    private_home: Path,
    capsys: pytest.CaptureFixture[str],
    route: object,
    message: str,
) -> None:
    threaded_web.route("*", "/good.json", json_response(DIRECTORY))
    threaded_web.route("*", "/bad.json", route)  # type: ignore[arg-type]
    assert update(threaded_web, "/good.json") == 0
    before = directory_path().read_bytes()
    capsys.readouterr()
    assert update(threaded_web, "/bad.json") == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "kept" in err and len(err.splitlines()) == 1
    assert directory_path().read_bytes() == before
    leftovers = [p.name for p in directory_path().parent.iterdir()]
    assert leftovers == [directory_path().name]


def test_unreachable_directory_writes_nothing(
    private_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["directory", "update", "--endpoint", "twofa_directory=http://127.0.0.1:9/x"])
    assert code == 2
    assert "could not download" in capsys.readouterr().err
    assert not directory_path().exists()


def test_info_reports_the_builtin_table(
    private_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["directory", "info"]) == 0
    assert "not downloaded" in capsys.readouterr().out
