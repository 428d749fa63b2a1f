"""auditor dkim-selectors, run through auditor.cli.main with a crafted message on stdin.

The command calls asyncio.run itself, so the loopback DNS server runs on its own event
loop in a background thread for the --check tests.
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Iterator

import pytest

from auditor.cli import main
from auditor.demo.dns_server import DnsServer, zone_from_records
from tests.email_auth.conftest import start_dns_server
from tests.email_auth.keys import ed25519_p, rsa_p, txt

MESSAGE = (
    "Return-Path: <news@campaign.org.uk>\r\n"
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"
    "\td=campaign.org.uk; s=google;\r\n"
    "\th=from:to:subject; bh=abc=; b=def\r\n"
    "DKIM-Signature: v=1; a=ed25519-sha256; d=campaign.org.uk; s=ed;\r\n"
    " bh=abc=; b=def\r\n"
    "DKIM-Signature: v=1; a=rsa-sha256; d=mailer.example.com;\r\n"
    "  s=k1; bh=abc=; b=def\r\n"
    "DKIM-Signature: v=1; a=rsa-sha256; d=campaign.org.uk; s=gone; bh=x; b=y\r\n"
    "DKIM-Signature: v=1; a=rsa-sha256; d=campaign.org.uk; s=google; bh=x; b=y\r\n"
    "DKIM-Signature: v=1; a=rsa-sha256; s=nodomain; bh=x; b=y\r\n"
    "From: News <news@campaign.org.uk>\r\n"
    "Subject: Polling day\r\n"
    "\r\n"
    "DKIM-Signature: v=1; d=body.example; s=not-a-header\r\n"
)


def run_cli(monkeypatch: pytest.MonkeyPatch, stdin: str, *args: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["dkim-selectors", *args])


def test_lists_selectors_in_order_without_duplicates(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(monkeypatch, MESSAGE) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "d=campaign.org.uk  s=google  a=rsa-sha256",
        "d=campaign.org.uk  s=ed  a=ed25519-sha256",
        "d=mailer.example.com  s=k1  a=rsa-sha256",
        "d=campaign.org.uk  s=gone  a=rsa-sha256",
    ]
    assert "no d=" in err
    assert "not-a-header" not in out


def test_unsigned_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(monkeypatch, "From: a@b.example\nSubject: hi\n\nbody\n") == 1
    assert "not signed with DKIM" in capsys.readouterr().err


@pytest.mark.parametrize(
    "stdin",
    ["", "this is not an email\nat all", "\x00\x01binary", "  starts folded\nFrom: x"],
)
def test_bad_input_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], stdin: str
) -> None:
    assert run_cli(monkeypatch, stdin) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("auditor: cannot read the message")


def test_oversized_headers_are_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from auditor.commands import dkim_selectors

    monkeypatch.setattr(dkim_selectors, "MAX_INPUT_CHARS", 200)
    huge = "X-Filler: " + "a" * 300 + "\n"
    assert run_cli(monkeypatch, huge) == 2
    assert "larger than" in capsys.readouterr().err
    # a long body after short headers is fine: only the headers are read
    short = "DKIM-Signature: v=1; d=a.example; s=x; b=y\n\n" + "b" * 500
    assert run_cli(monkeypatch, short) == 0
    assert capsys.readouterr().out == "d=a.example  s=x\n"


@pytest.fixture
def threaded_dns() -> Iterator[DnsServer]:
    """A DnsServer running on its own loop in a thread (the CLI runs asyncio.run itself)."""
    loop = asyncio.new_event_loop()
    zones = [
        zone_from_records(
            "campaign.org.uk",
            [
                ("google._domainkey", "TXT", [txt(f"v=DKIM1; k=rsa; p={rsa_p(2048)}")]),
                ("ed._domainkey", "TXT", [txt(f"v=DKIM1; k=ed25519; p={ed25519_p()}")]),
            ],
        ),
        zone_from_records(
            "example.com",
            [("k1._domainkey.mailer", "TXT", [txt(f"v=DKIM1; p={rsa_p(1024)}")])],
        ),
    ]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = asyncio.run_coroutine_threadsafe(start_dns_server(), loop).result(10)
    for zone in zones:
        server.add_zone(zone)
    try:
        yield server
    finally:
        asyncio.run_coroutine_threadsafe(server.stop(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


def test_check_looks_up_each_key(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    threaded_dns: DnsServer,
) -> None:
    code = run_cli(
        monkeypatch, MESSAGE, "--check", "--nameserver", f"127.0.0.1:{threaded_dns.port}"
    )
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "d=campaign.org.uk  s=google  a=rsa-sha256  2048-bit RSA key: ok"
    assert out[1] == "d=campaign.org.uk  s=ed  a=ed25519-sha256  ed25519 key: ok"
    assert out[2].endswith("1024-bit RSA key: short, 2048 bits advised")
    assert out[3].endswith("no key published at gone._domainkey.campaign.org.uk")
    assert code == 1  # a short key and a missing one


def test_check_reports_dns_failure(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    threaded_dns: DnsServer,
) -> None:
    threaded_dns.faults.set_global("servfail")
    signed = "DKIM-Signature: v=1; d=campaign.org.uk; s=google; b=x\nFrom: a@b.example\n\n"
    code = run_cli(
        monkeypatch,
        signed,
        "--check",
        "--timeout",
        "0.5",
        "--nameserver",
        f"127.0.0.1:{threaded_dns.port}",
    )
    assert code == 1
    assert "could not check" in capsys.readouterr().out
