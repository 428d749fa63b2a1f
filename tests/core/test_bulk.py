"""auditor bulk: forgiving input, streamed output, shared lookups, honest exit codes."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.bulk import read_domains
from auditor.cli import main
from auditor.demo.dns_server import DnsServer


def test_plain_lines_with_comments_urls_case_and_duplicates() -> None:
    text = """# campaign domains
Example.ORG

https://www.second.example/about
second.example
bad domain with spaces
third.example.  # trailing dot
x
"""
    items = list(read_domains(text.splitlines()))
    good = [(i.line, i.domain) for i in items if i.domain]
    bad = [(i.line, i.error) for i in items if i.error]
    assert good == [(2, "example.org"), (4, "second.example")]
    assert [line for line, _ in bad] == [6, 7, 8]
    assert all(reason for _, reason in bad)


def test_csv_with_a_domain_column() -> None:
    text = 'name,domain,notes\n"Smith, J",smith.example,x\nJones,JONES.example,\nNo one,,\n'
    items = list(read_domains(text.splitlines()))
    assert [i.domain for i in items if i.domain] == ["smith.example", "jones.example"]
    assert [i.line for i in items if i.error] == [4]


ZONES = []
for index in range(30):
    ZONES.append(
        f"""
$ORIGIN d{index}.example.
@ 300 SOA ns hostmaster 1 7200 3600 1209600 300
@ 300 NS ns
ns 300 A 127.0.0.1
@ 300 TXT "v=spf1 include:_spf.provider.example {"-all" if index % 2 else "+all"}"
"""
    )
ZONES.append(
    """
$ORIGIN provider.example.
@ 300 SOA ns hostmaster 1 7200 3600 1209600 300
@ 300 NS ns
ns 300 A 127.0.0.1
_spf 300 TXT "v=spf1 ip4:192.0.2.0/24 -all"
"""
)


@pytest.fixture
def dns_port() -> Iterator[tuple[int, DnsServer]]:
    """A DNS server in its own thread: the CLI under test runs its own event loop."""
    ready = threading.Event()
    holder: dict[str, object] = {}
    stop = threading.Event()

    def serve() -> None:
        async def run() -> None:
            async with DnsServer(ZONES) as server:
                holder["server"] = server
                ready.set()
                while not stop.is_set():
                    await asyncio.sleep(0.02)

        asyncio.run(run())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(5)
    server = holder["server"]
    assert isinstance(server, DnsServer)
    yield server.port, server
    stop.set()
    thread.join(5)


def test_bulk_streams_csv_and_resolves_shared_includes_once(
    tmp_path: Path, dns_port: tuple[int, DnsServer], capsys: pytest.CaptureFixture[str]
) -> None:
    port, server = dns_port
    listing = tmp_path / "domains.txt"
    listing.write_text(
        "\n".join(f"D{i}.example" for i in range(30)) + "\nnot a domain\nd1.example\n"
    )
    out = tmp_path / "out.csv"
    code = main(["bulk", str(listing), "--select", "email.spf", "-o", str(out), "-q",
                 "--nameserver", f"127.0.0.1:{port}", "--timeout", "1"])  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["domain"] for r in rows].count("d1.example") == 1
    assert len(rows) == 30
    by_domain = {r["domain"]: r for r in rows}
    assert by_domain["d0.example"]["email.spf"] == "fail"  # +all
    assert by_domain["d1.example"]["email.spf"] == "pass"
    assert code == 1
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    stderr = capsys.readouterr().err
    assert "line 31: skipped" in stderr
    shared = [q for q in server.queries if q.qname == "_spf.provider.example"]
    assert len(shared) == 1, "the shared include must be resolved once per run"


def test_bulk_jsonl_and_could_not_check(
    tmp_path: Path, dns_port: tuple[int, DnsServer], capsys: pytest.CaptureFixture[str]
) -> None:
    port, server = dns_port
    server.faults.set("d2.example", "servfail")
    listing = tmp_path / "domains.csv"
    listing.write_text("domain\nd2.example\nd3.example\n")
    code = main(["bulk", str(listing), "--format", "jsonl", "--select", "email.spf", "-q",
                 "--nameserver", f"127.0.0.1:{port}", "--timeout", "1"])  # fmt: skip
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    statuses = {row["domain"]: row["results"][0]["status"] for row in lines}
    assert statuses == {"d2.example": "error", "d3.example": "pass"}
    assert code == 0


def test_bulk_with_nothing_usable_exits_2(tmp_path: Path) -> None:
    listing = tmp_path / "empty.txt"
    listing.write_text("# nothing\n\nnot a domain\n")
    assert main(["bulk", str(listing), "-q", "--nameserver", "127.0.0.1:9"]) == 2
    assert main(["bulk", str(tmp_path / "missing.txt")]) == 2


@pytest.mark.parametrize(("sweep", "selectors_asked"), [("providers", 0), ("full", 3 * 35)])
def test_bulk_dkim_sweep_option(
    tmp_path: Path, dns_port: tuple[int, DnsServer], sweep: str, selectors_asked: int
) -> None:
    """No name exists under _domainkey here: provider first asks no selector, the full
    sweep every one of the table's 35, and both say the same."""
    port, server = dns_port
    server.clear_log()
    listing = tmp_path / "domains.txt"
    listing.write_text("d4.example\nd5.example\nd6.example\n")
    out = tmp_path / "out.csv"
    main(["bulk", str(listing), "--select", "email.dkim", "-o", str(out), "-q", "--timeout",
          "1", "--nameserver", f"127.0.0.1:{port}", "--dkim-sweep", sweep])  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert {r["email.dkim"] for r in rows} == {"warn"}
    assert all("No DKIM key was found" in r["problems"] for r in rows)
    selectors = [
        q.qname for q in server.queries
        if q.qname.count(".") > 2 and "._domainkey." in q.qname and "canary" not in q.qname
    ]  # fmt: skip
    assert len(selectors) == selectors_asked


