"""A report that cannot be written once the audit has run (a full disk, its folder removed
while the audit ran, a terminal whose encoding cannot show it) is one line naming the file
and the reason, exit 2, no traceback, and the audit is not lost: the line says it is saved
in the history and how to write it again (issue 16). Real failures only: /dev/full is a real
"No space left on device", the folder is really removed (by the loopback DNS server, on the
audit's first query: after -o was checked, before the report is written), the encoding is
really ASCII in a child process."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.demo.dns_server import DnsServer
from auditor.history import History
from tests.support.zones import small_zone

DOMAIN = "write-fails.example"
ZONE = small_zone(DOMAIN)
NO_NET = ["--nameserver", "127.0.0.1:9", "--timeout", "0.3", "--select", "email.spf", "-q"]


class ActsOnFirstQuery(DnsServer):
    """The loopback DNS server, running ``action`` when the audit's first query arrives: the
    moment between the -o check (before any query) and the report's write (after the last)."""

    def __init__(self, zones: list[str], action: Callable[[], None]) -> None:
        super().__init__(zones)
        self._action: Callable[[], None] | None = action

    async def handle(self, data: bytes, transport: str) -> bytes | None:
        if self._action is not None:
            action, self._action = self._action, None
            action()
        return await super().handle(data, transport)


def _scan(args: list[str], action: Callable[[], None] = lambda: None) -> int:
    async def go() -> int:
        async with ActsOnFirstQuery([ZONE], action) as server:
            return await asyncio.to_thread(
                main,
                ["scan", "--domain", DOMAIN, "--nameserver", f"127.0.0.1:{server.port}",
                 "--select", "email.spf", "-q", *args],
            )  # fmt: skip

    return asyncio.run(go())


def _saved_id() -> str:
    record = History().latest(DOMAIN)
    assert record is not None, "the audit should be in the history"
    return record.id


def test_a_full_disk_is_one_line_and_the_audit_is_kept(
    private_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _scan(["-o", "/dev/full"])
    out, err = capsys.readouterr()
    saved = _saved_id()
    assert code == 2 and out == ""
    last = err.strip().splitlines()[-1]
    assert last == (
        "auditor: cannot write /dev/full: the disk is full (No space left on device); the "
        f"audit is saved in the history: write the report with 'auditor report {saved} -o FILE'"
    )
    assert "Traceback" not in err
    # ... and that command does write it.
    written = private_home / "again.md"
    assert main(["report", saved, "-o", str(written)]) in (0, 1)
    assert written.read_text(encoding="utf-8").startswith("# Candidate Auditor report")


def test_a_folder_removed_while_the_audit_ran(
    private_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    target = folder / "audit.md"
    code = _scan(["-o", str(target)], action=lambda: shutil.rmtree(folder))
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        f"auditor: cannot write {target}: its folder no longer exists (No such file or "
        f"directory); the audit is saved in the history: write the report with "
        f"'auditor report {_saved_id()} -o FILE'"
    )
    assert not folder.exists()  # not quietly made again: -o makes no folders


def test_report_to_a_full_disk_keeps_the_saved_audit(
    private_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _scan(["--format", "json"]) in (0, 1)
    saved = _saved_id()
    capsys.readouterr()
    assert main(["report", saved, "-o", "/dev/full"]) == 2
    assert capsys.readouterr().err.strip() == (
        "auditor: cannot write /dev/full: the disk is full (No space left on device); the "
        f"saved audit {saved} is unchanged: try again with another -o"
    )


def test_nothing_checked_and_nowhere_to_write_says_run_again(
    private_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", "--domain", DOMAIN, *NO_NET, "-o", "/dev/full"]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "auditor: cannot write /dev/full: the disk is full (No space left on device); nothing "
        "could be checked, so it was not saved: run the audit again"
    )


@pytest.mark.parametrize(
    ("domains", "workers"), [(1, "1"), (400, "1"), (400, "2")], ids=["one", "many", "workers"]
)
def test_bulk_results_to_a_full_disk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], domains: int, workers: str
) -> None:
    """One row (the write fails when the output is closed) or rows past the write buffer
    (it fails mid-list: with workers, on a row one of them sent): the same one line."""
    listing = tmp_path / "domains.txt"
    listing.write_text("".join(f"d{i}.{DOMAIN}\n" for i in range(domains)), encoding="utf-8")
    assert main(["bulk", str(listing), *NO_NET, "-o", "/dev/full", "--workers", workers]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1] == (
        "auditor: cannot write /dev/full: the disk is full (No space left on device); the list "
        "was not finished (bulk keeps no history): run it again"
    )


async def _child(args: list[str], *, stdout: int, env: dict[str, str]) -> tuple[int, str]:
    """``python -m auditor ARGS`` in a child process against the loopback DNS server."""
    async with DnsServer([ZONE]) as server:
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "auditor", *args, "--nameserver", f"127.0.0.1:{server.port}",
            stdout=stdout, stderr=asyncio.subprocess.PIPE, env=env,
        )  # fmt: skip
        _, err = await child.communicate()
    return child.returncode or 0, err.decode("utf-8")


@pytest.mark.parametrize(
    ("encoding", "stdout", "reason"),
    [
        ("utf-8", "/dev/full", "the disk is full \\(No space left on device\\)"),
        ("ascii", "pipe", "it holds characters such as '\\\\u[0-9a-f]{4}' that the ascii "
                          "encoding cannot write \\(use -o FILE\\)"),
    ],
    ids=["full-disk", "ascii-terminal"],
)  # fmt: skip
def test_the_report_on_stdout_that_cannot_be_written(
    encoding: str, stdout: str, reason: str, private_home: Path
) -> None:
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    args = ["scan", "--domain", DOMAIN, "--select", "email.spf", "-q", "--format", "html"]
    if stdout == "pipe":
        code, err = asyncio.run(_child(args, stdout=asyncio.subprocess.PIPE, env=env))
    else:
        with open(stdout, "wb") as full:
            code, err = asyncio.run(_child(args, stdout=full.fileno(), env=env))
    saved = _saved_id()
    assert code == 2
    assert "Traceback" not in err and "Exception ignored" not in err
    assert re.fullmatch(
        f"auditor: cannot write the report to standard output: {reason}; the audit is saved in "
        f"the history: write the report with 'auditor report {saved} -o FILE'",
        err.strip().splitlines()[-1],
    )


def test_any_listing_to_a_full_disk_is_one_line(private_home: Path) -> None:
    with open("/dev/full", "wb") as full:
        code, err = asyncio.run(_child(["spf", DOMAIN, "--ip", "192.0.2.1"], stdout=full.fileno(),
                                       env=dict(os.environ)))  # fmt: skip
    assert code == 2
    assert err.strip() == (
        "auditor: cannot write to standard output: the disk is full (No space left on device)"
    )
