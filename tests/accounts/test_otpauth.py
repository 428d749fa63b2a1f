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
        (f"otpauth://totp/ACME:a?secret={SECRET_160}&digits=8", "digits", "warn"),
        (f"otpauth://totp/ACME:a?secret={SECRET_160}&period=60", "period", "warn"),
        (f"otpauth://totp/ACME:a?secret={SECRET_160}&period=soon", "period", "fail"),
        (f"otpauth://hotp/ACME:a?secret={SECRET_160}&counter=0", "type", "warn"),
        (f"otpauth://hotp/ACME:a?secret={SECRET_160}", "counter", "fail"),
        (f"otpauth://motp/ACME:a?secret={SECRET_160}", "type", "fail"),
    ],
)
def test_each_property_is_graded(uri: str, field: str, status: str) -> None:
    assert statuses(uri)[field] == status


# The examples and rules of Google's Key URI Format wiki
# (github.com/google/google-authenticator/wiki/Key-Uri-Format).
WIKI_SECRET = "HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ"  # 160 bits, the wiki's full example


@pytest.mark.parametrize(
    "uri",
    [
        f"otpauth://totp/ACME%20Co:john.doe@email.com?secret={WIKI_SECRET}&issuer=ACME%20Co"
        "&algorithm=SHA1&digits=6&period=30",
        f"otpauth://totp/Example:alice@google.com?secret={WIKI_SECRET}&issuer=Example",
        f"otpauth://totp/Provider1:Alice%20Smith?secret={WIKI_SECRET}&issuer=Provider1",
        # The separator may be %3A, and spaces (%20) may precede the account name.
        f"otpauth://totp/Big%20Corporation%3A%20alice%40bigco.com?secret={WIKI_SECRET}"
        "&issuer=Big%20Corporation",
    ],
)
def test_the_wiki_examples_pass(uri: str) -> None:
    items = lint_uri(uri)
    assert worst(items) == "pass", [i for i in items if i.status != "pass"]


@pytest.mark.parametrize(
    ("uri", "field", "status", "words"),
    [
        # "Neither issuer nor account name may themselves contain a colon."
        (f"otpauth://totp/Example:alice:admin?secret={WIKI_SECRET}&issuer=Example",
         "label", "warn", "contains a colon"),
        (f"otpauth://totp/Example%3Aalice%3Aadmin?secret={WIKI_SECRET}&issuer=Example",
         "label", "warn", "contains a colon"),
        (f"otpauth://totp/Big%3ACorp:alice?secret={WIKI_SECRET}&issuer=Big%3ACorp",
         "issuer", "warn", "contains a colon"),
        # The label is part of otpauth://TYPE/LABEL?PARAMETERS.
        (f"otpauth://totp/?secret={WIKI_SECRET}&issuer=Example", "label", "fail", "no label"),
        (f"otpauth://totp?secret={WIKI_SECRET}&issuer=Example", "label", "fail", "no label"),
        # "The padding specified in RFC 3548 section 2.2 is not required and should be omitted."
        (f"otpauth://totp/E:a?secret={WIKI_SECRET[:-4]}%3D%3D%3D%3D&issuer=E", "secret", "warn",
         "padding"),
        (f"otpauth://totp/E:a?secret={WIKI_SECRET}========&issuer=E", "secret", "fail",
         "8 '='"),
        (f"otpauth://totp/E:a?secret={WIKI_SECRET[:-4]}==&issuer=E", "secret", "fail",
         "allows 4"),
        # algorithm, digits and period: valid values Google Authenticator ignores.
        (f"otpauth://totp/E:a?secret={WIKI_SECRET}&issuer=E&digits=8", "digits", "warn",
         "Google Authenticator ignores it"),
        (f"otpauth://totp/E:a?secret={WIKI_SECRET}&issuer=E&algorithm=SHA512", "algorithm",
         "warn", "Google Authenticator ignores it"),
        (f"otpauth://totp/E:a?secret={WIKI_SECRET}&issuer=E&period=60", "period", "warn",
         "Google Authenticator ignores it"),
        (f"otpauth://totp/E:a?secret={WIKI_SECRET}&issuer=E&period=0", "period", "fail", "0"),
        (f"otpauth://totp/E:a?secret={WIKI_SECRET}&issuer=E&period=-30", "period", "fail",
         "whole number"),
        (f"otpauth://totp/E:a?secret={WIKI_SECRET}&issuer=E&period=30.5", "period", "fail",
         "whole number"),
        (f"otpauth://totp/E:a?secret={WIKI_SECRET}&issuer=E&period=٣٠", "period", "fail",
         "whole number"),
        (f"otpauth://totp/E:a?secret={WIKI_SECRET}&issuer=E&period=900", "period", "warn",
         "900 seconds"),
        (f"otpauth://hotp/E:a?secret={WIKI_SECRET}&issuer=E&counter=1&period=60", "period",
         "warn", "HOTP"),
        # Parameter names are lower case; the scheme and type are written in lower case.
        (f"otpauth://totp/E:a?SECRET={WIKI_SECRET}&Issuer=E", "case", "warn", "secret=, issuer="),
        (f"OTPAUTH://totp/E:a?secret={WIKI_SECRET}&issuer=E", "case", "warn", "lower case"),
        (f"otpauth://TOTP/E:a?secret={WIKI_SECRET}&issuer=E", "case", "warn", "lower case"),
        (f"otpauth://totp/E:a?secret={WIKI_SECRET}&issuer=E", "case", "pass", "lower case"),
    ],
)  # fmt: skip
def test_the_key_uri_format_rules(uri: str, field: str, status: str, words: str) -> None:
    [item] = [i for i in lint_uri(uri) if i.field == field]
    assert (item.status, words in item.message) == (status, True), item


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