def test_progress_line_counts_rate_and_time_left() -> None:
    from auditor.commands.bulk import _Progress

    now = [100.0]
    stream = io.StringIO()
    progress = _Progress(
        enabled=True, terminal=False, total=25_000, screen=24, stream=stream,
        clock=lambda: now[0], interval=5.0,
    )  # fmt: skip
    for _ in range(4000):
        now[0] += 0.0025  # 400 domains a second
        progress.tick()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2  # the first domain, then one line every 5 seconds of the 10
    assert lines[-1].startswith("progress: 2,00") and "of 25,000 domains, 400.0/s" in lines[-1]
    now[0] = 108.0  # 4,000 done in 8 s: 500 a second, 21,000 to go
    assert progress.line() == "4,000 of 25,000 domains, 500.0/s, about 42 s left"
    now[0] = 104.0
    assert progress.line().endswith("about 21 s left")
    now[0] = 100.5  # 8,000 a second would leave about 2.6 s
    assert progress.line().endswith("about 3 s left")
    now[0] = 100.0 + 4000 / 2  # 2 a second: hours
    assert progress.line().endswith("about 2 h 55 min left")
    # A short list on a terminal shows nothing; an unknown total shows no time left.
    assert not _Progress(enabled=True, terminal=True, total=20, screen=24).enabled
    unknown = _Progress(
        enabled=True, terminal=False, total=None, screen=24, stream=io.StringIO(),
        clock=lambda: now[0],
    )  # fmt: skip
    unknown.tick()
    assert unknown.line().startswith("1 domain, ") and "left" not in unknown.line()
    # The first domains (a worker's start-up among them) give no time left: it would be a guess.
    early = _Progress(
        enabled=True, terminal=False, total=3000, screen=24, stream=io.StringIO(),
        clock=lambda: now[0],
    )  # fmt: skip
    for count in range(1, 25):
        early.tick()
        assert ("left" in early.line()) == (count >= 20), count


@pytest.mark.parametrize(
    ("flags", "shown"), [([], False), (["--progress"], True), (["--progress", "-q"], False)]
)
def test_bulk_progress_off_a_terminal_only_when_asked(
    tmp_path: Path,
    dns_port: tuple[int, DnsServer],
    capsys: pytest.CaptureFixture[str],
    flags: list[str],
    shown: bool,
) -> None:
    port, _server = dns_port
    listing = tmp_path / "domains.txt"
    listing.write_text("# list\n" + "\n".join(f"d{i}.example" for i in range(30)) + "\n")
    main(["bulk", str(listing), "--select", "email.spf", "-o", str(tmp_path / "o.csv"),
          "--nameserver", f"127.0.0.1:{port}", "--timeout", "1", *flags])  # fmt: skip
    progress = [line for line in capsys.readouterr().err.splitlines() if "progress:" in line]
    if shown:
        assert progress[-1].startswith("progress: 30 of 30 domains, ")
        assert "/s, done in" in progress[-1]
    else:
        assert progress == []
    assert "\x1b" not in capsys.readouterr().err


