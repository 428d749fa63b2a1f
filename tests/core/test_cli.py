"""The command line as a user meets it: one-line errors with exit 2, never a traceback;
Ctrl-C leaves nothing half-written; the version answers without loading the app."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from auditor.cli import main

GOOD_PROFILE = """
name = "Test Person"
domains = ["nothing-here.example"]

[[home]]
lines = ["12 Acacia Avenue", "Testville"]
postcode = "AB1 2CD"
"""


def run_cli(*args: str, timeout: float = 60, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,  # type: ignore[call-overload]
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('name = "X"\n[[home]]\nlines = ["1 A Road"]\npostcode = "XX1"\n', "home[1].postcode"),
        ('domains = ["a.example"]\n', "name"),
        ('name = "X"\ndomains = ["a.example"\n', "line 3"),
        ('name = "X"\ndomians = ["a.example"]\n', "domains"),
        ('name = "X"\n[[account]]\nservice = "gmail"\ntwofa = "carrier pigeon"\n', "twofa"),
    ],
    ids=["bad-postcode", "missing-name", "broken-toml", "unknown-key", "bad-twofa"],
)
def test_bad_profiles_exit_2_with_one_line_naming_the_problem(
    tmp_path: Path, content: str, expected: str
) -> None:
    profile = tmp_path / "bad.toml"
    profile.write_text(content)
    result = run_cli("scan", "--profile", str(profile))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(profile) in lines[0] and expected in lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ["scan", "--domain", "not a domain"],
        ["scan", "--url", "ftp://x.example/"],
        ["scan", "--domain", "a.example", "--nameserver", "host:port:extra"],
        ["scan", "--domain", "a.example", "--connect-to", "a:b"],
        ["scan", "--domain", "a.example", "--endpoint", "nonsense=https://x.example/"],
        ["scan", "--domain", "a.example", "--trust-anchor", "/no/such/file"],
        ["scan", "--domain", "a.example", "--companies-house-key-file", "/no/such/file"],
        ["scan", "--profile", "/no/such/profile.toml"],
    ],
)
def test_bad_arguments_exit_2_without_a_traceback(args: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    result = run_cli(*args, env=env)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_a_scan_where_nothing_could_be_checked_exits_2(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    result = run_cli("scan", "--domain", "a.example", "--nameserver", "127.0.0.1:9",
                     "--timeout", "0.2", "--format", "json", env=env)  # fmt: skip
    assert result.returncode == 2, result.stderr
    statuses = {f["status"] for r in json.loads(result.stdout)["results"] for f in r["findings"]}
    assert statuses <= {"error", "timeout", "skipped"}
    assert "could not be checked" in result.stderr


def test_version_fast_path_and_checks_listing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("auditor ")
    assert main(["checks", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    categories = {row["category"] for row in listed}
    assert categories == {"email", "web", "domain", "exposure", "accounts"}


def test_ctrl_c_during_a_scan_exits_cleanly_and_writes_nothing(tmp_path: Path) -> None:
    """A DNS server that never answers keeps the scan busy; SIGINT must end it with
    exit 130, one line on stderr, and no report file (not even a temporary one)."""
    import socket

    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))  # receives queries, never answers
    port = silent.getsockname()[1]
    profile = tmp_path / "profile.toml"
    profile.write_text(GOOD_PROFILE)
    report = tmp_path / "report.json"
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    process = subprocess.Popen(
        [sys.executable, "-m", "auditor", "scan", "--profile", str(profile), "--format",
         "json", "-o", str(report), "--nameserver", f"127.0.0.1:{port}", "--timeout", "30"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        silent.settimeout(0.5)
        while time.monotonic() < deadline:  # wait until the scan is really asking DNS
            try:
                silent.recvfrom(512)
                break
            except TimeoutError:
                continue
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=30)
    finally:
        silent.close()
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert "interrupted" in err
    assert not report.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".report")]
