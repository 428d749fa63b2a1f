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
from auditor.standards.web.graded import response
from auditor.standards.web.observatory import grade_hsts, parse_hsts

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
    graded = grade_hsts(response([("strict-transport-security", f"max-age={digits}")]))
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


# -- the network floor and the page extractor (issue 13) ---------------------------------------


@pytest.mark.parametrize("digits", NOT_ASCII)
def test_ports_in_other_digits_are_not_ports(digits: str) -> None:
    from auditor.net.connect import ConnectRule
    from auditor.net.dns_types import Nameserver

    with pytest.raises(ValueError, match="not"):
        Nameserver.parse(f"127.0.0.1:{digits}")
    with pytest.raises(ValueError, match="not a port"):
        ConnectRule.parse(f"example.com:{digits}:127.0.0.1:8443")
    assert Nameserver.parse("127.0.0.1:5353").port == 5353


@pytest.mark.parametrize(
    "text", ["nan", "inf", "-inf", "1_0", "1e5", "٥١.٥", "５１.５", "51.5²", "", " ", "+", "."]
)
def test_decimal_helper_refuses_what_float_takes(text: str) -> None:
    from auditor.standards.digits import ascii_decimal

    assert ascii_decimal(text) is None


def test_decimal_helper_reads_plain_decimals() -> None:
    from auditor.standards.digits import ascii_decimal

    assert ascii_decimal(" 51.5074 ") == 51.5074
    assert ascii_decimal("-0.1278") == -0.1278
    assert ascii_decimal(".5") == 0.5


@pytest.mark.parametrize(("lat", "lon"), [("٥١.٥", "-٠.١"), ("nan", "nan"), ("51.5", "inf")])
def test_page_coordinates_in_other_digits_or_non_numbers_are_not_a_point(
    lat: str, lon: str
) -> None:
    from auditor.standards.content.extract import extract_html

    page = (
        f'<html><head><meta name="geo.position" content="{lat};{lon}">'
        f'<meta property="place:location:latitude" content="{lat}">'
        f'<meta property="place:location:longitude" content="{lon}"></head><body></body></html>'
    )
    assert extract_html(page, "https://www.example.org/").points == []
    good = page.replace(lat, "51.5").replace(lon, "-0.1")
    assert extract_html(good, "https://www.example.org/").points


@pytest.mark.parametrize("code", ["²²⁰", "٢٢٠", "２２０"])
async def test_an_smtp_reply_code_in_other_digits_is_a_protocol_error(code: str) -> None:
    import asyncio
    import ssl

    from auditor.net.connect import Connector
    from auditor.net.dns import DnsClient
    from auditor.net.smtp import SmtpProbe

    async def greet(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(f"{code} mail.example ESMTP\r\n".encode())
        await writer.drain()
        await reader.read(100)
        writer.close()

    server = await asyncio.start_server(greet, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with DnsClient([], timeout=0.5, attempts=1) as dns:
            probe = SmtpProbe(Connector(dns), ssl_context=ssl.create_default_context(), timeout=5)
            result = await probe.probe("127.0.0.1", port)
    finally:
        server.close()
        await server.wait_closed()
    assert result.connected and result.error_kind == "protocol", result
    assert "not an SMTP reply" in result.error
