from __future__ import annotations

import base64
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from auditor.standards.accounts.totp import (
    ISSUER,
    SelfTest,
    TotpError,
    new_selftest,
    qr_half_blocks,
)

NOW = 1_780_000_005.0  # a fixed instant, 5 s into a 30 s step


def secret_of(selftest: SelfTest) -> str:
    return parse_qs(urlsplit(selftest.uri()).query)["secret"][0]


def test_fresh_secret_is_at_least_160_bits_and_never_in_repr() -> None:
    one, two = new_selftest(), new_selftest()
    secret = secret_of(one)
    assert len(base64.b32decode(secret)) * 8 >= 160
    assert secret != secret_of(two)
    assert secret not in repr(one) and secret not in str(one)
    query = parse_qs(urlsplit(one.uri()).query)
    assert query["issuer"] == [ISSUER]
    assert one.uri().startswith("otpauth://totp/")


def test_codes_from_a_phone_30_seconds_ahead_report_plus_30() -> None:
    selftest = new_selftest()
    phone_now = NOW + 30
    first, second = selftest.code_at(phone_now - 30), selftest.code_at(phone_now)
    result = selftest.verify_pair(first, second, NOW)
    assert (result.step_offset, result.drift_seconds) == (1, 30)
    assert "30 seconds ahead" in result.describe()


@pytest.mark.parametrize("drift", [0, -60, 90, -300])
def test_drift_is_measured_in_whole_steps(drift: int) -> None:
    selftest = new_selftest()
    phone_now = NOW + drift
    result = selftest.verify_pair(
        selftest.code_at(phone_now - 30), selftest.code_at(phone_now), NOW
    )
    assert result.drift_seconds == drift


def test_wrong_repeated_and_non_consecutive_codes_are_rejected() -> None:
    selftest = new_selftest()
    other = new_selftest()
    first, second = selftest.code_at(NOW - 30), selftest.code_at(NOW)
    with pytest.raises(TotpError, match="Neither code"):
        selftest.verify_pair(other.code_at(NOW - 30), other.code_at(NOW), NOW)
    with pytest.raises(TotpError, match="same"):
        selftest.verify_pair(second, second, NOW)
    with pytest.raises(TotpError, match="not consecutive"):
        selftest.verify_pair(selftest.code_at(NOW - 90), second, NOW)
    with pytest.raises(TotpError, match="six digits"):
        selftest.verify_pair("12345", second, NOW)
    wrong_second = f"{(int(second) + 1) % 1_000_000:06d}"
    with pytest.raises(TotpError):
        selftest.verify_pair(first, wrong_second, NOW)
    # Reversed order is not "the next code".
    with pytest.raises(TotpError, match="not consecutive"):
        selftest.verify_pair(second, first, NOW)


def test_codes_far_outside_the_window_are_rejected() -> None:
    selftest = new_selftest()
    far = NOW + 3600
    with pytest.raises(TotpError):
        selftest.verify_pair(selftest.code_at(far - 30), selftest.code_at(far), NOW)


def test_error_messages_never_carry_the_secret_or_codes() -> None:
    selftest = new_selftest()
    secret = secret_of(selftest)
    first, second = selftest.code_at(NOW - 90), selftest.code_at(NOW)
    with pytest.raises(TotpError) as caught:
        selftest.verify_pair(first, second, NOW)
    text = str(caught.value) + repr(caught.value)
    assert secret not in text and first not in text and second not in text


def test_qr_is_drawn_with_half_blocks_and_a_quiet_zone() -> None:
    selftest = new_selftest()
    drawing = selftest.qr_text()
    lines = drawing.splitlines()
    assert len({len(line) for line in lines}) == 1
    assert set(drawing) <= set("▀▄█ \n")
    assert lines[0] == "█" * len(lines[0])  # light quiet zone drawn on a dark terminal
    inverted = qr_half_blocks(selftest.uri(), light_on_dark=False)
    assert inverted.splitlines()[0].strip() == ""
    assert time.time() > 0
