"""Where a standard says DIGIT it means 0-9: superscripts and other digits are not numbers."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.standards.accounts.enrolment import describe_retry_after
from auditor.standards.accounts.otpauth import lint_uri
from auditor.standards.digits import ascii_int, is_ascii_digits
from auditor.standards.email.dmarc_record import DmarcSyntaxError, parse_dmarc
from auditor.standards.email.mta_sts_policy import MtaStsError, parse_policy
from auditor.standards.email.mx_records import parse_mx
from auditor.standards.web.header_grading import grade_hsts, parse_hsts

REPO = Path(__file__).resolve().parents[2]
NOT_ASCII = ["²", "٣١٥٣٦٠٠٠", "３１５３６０００", "1²", "३"]
YEAR = 31_536_000


@pytest.mark.parametrize("text", [*NOT_ASCII, "", "-1", "+1", " 1", "1.0"])
def test_the_helper_refuses_everything_but_ascii_digits(text: str) -> None:
    assert not is_ascii_digits(text)
    assert ascii_int(text) is None


def test_the_helper_reads_ascii_digits_and_honours_the_length_bound() -> None:
    assert ascii_int("0031536000") == YEAR
    assert ascii_int("1234", max_digits=3) is None


@pytest.mark.parametrize("digits", NOT_ASCII)
def test_hsts_max_age_in_other_digits_is_not_a_policy(digits: str) -> None:
    policy = parse_hsts(f"max-age={digits}; includeSubDomains")
    assert policy is not None and policy.max_age is None
    graded = grade_hsts(f"max-age={digits}")
    assert graded.modifier < 0 and "invalid" in graded.result
    assert parse_hsts(f"max-age={YEAR}") == parse_hsts(f"max-age={YEAR}")
    assert parse_hsts(f"max-age={YEAR}").max_age == YEAR  # type: ignore[union-attr]


@pytest.mark.parametrize("digits", NOT_ASCII)
def test_mta_sts_max_age_in_other_digits_is_an_error(digits: str) -> None:
    with pytest.raises(MtaStsError, match="max_age"):
        parse_policy(f"version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: {digits}\n")


@pytest.mark.parametrize("digits", NOT_ASCII)
def test_dmarc_pct_and_ri_in_other_digits(digits: str) -> None:
    with pytest.raises(DmarcSyntaxError, match="pct"):
        parse_dmarc(f"v=DMARC1; p=reject; pct={digits}")
    record = parse_dmarc(f"v=DMARC1; p=reject; ri={digits}")
    assert any("ri=" in problem for problem in record.problems)


def test_dmarc_size_suffix_takes_ascii_digits_only() -> None:
    record = parse_dmarc("v=DMARC1; p=reject; rua=mailto:d@example.com!١٠m")
    ok = parse_dmarc("v=DMARC1; p=reject; rua=mailto:d@example.com!10m")
    assert record.rua != ok.rua or record.problems


@pytest.mark.parametrize("digits", NOT_ASCII)
def test_mx_preference_in_other_digits_is_skipped_not_a_crash(digits: str) -> None:
    assert parse_mx([f"{digits} mx.example.com.", "10 mx2.example.com."]) == parse_mx(
        ["10 mx2.example.com."]
    )


@pytest.mark.parametrize("digits", NOT_ASCII)
def test_retry_after_in_other_digits_is_not_a_number(digits: str) -> None:
    now = datetime(2026, 5, 1, tzinfo=UTC)
    assert "Retry-After" not in describe_retry_after(digits, now)
    assert describe_retry_after("90", now) == "in 90 seconds (Retry-After)"


@pytest.mark.parametrize("digits", NOT_ASCII)
def test_otpauth_period_and_counter_in_other_digits_fail(digits: str) -> None:
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    items = lint_uri(f"otpauth://totp/Example:me?secret={secret}&issuer=Example&period={digits}")
    assert [i.status for i in items if i.field == "period"] == ["fail"]
    items = lint_uri(f"otpauth://hotp/Example:me?secret={secret}&issuer=Example&counter={digits}")
    assert [i.status for i in items if i.field == "counter"] == ["fail"]


def test_totp_lint_command_with_a_superscript_period_is_one_line_not_a_traceback() -> None:
    uri = "otpauth://totp/Example:me?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&period=²"
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "totp-lint"],
        input=uri,
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert "Traceback" not in done.stderr
    assert done.returncode in (1, 2)
    assert "period" in done.stdout
