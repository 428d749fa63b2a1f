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
    assert code == 0
    assert out.startswith("toomany.audit.example: permerror")
    assert "more than 10 DNS-lookup terms" in out and "DNS lookups: 11/10" in out


async def test_dns_failure_is_temperror(
    spf_dns: DnsServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server = ["--nameserver", f"127.0.0.1:{spf_dns.port}", "--timeout", "0.2"]
    code = await run_cli("slow.audit.example", "--ip", "192.0.2.1", *server)
    out = capsys.readouterr().out
    assert code == 0 and "slow.audit.example: temperror" in out and "timeout" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["example.org", "--ip", "1.2.3.400"], "is not an IPv4 or IPv6 address"),
        (["not a domain", "--ip", "192.0.2.1"], "is not a bare domain name"),
        (["example.org", "--ip", "192.0.2.1", "--sender", "nobody"], "is not an address"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["spf", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
