"""auditor totp-test end to end on a real pseudo-terminal: the test plays the phone."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pyotp

from auditor.engine import Engine
from auditor.model import Status
from auditor.profile import Profile
from checks.accounts.passwords import PasswordsCheck
from checks.accounts.totp_selftest import TotpSelfTestCheck
from tests.accounts.conftest import files_containing, loopback_services

REPO = Path(__file__).resolve().parents[2]


class Terminal:
    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            args, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=REPO, close_fds=True
        )
        os.close(slave)
        self.output = ""

    def read_until(self, pattern: str, timeout: float = 20.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while True:
            found = re.search(pattern, self.output)
            if found:
                return found
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no {pattern!r} in {self.output[-500:]!r}"
            ready, _, _ = select.select([self.master], [], [], remaining)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    chunk = b""
                assert chunk, f"terminal closed before {pattern!r}: {self.output[-500:]!r}"
                self.output += chunk.decode("utf-8", errors="replace")

    def type(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\r")

    def close(self) -> int:
        code = self.process.wait(20)
        os.close(self.master)
        return code


def test_totp_test_on_a_terminal_accepts_the_phone_codes(private_home: Path) -> None:
    env = {**os.environ, "TERM": "dumb"}
    terminal = Terminal([sys.executable, "-m", "auditor", "totp-test", "--show-key"], env)
    key = terminal.read_until(r"Or type this key \(time-based, 6 digits\): ([A-Z2-7 ]+)\r?\n")
    secret = key.group(1).replace(" ", "")
    assert len(secret) == 32
    assert "█" in terminal.output  # the QR code was drawn
    phone = pyotp.TOTP(secret)
    terminal.read_until("Type the code the app shows now")
    now = time.time()
    terminal.type(phone.at(for_time=now - 30))
    terminal.read_until("Type the new code")
    terminal.type(phone.at(for_time=now))
    terminal.read_until("delete")
    assert terminal.close() == 0
    assert "authenticator app works" in terminal.output
    assert files_containing(private_home, secret) == []


def test_totp_test_refuses_codes_from_another_app(private_home: Path) -> None:
    terminal = Terminal([sys.executable, "-m", "auditor", "totp-test"], dict(os.environ))
    terminal.read_until("Type the code the app shows now")
    terminal.type("123456")
    terminal.read_until("Type the new code")
    terminal.type("654321")
    terminal.read_until("Self-test failed")
    assert terminal.close() == 1


def test_totp_test_without_a_terminal_exits_2() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "totp-test"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=30,
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "terminal" in done.stderr


async def test_interactive_checks_are_skipped_in_audits_and_ask_when_included() -> None:
    profile = Profile(name="A")
    async with loopback_services() as services:
        skipped = await Engine.from_checks([TotpSelfTestCheck, PasswordsCheck]).run(
            profile, services
        )
        included = await Engine.from_checks(
            [TotpSelfTestCheck, PasswordsCheck], include_interactive=True
        ).run(profile, services)
    assert skipped.results == ()
    assert {f.check_id: f.status for f in included.findings} == {
        "accounts.totp_selftest": Status.MANUAL,
        "accounts.passwords": Status.MANUAL,
    }
