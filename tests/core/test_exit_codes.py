"""Exit codes scripts can trust (issue 16), through the CLI's entry function against real
servers on loopback: bulk exits 2 when nothing could be checked and names each line it
dropped; password-check prints JSON on error too; a --select that names no check is a
usage error before anything runs; every code is in --help."""

from __future__ import annotations

import asyncio
import io
import json
import socket
from pathlib import Path

import pytest

from auditor.cli import build_parser, main
from auditor.demo.dns_server import DnsServer
from tests.support.zones import small_zone

DOMAIN = "bulk-one.example"
ZONE = small_zone(DOMAIN, '_dmarc TXT "v=DMARC1; p=reject"')


# Were an audit to start, this resolver would make it say "No network".
NO_NET = ["--nameserver", "127.0.0.1:9"]
OUT = ["-o", "out.md"]


def closed_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_bulk_with_no_network_exits_2_and_says_so_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "domains.txt"
    listing.write_text("a.example\nb.example\n", encoding="utf-8")
    port = closed_udp_port()
    code = main(["bulk", str(listing), "--nameserver", f"127.0.0.1:{port}", "--timeout", "0.3",
                 "-q"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 2
    assert (
        err.count(f"No network: your computer could not reach its DNS resolver 127.0.0.1:{port}")
        == 1
    )
    assert "Errno" not in err
    assert out.splitlines()[0].startswith("domain,")  # the rows are still written


def test_bulk_names_each_line_it_dropped_or_read_as_another_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "domains.txt"
    listing.write_text(
        f"{DOMAIN}\n{DOMAIN.upper()}\nhttps://www.{DOMAIN}/about\nnot a domain\n", encoding="utf-8"
    )

    async def scenario() -> tuple[int, str, str]:
        async with DnsServer([ZONE]) as server:
            code = await asyncio.to_thread(
                main,
                ["bulk", str(listing), "--nameserver", f"127.0.0.1:{server.port}", "-q",
                 "--select", "email.spf,email.dmarc", "--format", "jsonl"],
            )  # fmt: skip
        out, err = capsys.readouterr()
        return code, out, err

    code, out, err = asyncio.run(scenario())
    assert code == 0, err
    assert len(out.splitlines()) == 1  # one domain audited, once
    assert f"line 2: dropped: {DOMAIN} is already on line 1" in err
    assert (
        f"line 3: dropped: {DOMAIN} (read from 'https://www.{DOMAIN}/about') is already on line 1"
        in err
    )
    assert "line 4: skipped: " in err
    assert "1 domain audited" in err and "2 duplicates dropped" in err and "1 line skipped" in err


def test_bulk_with_no_domain_at_all_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "domains.txt"
    listing.write_text("# nothing\nnot a domain\n", encoding="utf-8")
    assert main(["bulk", str(listing), "--nameserver", "127.0.0.1:9", "-q"]) == 2
    assert "no line of the list is a domain" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "--domain", "example.org", "--select", "no.such.check", *NO_NET, *OUT],
        ["scan", "--domain", "example.org", "--select", "email.spf,emial.dmarc", *NO_NET, *OUT],
        ["scan", "--domain", "example.org", "--select", "email", "--ignore", "email", *NO_NET],
        ["demo", "--headless", "--select", "nosuch", *OUT],
        ["bulk", "-", "--select", "nosuch", *NO_NET],
    ],
    ids=["scan", "one-typo", "nothing-left", "demo", "bulk"],
)
def test_a_select_that_names_no_check_is_a_usage_error_before_anything_runs(
    args: list[str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 2
    assert out == "" and not (tmp_path / "out.md").exists()
    assert err.startswith("auditor: --select") and "'auditor checks'" in err
    assert "No network" not in err and "Traceback" not in err


def test_password_check_prints_json_on_error_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a loopback TCP port where nothing listens
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    monkeypatch.setattr("sys.stdin", io.StringIO("a password\n"))
    code = main(["password-check", "--format", "json", "--timeout", "1", "--endpoint",
                 f"pwned_passwords=http://127.0.0.1:{port}/range/"])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 2
    data = json.loads(out)
    assert data["breached"] is None and data["count"] is None
    assert data["error"].startswith("could not check the password")
    assert err.startswith("auditor: could not check the password")
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    assert main(["password-check", "--format", "json"]) == 2
    assert "no password given" in json.loads(capsys.readouterr().out)["error"]


def test_every_command_documents_its_exit_codes() -> None:
    parser = build_parser()
    assert "exit codes" in (parser.epilog or "")
    commands = next(a for a in parser._actions if a.dest == "command")
    for name, sub in commands.choices.items():  # type: ignore[union-attr]
        assert "exit code" in (sub.epilog or ""), name
