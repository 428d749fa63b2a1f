"""Hostile and broken inputs at the command line (issue 13): one line naming what and where,
exit 2, never a traceback, never an endless read; rows and audits done so far are kept.

Real files (FIFOs, devices, symbolic links, binary and deeply nested files) and a real DNS
server on loopback; commands that could block run in a child process with a timeout, so a
regression fails instead of hanging the suite.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.demo.dns_server import DnsServer
from auditor.history import subject_slug

ZONE = """
$ORIGIN good.example.
$TTL 300
@   SOA ns hostmaster 1 7200 3600 1209600 300
@   NS  ns
@   TXT "v=spf1 -all"
ns  A   127.0.0.1
"""
DEAD = "127.0.0.1:9"  # nothing listens on the discard port: every query is refused


@pytest.fixture(scope="module")
def dns_port() -> Iterator[int]:
    """A DNS server in its own thread: the CLI under test runs its own event loop."""
    ready, stop = threading.Event(), threading.Event()
    holder: dict[str, int] = {}

    def serve() -> None:
        async def run() -> None:
            async with DnsServer([ZONE]) as server:
                holder["port"] = server.port
                ready.set()
                while not stop.is_set():
                    await asyncio.sleep(0.02)

        asyncio.run(run())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(5)
    yield holder["port"]
    stop.set()
    thread.join(5)


def child(
    *args: str, home: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if home is not None:
        env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"))
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args],
        capture_output=True,
        text=True,
        timeout=90,
        env=env,
        input=stdin,
    )


def one_line_exit_2(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stderr)
    line = result.stderr.strip().splitlines()[-1]
    for word in words:
        assert word in line, (word, line)
    return line


def scan_args(port: int | str, *extra: str) -> list[str]:
    server = port if isinstance(port, str) else f"127.0.0.1:{port}"
    return ["scan", "--nameserver", server, "--timeout", "0.5", "-q", "--no-save", *extra]


# -- options ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", " "])
def test_an_empty_domain_is_a_usage_error(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(scan_args(DEAD, "--domain", value)) == 2
    assert "--domain" in capsys.readouterr().err


def test_an_empty_profile_name_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(scan_args(DEAD, "--profile", "")) == 2
    assert "--profile" in capsys.readouterr().err


@pytest.mark.parametrize("port", ["99999", "0", "-1", "²", "٢٥", "25x"])
def test_smtp_port_out_of_range_or_not_ascii_is_refused(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(scan_args(DEAD, "--domain", "good.example", "--smtp-port", port)) == 2
    assert "--smtp-port" in capsys.readouterr().err


def test_binary_ca_file(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_bytes(bytes(range(256)) * 4)
    one_line_exit_2(child(*scan_args(DEAD, "--domain", "good.example", "--ca-file", str(ca))),
                    "--ca-file", str(ca))  # fmt: skip


def test_ca_file_with_a_broken_certificate(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n")
    one_line_exit_2(child(*scan_args(DEAD, "--domain", "good.example", "--ca-file", str(ca))),
                    "--ca-file", "not a usable PEM")  # fmt: skip


@pytest.mark.parametrize("option", ["--ca-file", "--trust-anchor", "--companies-house-key-file"])
def test_option_files_that_never_end(option: str) -> None:
    one_line_exit_2(child(*scan_args(DEAD, "--domain", "good.example", option, "/dev/zero")),
                    option, "not a regular file")  # fmt: skip


def test_a_fifo_option_file_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "anchors"
    os.mkfifo(fifo)
    one_line_exit_2(child(*scan_args(DEAD, "--domain", "good.example", "--trust-anchor",
                                     str(fifo))), "not a regular file")  # fmt: skip


# -- profiles ----------------------------------------------------------------------------------


def test_profile_from_dev_zero() -> None:
    one_line_exit_2(child(*scan_args(DEAD, "--profile", "/dev/zero")), "/dev/zero")


def test_profile_that_is_a_symlink_to_dev_zero(tmp_path: Path) -> None:
    link = tmp_path / "profile.toml"
    link.symlink_to("/dev/zero")
    one_line_exit_2(child(*scan_args(DEAD, "--profile", str(link))), str(link))


def test_profile_that_is_too_large(tmp_path: Path) -> None:
    profile = tmp_path / "big.toml"
    profile.write_text('name = "X"\n' + "# padding\n" * 200_000)
    one_line_exit_2(child(*scan_args(DEAD, "--profile", str(profile))), "larger than")


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('name = "{long}"\n', "name"),
        ('name = "X"\n[[home]]\nlines = ["{long}"]\npostcode = "AB1 2CD"\n', "home[1].lines[1]"),
        ('name = "X"\naliases = ["{long}"]\n', "aliases[1]"),
    ],
    ids=["name", "address-line", "alias"],
)
def test_profile_fields_have_length_limits(
    tmp_path: Path, body: str, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    long = "Acacia Avenue " * 40_000  # 560 KB in one field (under the file limit)
    profile = tmp_path / "long.toml"
    profile.write_text(body.replace("{long}", long))
    assert main(scan_args(DEAD, "--profile", str(profile))) == 2
    err = capsys.readouterr().err
    assert key in err and "characters long" in err
    assert len(err) < 500, "the value itself must not be printed"


# -- bulk lists --------------------------------------------------------------------------------


def test_bulk_list_with_a_line_that_is_not_utf8_keeps_the_other_rows(
    tmp_path: Path, dns_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "domains.txt"
    listing.write_bytes(b"good.example\n\xff\xfe.example\nGOOD.example\n")
    out = tmp_path / "out.csv"
    code = main(["bulk", str(listing), "--select", "email.spf", "-o", str(out), "-q",
                 "--nameserver", f"127.0.0.1:{dns_port}", "--timeout", "1"])  # fmt: skip
    err = capsys.readouterr().err
    assert "line 2: skipped: not UTF-8" in err
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["domain"] for r in rows] == ["good.example"]
    assert code in (0, 1)


def test_bulk_list_with_one_endless_line_stops_with_what_it_has(
    tmp_path: Path, dns_port: int
) -> None:
    listing = tmp_path / "domains.txt"
    with listing.open("wb") as handle:
        handle.write(b"good.example\n")
        handle.write(b"x" * (3 << 20))  # 3 MB without a newline
        handle.write(b"\nnever-read.example\n")
    out = tmp_path / "out.csv"
    result = child("bulk", str(listing), "--select", "email.spf", "-o", str(out), "-q",
                   "--nameserver", f"127.0.0.1:{dns_port}", "--timeout", "1")  # fmt: skip
    assert "Traceback" not in result.stderr
    assert "line 2: skipped: longer than 1 MB" in result.stderr
    assert result.returncode == 2  # the list was not read to its end
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["domain"] for r in rows] == ["good.example"]


def test_bulk_list_from_dev_zero_ends() -> None:
    result = child("bulk", "/dev/zero", "-q", "--nameserver", DEAD)
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    assert "longer than 1 MB" in result.stderr


def test_bulk_with_a_dead_resolver_says_nothing_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "domains.txt"
    listing.write_text("good.example\nother.example\n")
    assert main(["bulk", str(listing), "--select", "email.spf", "-q",
                 "--nameserver", DEAD, "--timeout", "0.3"]) == 2  # fmt: skip
    assert "nothing checked" in capsys.readouterr().err


# -- dead resolver, nothing to check --------------------------------------------------------------


def test_a_dead_resolver_run_of_a_full_profile_exits_2_saying_nothing_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], private_home: Path
) -> None:
    # The profile's attested 2FA method gives verdicts without the network: those alone
    # must not make the run look clean.
    profile = tmp_path / "p.toml"
    profile.write_text(
        'name = "Test Person"\ndomains = ["good.example"]\n'
        'websites = ["https://www.good.example/"]\n'
        '[[account]]\nservice = "gmail"\nhandle = "t@gmail.com"\ntwofa = "totp"\n'
    )
    profile.chmod(0o600)
    code = main(scan_args(DEAD, "--profile", str(profile), "--timeout", "0.3",
                          "--lookalikes", "5", "-o", str(tmp_path / "r.md")))  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2, err
    assert "nothing checked" in err.splitlines()[-1]


def test_the_same_profile_with_a_working_resolver_is_not_nothing_checked(
    tmp_path: Path, dns_port: int, capsys: pytest.CaptureFixture[str], private_home: Path
) -> None:
    profile = tmp_path / "p.toml"
    profile.write_text(
        'name = "Test Person"\ndomains = ["good.example"]\n'
        '[[account]]\nservice = "gmail"\nhandle = "t@gmail.com"\ntwofa = "totp"\n'
    )
    profile.chmod(0o600)
    main(scan_args(dns_port, "--profile", str(profile), "--select", "email.spf",
                   "--select", "accounts", "-o", str(tmp_path / "r.md")))  # fmt: skip
    assert "nothing checked" not in capsys.readouterr().err


def test_lookalikes_0_is_not_a_pass(dns_port: int, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(scan_args(dns_port, "--domain", "good.example", "--lookalikes", "0",
                          "--select", "domain.lookalikes", "--format", "json"))  # fmt: skip
    report = json.loads(capsys.readouterr().out)
    [finding] = report["results"][0]["findings"]
    assert finding["status"] == "skipped", finding
    assert "--lookalikes 0" in finding["message"]
    assert code == 2


# -- history files -----------------------------------------------------------------------------


@pytest.fixture
def history_with_hostile_files(tmp_path: Path, dns_port: int) -> Path:
    """A real saved audit, then files in the history folder that no audit wrote."""
    home = tmp_path / "home"
    server = f"127.0.0.1:{dns_port}"
    result = child("scan", "--domain", "good.example", "--select", "email.spf", "-q",
                   "--nameserver", server, "--timeout", "1", home=home)  # fmt: skip
    assert "saved as" in result.stderr, result.stderr
    [audits] = list(home.glob("data/**/audits"))
    [saved] = list(audits.glob("*.json"))
    text = saved.read_text()
    assert '"results": [' in text and '"detail": {' in text
    # Nested far past the recursion limit (json.loads itself gives up) ...
    brackets = "[" * 100_000 + "]" * 100_000
    (audits / "2001-01-01T000000Z--deep-brackets.json").write_text(
        text.replace('"results": [', f'"results": [{brackets}, ', 1)
    )
    # ... and nested less deeply than that, inside a finding's evidence detail, where the
    # report model, the masker and the writers would each recurse into it.
    nested = '{"d": ' * 900 + '"bottom"' + "}" * 900
    (audits / "2001-01-02T000000Z--deep-detail.json").write_text(
        text.replace('"detail": {', f'"detail": {{"nested": {nested}, ', 1)
    )
    os.mkfifo(audits / "2001-01-03T000000Z--fifo.json")
    (audits / "2001-01-04T000000Z--zero.json").symlink_to("/dev/zero")
    (audits / "2001-01-05T000000Z--link.json").symlink_to(saved)
    return home


def test_report_list_report_and_diff_stay_usable(history_with_hostile_files: Path) -> None:
    home = history_with_hostile_files
    listed = child("report", "--list", home=home)
    assert "Traceback" not in listed.stderr, listed.stderr
    assert listed.returncode == 0, listed.stderr
    for name in ("deep-brackets", "deep-detail", "fifo", "zero", "link"):
        assert f"--{name}.json" in listed.stderr, (name, listed.stderr)
    assert "good.example" in listed.stdout
    shown = child("report", "--format", "json", home=home)
    assert "Traceback" not in shown.stderr, shown.stderr
    assert shown.returncode in (0, 1)
    assert json.loads(shown.stdout)["subject"] == "good.example"
    compared = child("diff", home=home)
    assert "Traceback" not in compared.stderr, compared.stderr
    assert compared.returncode in (0, 1, 2)
    assert len(compared.stderr.strip().splitlines()) <= 8


@pytest.mark.parametrize("name", ["deep-detail", "fifo", "zero"])
def test_asking_for_a_hostile_history_file_is_one_line(
    history_with_hostile_files: Path, name: str
) -> None:
    [path] = list(history_with_hostile_files.glob(f"data/**/audits/*--{name}.json"))
    result = child("report", str(path), home=history_with_hostile_files)
    one_line_exit_2(result, path.name)


def test_a_checklist_state_file_that_is_a_fifo(history_with_hostile_files: Path) -> None:
    home = history_with_hostile_files
    [state_dir] = list(home.glob("data/**/state"))
    for old in state_dir.glob("*"):
        old.unlink()
    os.mkfifo(state_dir / f"{subject_slug('good.example')}.json")
    result = child("report", "--format", "json", home=home)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1)
    assert "checklist state" in result.stderr
