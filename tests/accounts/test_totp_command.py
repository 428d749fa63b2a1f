"""auditor totp-test end to end on a real pseudo-terminal: the test plays the phone."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pyotp

from auditor.engine import Engine
from auditor.interactions import Interaction
from auditor.model import Severity, Status
from auditor.profile import Profile
from auditor.services import Services
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


def test_totp_test_asks_again_for_a_code_that_is_not_digits_and_names_show_key(
    private_home: Path,
) -> None:
    env = {**os.environ, "TERM": "dumb", "COLORFGBG": "0;15"}  # a light background
    terminal = Terminal([sys.executable, "-m", "auditor", "totp-test"], env)
    terminal.read_until("Type the code the app shows now")
    assert "--show-key" in terminal.output
    assert "with --light" not in terminal.output  # detected: drawn dark on light already
    terminal.type("12ab56")
    terminal.read_until("That is not a code")
    terminal.read_until("Type the code the app shows now: $")  # asked again, at once
    terminal.type("123456")
    terminal.read_until("Type the new code")
    terminal.type("654321")
    terminal.read_until("Self-test failed")
    assert terminal.close() == 1


def test_the_qr_code_is_drawn_for_the_background() -> None:
    from auditor.commands.totp_test import light_background
    from auditor.standards.accounts.totp import qr_half_blocks

    assert light_background({"COLORFGBG": "0;15"}) and light_background(
        {"COLORFGBG": "0;default;7"}
    )
    assert not light_background({"COLORFGBG": "15;0"}) and not light_background({})
    dark, light = qr_half_blocks("otpauth://x"), qr_half_blocks("otpauth://x", light_on_dark=False)
    swap = {" ": "█", "█": " ", "▀": "▄", "▄": "▀"}
    assert light == "".join(swap.get(c, c) for c in dark)  # the same code, inverted


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


async def test_interactive_checks_run_in_audits_and_report_what_was_recorded() -> None:
    profile = Profile(name="A")
    checks = [TotpSelfTestCheck, PasswordsCheck]
    async with loopback_services() as services:
        invited = await Engine.from_checks(checks).run(profile, services)
    assert {f.check_id: f.status for f in invited.findings} == {
        "accounts.totp_selftest": Status.MANUAL,
        "accounts.passwords": Status.MANUAL,
    }
    recorded = {
        "accounts.totp_selftest": Interaction(
            "accounts.totp_selftest", Status.WARN, "Your phone's clock is 60 s ahead.",
            "2026-05-01T10:00:00+00:00", {"clock_steps": 2},
        ),
        "accounts.passwords": Interaction(
            "accounts.passwords", Status.FAIL, "1 of the 2 passwords you checked appears in "
            "known data breaches.", "2026-05-02T10:00:00+00:00", {"checked": 2},
        ),
    }  # fmt: skip
    options = replace(loopback_services().options, interactions=recorded)
    async with Services(options) as services:
        report = await Engine.from_checks(checks).run(profile, services)
    found = {f.check_id: f for f in report.findings}
    totp, passwords = found["accounts.totp_selftest"], found["accounts.passwords"]
    assert totp.status is Status.WARN and "60 s ahead" in totp.message
    assert "2026-05-01" in totp.message and totp.evidence[0].source == "interactive"
    assert totp.evidence[0].detail == {"clock_steps": 2}
    assert passwords.status is Status.FAIL and passwords.severity is Severity.HIGH
    assert passwords.actions == ("accounts.password-change-breached",)
