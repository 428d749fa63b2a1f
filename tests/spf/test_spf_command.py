"""``auditor spf`` run in-process against the loopback DNS server."""

from __future__ import annotations

import asyncio
import json

import pytest

from auditor import cli
from auditor.demo.dns_server import DnsServer


async def run_cli(*args: str) -> int:
    # main() runs its own event loop, so it goes to a thread while the server keeps ours.
    return await asyncio.to_thread(cli.main, ["spf", *args])


def network(server: DnsServer) -> list[str]:
    return ["--nameserver", f"127.0.0.1:{server.port}", "--timeout", "0.5"]


async def test_json_pass_through_an_include(
    spf_dns: DnsServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await run_cli(
        "good.audit.example", "--ip", "198.51.100.7", "--format", "json", *network(spf_dns)
    )
    data = json.loads(capsys.readouterr().out)
    assert (code, data["result"]) == (0, "pass")
    assert data["matched"] == "include:_spf.provider.example.net" and data["lookups"] == 1
    code = await run_cli(
        "good.audit.example", "--ip", "203.0.113.5", "--format", "json", *network(spf_dns)
    )
    data = json.loads(capsys.readouterr().out)
    # the include ends in ~all, which only means "no match" there: the outer -all decides
    assert (code, data["result"], data["matched"]) == (0, "fail", "-all")
    code = await run_cli(
        "good.audit.example", "--ip", "192.0.2.99", "--format", "json", *network(spf_dns)
    )
    data = json.loads(capsys.readouterr().out)
    assert (code, data["result"], data["matched"]) == (0, "pass", "ip4:192.0.2.0/24")
    assert data["lookups"] == 0 and data["sender"] == "postmaster@good.audit.example"


async def test_text_output_explains_the_result(
    spf_dns: DnsServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await run_cli(
        "toomany.audit.example",
        "--ip",
        "203.0.113.9",
        "--sender",
        "agent@toomany.audit.example",
        "--helo",
        "mail.audit.example",
        *network(spf_dns),
    )
    out = capsys.readouterr().out
    assert code == 1  # permerror: the published policy is broken
    assert out.startswith("toomany.audit.example: permerror")
    assert "more than 10 DNS-lookup terms" in out and "DNS lookups: 11/10" in out


async def test_dns_failure_is_temperror(
    spf_dns: DnsServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server = ["--nameserver", f"127.0.0.1:{spf_dns.port}", "--timeout", "0.2"]
    code = await run_cli("slow.audit.example", "--ip", "192.0.2.1", *server)
    out = capsys.readouterr().out
    assert code == 3 and "slow.audit.example: temperror" in out and "timeout" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["example.org", "--ip", "1.2.3.400"], "is not an IPv4 or IPv6 address"),
        (["not a domain", "--ip", "192.0.2.1"], "is not a bare domain name"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["spf", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("sender", "helo", "evaluated"),
    [
        # RFC 7208 4.3: a malformed or non-multi-label domain is "none", with no lookup
        ("agent@[192.0.2.1]", None, "[192.0.2.1]"),
        ("agent@localhost", None, "localhost"),
        ("agent@bad..audit.example", None, "bad..audit.example"),
        ("agent@" + "x" * 64 + ".audit.example", None, "x" * 64 + ".audit.example"),
        ("nobody", None, "nobody"),  # no local part: postmaster@nobody (4.3)
        ("<>", "[192.0.2.1]", "[192.0.2.1]"),  # null sender: postmaster@HELO (2.4)
        ("", "192.0.2.1", "192.0.2.1"),
    ],
)
async def test_a_malformed_or_literal_sender_domain_is_none_as_a_receiver_sees_it(
    sender: str,
    helo: str | None,
    evaluated: str,
    spf_dns: DnsServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    spf_dns.queries.clear()
    extra = ["--helo", helo] if helo is not None else []
    code = await run_cli(
        "good.audit.example",
        "--ip",
        "192.0.2.99",
        "--sender",
        sender,
        *extra,
        "--format",
        "json",
        *network(spf_dns),
    )
    data = json.loads(capsys.readouterr().out)
    assert (code, data["result"], data["domain"]) == (0, "none", evaluated)
    assert "RFC 7208 4.3" in data["reason"]
    assert list(spf_dns.queries) == []  # a receiver asks nothing about such a name


async def test_the_sender_domain_is_the_one_evaluated(
    spf_dns: DnsServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await run_cli(
        "good.audit.example", "--ip", "203.0.113.9", "--sender", "a@toomany.audit.example",
        *network(spf_dns),
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 1 and out.startswith("toomany.audit.example: permerror")
    assert "evaluated 'toomany.audit.example' from --sender, as a receiver would" in out
    code = await run_cli(
        "toomany.audit.example", "--ip", "192.0.2.99", "--sender", "<>",
        "--helo", "good.audit.example", "--format", "json", *network(spf_dns),
    )  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert (code, data["result"], data["domain"]) == (0, "pass", "good.audit.example")
    assert data["sender"] == "postmaster@good.audit.example"


async def test_exit_codes_in_json_too(
    spf_dns: DnsServer, capsys: pytest.CaptureFixture[str]
) -> None:
    permerror = await run_cli(
        "loop.audit.example", "--ip", "192.0.2.1", "--format", "json", *network(spf_dns)
    )
    assert json.loads(capsys.readouterr().out)["result"] == "permerror"
    temperror = await run_cli(
        "inclbroken.audit.example", "--ip", "192.0.2.1", "--format", "json", *network(spf_dns)
    )
    assert json.loads(capsys.readouterr().out)["result"] == "temperror"
    none = await run_cli(
        "nothing.audit.example", "--ip", "192.0.2.1", "--format", "json", *network(spf_dns)
    )
    assert json.loads(capsys.readouterr().out)["result"] == "none"
    assert (permerror, temperror, none) == (1, 3, 0)


def test_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["spf", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "1 permerror" in out and "3 temperror" in out and "0 a result was reached" in out