@pytest.mark.parametrize(("lines", "shown"), [(5, True), (100, False)])
def test_bulk_progress_on_a_terminal_for_lists_longer_than_a_screenful(
    tmp_path: Path, dns_port: tuple[int, DnsServer], lines: int, shown: bool
) -> None:
    """The real CLI with its stderr on a pseudo-terminal of ``lines`` rows (30 domains)."""
    import os
    import pty
    import subprocess
    import sys

    port, _server = dns_port
    listing = tmp_path / "domains.txt"
    listing.write_text("\n".join(f"d{i}.example" for i in range(30)) + "\n")
    leader, follower = pty.openpty()
    env = {**os.environ, "LINES": str(lines), "COLUMNS": "80"}
    command = [sys.executable, "-m", "auditor", "bulk", str(listing), "--select", "email.spf",
               "-o", str(tmp_path / "o.csv"), "--nameserver", f"127.0.0.1:{port}",
               "--timeout", "1"]  # fmt: skip
    try:
        process = subprocess.run(
            command, stderr=follower, stdout=subprocess.DEVNULL, env=env, timeout=120,
            check=False,
        )  # fmt: skip
    finally:
        os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal's other end is closed: all of it was read
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    text = seen.decode()
    assert process.returncode in (0, 1)
    assert "30 domains audited" in text
    assert ("of 30 domains, " in text and "\r\x1b[2K" in text) is shown
    assert "progress:" not in text  # the plain lines are for logs, not terminals


# -- --workers: the list shared among processes ----------------------------------------------


def _bulk(listing: Path, out: Path, port: int, *extra: str) -> int:
    return main(["bulk", str(listing), "-o", str(out), "-q", "--force", "--timeout", "1",
                 "--nameserver", f"127.0.0.1:{port}", *extra])  # fmt: skip


@pytest.mark.parametrize("output_format", ["csv", "jsonl"])
def test_workers_write_what_one_process_writes(
    tmp_path: Path,
    dns_port: tuple[int, DnsServer],
    capsys: pytest.CaptureFixture[str],
    output_format: str,
) -> None:
    port, server = dns_port
    listing = tmp_path / "domains.txt"
    listing.write_text(
        "\n".join(f"d{i}.example" for i in range(30)) + "\nnot a domain\nD7.example\n"
    )
    results = {}
    for workers in ("1", "3"):
        server.clear_log()
        out = tmp_path / f"out{workers}.{output_format}"
        code = _bulk(listing, out, port, "--select", "email.spf", "--workers", workers)
        lines = out.read_text().splitlines()
        header = lines[:1] if output_format == "csv" else []
        asked = sorted(q.qname for q in server.queries if q.qname.startswith("d"))
        shared = [q for q in server.queries if q.qname == "_spf.provider.example"]
        results[workers] = (code, header, sorted(lines), capsys.readouterr().err, asked)
        assert oct(out.stat().st_mode & 0o777) == "0o600"
        assert 1 <= len(shared) <= int(workers), "a shared include: once per process"
    one, three = results["1"], results["3"]
    assert three[0] == one[0] == 1  # d0, d2, ... have +all
    assert three[1] == one[1]
    assert len(three[2]) == len(one[2]) == 30 + (output_format == "csv")
    assert three[2] == one[2]
    # The parent says what it made of the list, once, as one process does.
    for said in ("line 31: skipped", "line 32: dropped: d7.example", "30 domains audited"):
        assert said in one[3] and three[3].count(said) == 1
    # Each domain went to one worker: its questions were asked as often as with one process.
    assert three[4] == one[4]


