"""auditor password-check: the count from a loopback range API; only the prefix leaves."""

from __future__ import annotations

import io
import json

import pytest

from auditor.cli import main
from auditor.demo.web_server import WebServer
from tests.accounts.test_pwned import PASSWORD, full_hash, range_handler


def test_breached_password_is_reported_with_its_count_and_only_the_prefix_leaves(
    threaded_web: WebServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    threaded_web.route_prefix("*", "/range/", range_handler({full_hash(PASSWORD): 4242}))  # type: ignore[arg-type]
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    endpoint = f"http://localhost:{threaded_web.http_port}/range/"
    code = main(["password-check", "--format", "json", "--endpoint",
                 f"pwned_passwords={endpoint}"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 1
    assert json.loads(out) == {"breached": True, "count": 4242}
    assert "only the first 5" in err
    [request] = list(threaded_web.requests)
    digest = full_hash(PASSWORD)
    assert request.path == f"/range/{digest[:5]}"
    assert request.header("add-padding").lower() == "true"
    sent = (request.path + request.query + str(request.headers) + request.body.decode()).upper()
    assert digest[5:] not in sent and PASSWORD.upper() not in sent


def test_unknown_password_and_unreachable_service(
    threaded_web: WebServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    threaded_web.route_prefix("*", "/range/", range_handler({}))  # type: ignore[arg-type]
    monkeypatch.setattr("sys.stdin", io.StringIO("never-seen-anywhere-7f3a\n"))
    endpoint = f"http://localhost:{threaded_web.http_port}/range/"
    assert main(["password-check", "--endpoint", f"pwned_passwords={endpoint}"]) == 0
    assert "does not appear" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("x\n"))
    dead = "http://localhost:9/range/"
    assert main(["password-check", "--endpoint", f"pwned_passwords={dead}"]) == 2
    assert "could not check the password" in capsys.readouterr().err
