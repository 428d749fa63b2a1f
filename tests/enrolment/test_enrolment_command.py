"""auditor enrolment in-process against fake Google Directory and Graph APIs on loopback HTTPS."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.demo.web_server import html, json_response
from tests.accounts.conftest import files_containing
from tests.enrolment.conftest import GRAPH_PATH, TOKEN, FakeApis, graph_user


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    assert TOKEN not in out and TOKEN not in err
    assert TOKEN[5:20] not in out + err
    return code, out, err


def test_google_three_pages_admins_first_suspended_ignored(
    apis: FakeApis, token_file: Path, private_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        ["enrolment", "google", "--token-file", str(token_file), *apis.args("google")], capsys
    )
    assert code == 1, err
    lines = out.splitlines()
    rows = [line for line in lines if "@campaign.example" in line]
    # admins first (without 2SV before with), then users (without 2SV first)
    emails = [next(w for w in r.split() if "@" in w) for r in rows]
    assert emails == [
        "agent@campaign.example",
        "helper@campaign.example",
        "it@campaign.example",
        "bob@campaign.example",
        "alice@campaign.example",
        "carol@campaign.example",
    ]
    assert "old@campaign.example" not in out  # suspended: cannot sign in, not counted
    assert rows[0].split()[:3] == ["admin", "NO", "2SV"]
    assert "enforced: yes" in rows[4]
    assert lines[-1] == (
        "3 of 6 users enrolled; 2 admins without 2SV (1 suspended or archived not counted)"
    )
    assert "accounts.enforce-2sv-workspace" in err
    requests = apis.server.requests_to("localhost")
    assert len(requests) == 3
    assert all(r.header("authorization") == f"Bearer {TOKEN}" for r in requests)
    first = requests[0].query
    assert "customer=my_customer" in first and "maxResults=500" in first
    assert "pageToken=page2" in requests[1].query and "pageToken=page3" in requests[2].query
    assert files_containing(private_home, TOKEN) == []
    assert list(private_home.rglob("*")) == []  # the command writes nothing at all


def test_google_everyone_enrolled_exits_0_and_domain_is_sent(
    apis: FakeApis, token_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    apis.google_pages = [
        [
            {"primaryEmail": "a@campaign.example", "isAdmin": True, "isEnrolledIn2Sv": True},
            {"primaryEmail": "b@campaign.example", "isAdmin": False, "isEnrolledIn2Sv": True},
        ]
    ]
    argv = ["enrolment", "google", "--token-file", str(token_file), "--domain", "Campaign.Example"]
    code, out, _err = run([*argv, *apis.args("google")], capsys)
    assert code == 0
    assert out.splitlines()[-1] == "2 of 2 users enrolled; 0 admins without 2SV"
    query = apis.server.requests_to("localhost")[0].query
    assert "domain=campaign.example" in query and "customer=" not in query


def test_microsoft_pages_json_output(
    apis: FakeApis, token_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    apis.graph_pages = [
        [graph_user("admin@party.example", registered=False, admin=True)],
        [graph_user("ann@party.example", registered=True, methods=("microsoftAuthenticatorPush",))],
        [graph_user("ben@party.example", registered=False, methods=("mobilePhone",))],
    ]
    argv = ["enrolment", "microsoft", "--token-file", str(token_file), "--format", "json"]
    code, out, err = run([*argv, *apis.args("microsoft")], capsys)
    assert code == 1
    data = json.loads(out)
    assert data["provider"] == "microsoft"
    assert [u["email"] for u in data["users"]] == [
        "admin@party.example",
        "ben@party.example",
        "ann@party.example",
    ]
    assert data["users"][2]["methods"] == ["microsoftAuthenticatorPush"]
    assert data["summary"]["admins_without_2sv"] == 1
    assert data["summary"]["line"] == "1 of 3 users enrolled; 1 admin without 2SV"
    assert "1 of 3 users enrolled" in err
    requests = apis.server.requests_to("localhost")
    assert [r.path for r in requests] == [GRAPH_PATH] * 3
    assert "%24skiptoken=2" in requests[2].query or "$skiptoken=2" in requests[2].query


def test_csv_output_is_formula_safe(
    apis: FakeApis, token_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    apis.graph_pages = [
        [graph_user("=cmd|'/c calc'!A1@party.example", registered=True)],
    ]
    argv = ["enrolment", "microsoft", "--token-file", str(token_file), "--format", "csv"]
    code, out, _err = run([*argv, *apis.args("microsoft")], capsys)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows[0]["email"].startswith("'=")
    assert rows[0]["enrolled"] == "yes" and rows[0]["capable"] == "yes"


def test_token_from_stdin(
    apis: FakeApis, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"Bearer {TOKEN}\n"))
    code, _out, _err = run(
        ["enrolment", "google", "--token-file", "-", *apis.args("google")], capsys
    )
    assert code == 1
    assert len(apis.server.requests_to("localhost")) == 3


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected"),
    [
        (401, {"error": {"code": 401, "message": "Invalid Credentials"}}, (),
         "the token was refused (HTTP 401): it may have expired"),
        (403, {"error": {"code": "Authorization_RequestDenied",
                         "message": "Insufficient privileges to complete the operation."}}, (),
         "the token was refused (HTTP 403): it lacks the permission"),
        (429, {"error": {"code": "TooManyRequests", "message": "slow down"}},
         (("Retry-After", "120"),), "HTTP 429); try again in about 2 minutes (Retry-After)"),
    ],
)  # fmt: skip
def test_refusals_exit_2_with_one_line(
    apis: FakeApis,
    token_file: Path,
    capsys: pytest.CaptureFixture[str],
    status: int,
    body: dict[str, object],
    headers: tuple[tuple[str, str], ...],
    expected: str,
) -> None:
    response = json_response(body, status)
    for name, value in headers:
        response = response.with_header(name, value)
    apis.server.route("localhost", GRAPH_PATH, response)
    code, out, err = run(
        ["enrolment", "microsoft", "--token-file", str(token_file), *apis.args("microsoft")],
        capsys,
    )
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert expected in err
    assert err.startswith("auditor: Microsoft 365: ")


def test_wrong_token_is_refused_by_the_server(
    apis: FakeApis, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "stale.txt"
    stale.write_text("ya29.expired-token-value\n")
    code, _out, err = run(
        ["enrolment", "google", "--token-file", str(stale), *apis.args("google")], capsys
    )
    assert code == 2
    assert "the token was refused (HTTP 401): it may have expired" in err
    assert "Request had invalid authentication credentials" in err
    assert "expired-token-value" not in err


def test_html_instead_of_json(
    apis: FakeApis, token_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    apis.server.route(
        "localhost", "/admin/directory/v1/users", html("<!doctype html><h1>Sign in</h1>")
    )
    code, _out, err = run(
        ["enrolment", "google", "--token-file", str(token_file), *apis.args("google")], capsys
    )
    assert code == 2
    assert "answered with a web page, not JSON" in err


def test_next_link_to_another_host_is_refused(
    apis: FakeApis, token_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    apis.graph_pages = [
        [graph_user("a@party.example", registered=True)],
        [graph_user("b@party.example", registered=True)],
    ]
    apis.graph_next_override = "https://collector.evil.example" + GRAPH_PATH + "?$skiptoken=1"
    code, out, err = run(
        ["enrolment", "microsoft", "--token-file", str(token_file), *apis.args("microsoft")],
        capsys,
    )
    assert code == 2
    assert out == ""
    assert "refused to follow a next-page link to another host (collector.evil.example)" in err
    assert len(apis.server.requests) == 1  # the token went nowhere else


def test_a_redirect_is_not_followed_with_the_token(
    apis: FakeApis, token_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = f"https://127.0.0.1:{apis.server.https_port}/elsewhere"
    apis.server.route(
        "localhost",
        GRAPH_PATH,
        json_response({}, 302).with_header("Location", target),
    )
    code, _out, err = run(
        ["enrolment", "microsoft", "--token-file", str(token_file), *apis.args("microsoft")],
        capsys,
    )
    assert code == 2
    assert "redirect (HTTP 302); not followed" in err
    assert apis.server.requests_to("127.0.0.1") == []


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file"),
        ("", "the token file is empty"),
        (f"{TOKEN}\nsecond-line\n", "more than one line"),
        ("not a token with spaces", "spaces or characters"),
    ],
)
def test_bad_token_files_exit_2_before_any_request(
    apis: FakeApis,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    expected: str,
) -> None:
    path = tmp_path / "token.txt"
    if content is not None:
        path.write_text(content)
    code, _out, err = run(
        ["enrolment", "google", "--token-file", str(path), *apis.args("google")], capsys
    )
    assert code == 2
    assert expected in err
    assert len(err.strip().splitlines()) == 1
    assert "second-line" not in err and "with spaces" not in err
    assert list(apis.server.requests) == []


def test_a_readable_token_file_gets_a_note(
    apis: FakeApis, token_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    token_file.chmod(0o644)
    code, _out, err = run(
        ["enrolment", "google", "--token-file", str(token_file), *apis.args("google")], capsys
    )
    assert code == 1
    assert "can be read by other users" in err


def test_the_token_is_not_accepted_on_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["enrolment", "google", "--token", TOKEN])
    _out, err = capsys.readouterr()
    assert code == 2
    assert "--token-file" in err


def test_a_server_echoing_the_token_does_not_make_us_print_it(
    apis: FakeApis, token_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    echo = {"error": {"code": 400, "message": f"Bad header: Bearer {TOKEN}"}}
    apis.server.route("localhost", "/admin/directory/v1/users", json_response(echo, 400))
    code, _out, err = run(
        ["enrolment", "google", "--token-file", str(token_file), *apis.args("google")], capsys
    )
    assert code == 2
    assert "the service answered HTTP 400" in err and "Bearer <token>" in err


def test_users_not_reported_either_way_are_could_not_check(
    apis: FakeApis, token_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    apis.google_pages = [
        [
            {"primaryEmail": "a@campaign.example", "isAdmin": True, "isEnrolledIn2Sv": True},
            {"primaryEmail": "b@campaign.example"},
        ]
    ]
    code, out, _err = run(
        ["enrolment", "google", "--token-file", str(token_file), *apis.args("google")], capsys
    )
    assert code == 2
    assert "unknown  b@campaign.example" in out
    assert out.splitlines()[-1].endswith("; 1 not reported either way")