def test_workers_say_an_outage_as_one_process_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "domains.txt"
    listing.write_text("\n".join(f"d{i}.example" for i in range(6)) + "\n")
    said = []
    for workers in ("1", "2"):
        code = _bulk(listing, tmp_path / "out.csv", 9, "--select", "email.spf",
                     "--workers", workers)  # fmt: skip
        assert code == 2
        said.append(capsys.readouterr().err)
    assert "nothing checked" in said[0]
    assert said[1] == said[0]


@pytest.mark.parametrize("value", ["0", "65", "two", "-1"])
def test_a_bad_worker_count_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    listing = tmp_path / "domains.txt"
    listing.write_text("d1.example\n")
    assert main(["bulk", str(listing), "-q", "--workers", value]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert "--workers" in err[-1] and value in err[-1]


def test_auto_workers_only_for_long_lists(tmp_path: Path) -> None:
    from auditor.commands.bulk import MAX_AUTO_WORKERS, WORKERS_FROM_DOMAINS, worker_count

    cores = len(os.sched_getaffinity(0))
    short, long = tmp_path / "short.txt", tmp_path / "long.txt"
    short.write_text("# a comment\n" + "d.example\n" * (WORKERS_FROM_DOMAINS - 1))
    long.write_text("d.example\n" * WORKERS_FROM_DOMAINS)
    assert worker_count("auto", str(short)) == 1
    assert worker_count("auto", str(long)) == max(1, min(cores, MAX_AUTO_WORKERS))
    assert worker_count("auto", "-") == 1  # standard input cannot be counted ahead
    assert worker_count(3, str(short)) == 3


def test_each_worker_gets_a_share_of_the_run_bounds() -> None:
    from auditor.commands.bulk_workers import Plan, _shared_out
    from auditor.services import AuditOptions
    from auditor.vocabulary import Severity

    options = AuditOptions(max_dns_in_flight=256, max_checks_in_flight=800, dns_cache_size=50_000)
    plan = Plan(("email.spf",), options, concurrency=200, csv=True, fail_on=Severity.HIGH)
    share = _shared_out(plan, 3)
    assert share.concurrency == 67  # 3 x 67 >= 200: no domain slot lost to rounding
    assert share.options.max_dns_in_flight == 86
    assert share.options.max_checks_in_flight == 267
    assert share.options.dns_cache_size == 16_666  # memory for the run, not per worker
    assert _shared_out(plan, 64).options.dns_cache_size == 1000  # never a cache too small to help


def test_bulk_runs_on_uvloop_where_it_is_installed() -> None:
    import sys

    from auditor.net import event_loop

    async def loop_module() -> str:
        return type(asyncio.get_running_loop()).__module__

    expected = "asyncio" if sys.platform == "win32" else "uvloop"
    assert event_loop.run(loop_module()).split(".")[0] == expected


def test_a_killed_worker_is_one_line_and_exit_2(
    tmp_path: Path, dns_port: tuple[int, DnsServer], capsys: pytest.CaptureFixture[str]
) -> None:
    """A worker killed mid-list (out of memory, say): one line naming it, exit 2, no
    traceback and no 'exception was never retrieved' from asyncio."""
    import multiprocessing
    import signal
    import time

    port, server = dns_port
    server.delay = 0.1  # slow answers: the list is still going when the worker is killed
    listing = tmp_path / "domains.txt"
    listing.write_text("".join(f"x{i}.example\n" for i in range(2000)))
    killed: list[int] = []

    def children() -> list[multiprocessing.process.BaseProcess]:
        try:
            return multiprocessing.active_children()
        except RuntimeError:  # the main thread added one while this thread looked
            return []

    def kill_a_worker() -> None:
        deadline = time.monotonic() + 30
        while not children() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.5)  # started and auditing
        for child in children()[:1]:
            assert child.pid is not None
            os.kill(child.pid, signal.SIGKILL)
            killed.append(child.pid)

    killer = threading.Thread(target=kill_a_worker)
    killer.start()
    try:
        code = _bulk(listing, tmp_path / "out.csv", port, "--select", "email.spf",
                     "--workers", "2")  # fmt: skip
    finally:
        killer.join()
    assert killed, "no worker was started"
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip().splitlines() == [
        "auditor: a worker process stopped before the list was finished (was it killed?): run "
        "it again (--workers 1 uses one process)"
    ]
    assert not (tmp_path / "out.csv").exists()  # no half list left under the name asked for
