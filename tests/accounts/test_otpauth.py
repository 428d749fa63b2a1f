from __future__ import annotations

import io
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.standards.accounts.otpauth import OtpauthError, lint_uri, worst
from tests.accounts.conftest import files_containing

SECRET_160 = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
SECRET_80 = "JBSWY3DPEHPK3PXP"
SECRET_40 = "JBSWY3DP"


def statuses(uri: str) -> dict[str, str]:
    return {item.field: item.status for item in lint_uri(uri)}


def test_a_good_uri_passes_every_line() -> None:
    uri = f"otpauth://totp/ACME%20Co:alex@example.org?secret={SECRET_160}&issuer=ACME%20Co"
    items = lint_uri(uri)
    assert worst(items) == "pass"
    assert {i.field for i in items} >= {"type", "label", "issuer", "algorithm", "digits",
                                         "period", "secret"}  # fmt: skip


@pytest.mark.parametrize(
    ("uri", "field", "status"),
    [
        (f"otpauth://totp/ACME:a?secret={SECRET_80}&issuer=ACME", "secret", "warn"),
        (f"otpauth://totp/ACME:a?secret={SECRET_40}&issuer=ACME", "secret", "fail"),
        ("otpauth://totp/ACME:a?secret=not-base32!&issuer=ACME", "secret", "fail"),
        ("otpauth://totp/ACME:a?issuer=ACME", "secret", "fail"),
        (f"otpauth://totp/ACME:a?secret={SECRET_160}&issuer=Other", "issuer", "warn"),
        (f"otpauth://totp/a?secret={SECRET_160}", "issuer", "warn"),
        (f"otpauth://totp/ACME:a?secret={SECRET_160}&algorithm=MD5", "algorithm", "fail"),
        (f"otpauth://totp/ACME:a?secret={SECRET_160}&algorithm=SHA256", "algorithm", "warn"),
        (f"otpauth://totp/ACME:a?secret={SECRET_160}&algorithm=sha1", "algorithm", "pass"),
        (f"otpauth://totp/ACME:a?secret={SECRET_160}&digits=7", "digits", "fail"),
        (f"otpauth://totp/ACME:a?secret={SECRET_160}&digits=8", "digits", "pass"),
        (f"otpauth://totp/ACME:a?secret={SECRET_160}&period=60", "period", "warn"),
        (f"otpauth://totp/ACME:a?secret={SECRET_160}&period=soon", "period", "fail"),
        (f"otpauth://hotp/ACME:a?secret={SECRET_160}&counter=0", "type", "warn"),
        (f"otpauth://hotp/ACME:a?secret={SECRET_160}", "counter", "fail"),
        (f"otpauth://motp/ACME:a?secret={SECRET_160}", "type", "fail"),
    ],
)
def test_each_property_is_graded(uri: str, field: str, status: str) -> None:
    assert statuses(uri)[field] == status


@pytest.mark.parametrize("text", ["https://example.org", "", "otpauth" + "x" * 5000])
def test_not_a_key_uri(text: str) -> None:
    with pytest.raises(OtpauthError):
        lint_uri(text)


def test_no_message_ever_contains_the_secret() -> None:
    uris = [
        f"otpauth://totp/{SECRET_160}:{SECRET_160}?secret={SECRET_160}&issuer={SECRET_160}",
        f"otpauth://totp/ACME:a?secret={SECRET_80}&issuer=ACME",
        f"otpauth://totp/ACME:a?secret={SECRET_40}",
    ]
    for uri in uris:
        secret = uri.split("secret=")[1].split("&")[0]
        assert all(secret not in item.message for item in lint_uri(uri))


def test_cli_reads_stdin_prints_no_secret_and_stores_nothing(
    private_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(f"otpauth://totp/A:b?secret={SECRET_40}\n"))
    assert main(["totp-lint"]) == 1
    out = capsys.readouterr()
    assert "FAIL  secret" in out.out and SECRET_40 not in out.out + out.err
    monkeypatch.setattr(
        "sys.stdin", io.StringIO(f"otpauth://totp/A:b?secret={SECRET_160}&issuer=A")
    )
    assert main(["totp-lint"]) == 0
    assert main(["totp-lint", "not a uri"]) == 2
    out = capsys.readouterr()
    assert SECRET_160 not in out.out + out.err
    assert "not an otpauth" in out.err
    assert files_containing(private_home, SECRET_160, SECRET_40) == []
