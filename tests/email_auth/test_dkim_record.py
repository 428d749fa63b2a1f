"""DKIM key records, key strength from real keys, and DKIM-Signature headers of raw mail."""

from __future__ import annotations

import base64
import secrets

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from hypothesis import given
from hypothesis import strategies as st

from auditor.standards.email.dkim_record import (
    DkimSyntaxError,
    EmailHeaderError,
    header_fields,
    key_strength,
    looks_like_dkim_key,
    parse_dkim_key,
    signatures_in_message,
    valid_selector,
)


def rsa_p(
    bits: int, fmt: serialization.PublicFormat = serialization.PublicFormat.SubjectPublicKeyInfo
) -> str:
    if bits < 1024:
        # cryptography will not generate keys this small; a public key needs only a modulus.
        modulus = (1 << (bits - 1)) | secrets.randbits(bits - 1) | 1
        key = rsa.RSAPublicNumbers(65537, modulus).public_key()
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
    return base64.b64encode(key.public_bytes(serialization.Encoding.DER, fmt)).decode()


def ed25519_p() -> str:
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


@pytest.mark.parametrize(("bits", "verdict"), [(512, "weak"), (1024, "short"), (2048, "strong")])
def test_rsa_strength(bits: int, verdict: str) -> None:
    key = parse_dkim_key(f"v=DKIM1; k=rsa; p={rsa_p(bits)}")
    strength = key_strength(key)
    assert (strength.key_type, strength.bits, strength.verdict) == ("rsa", bits, verdict)


def test_rsa_pkcs1_and_folded_base64() -> None:
    p = rsa_p(2048, serialization.PublicFormat.PKCS1)
    folded = " ".join(p[i : i + 60] for i in range(0, len(p), 60))
    key = parse_dkim_key(f"p={folded}")  # no v=, default k=rsa
    assert key.key_type == "rsa"
    assert key_strength(key).bits == 2048


def test_ed25519() -> None:
    key = parse_dkim_key(f"v=DKIM1; k=ed25519; p={ed25519_p()}")
    assert key_strength(key).describe() == "ed25519 key"
    with pytest.raises(DkimSyntaxError, match="32 bytes"):
        key_strength(
            parse_dkim_key("v=DKIM1; k=ed25519; p=" + base64.b64encode(b"x" * 31).decode())
        )


def test_flags_and_revocation() -> None:
    key = parse_dkim_key("v=DKIM1; t=y:s; h=sha256; s=email; p=")
    assert key.revoked and key.testing
    assert key.flags == ("y", "s")
    assert key.hash_algorithms == ("sha256",)
    assert key.service_types == ("email",)
    with pytest.raises(DkimSyntaxError, match="revoked"):
        key_strength(key)


def test_wrong_key_kind_in_rsa_record() -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1()).public_key()
    der = ec_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key = parse_dkim_key("p=" + base64.b64encode(der).decode())
    with pytest.raises(DkimSyntaxError, match="different kind"):
        key_strength(key)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("v=DKIM1; k=rsa", "no p="),
        ("k=rsa; v=DKIM1; p=", "first tag"),
        ("v=DKIM2; p=abc", "DKIM1"),
        ("v=DKIM1; p=abc; p=def", "more than once"),
        ("v=DKIM1; p=ab$c", "not base64"),
        ("v=DKIM1;; p=abc", "empty tag"),
        ("v=DKIM1; garbage", "tag=value"),
        ("p=" + "A" * 9000, "longer than"),
    ],
)
def test_key_syntax_errors(text: str, reason: str) -> None:
    with pytest.raises(DkimSyntaxError, match=reason):
        parse_dkim_key(text)


@pytest.mark.parametrize(
    ("p", "k", "reason"),
    [
        ("AAAA", "rsa", "readable RSA"),
        ("abc", "rsa", "base64"),
        ("AAAA", "dsa", "unknown key type"),
    ],
)
def test_bad_key_material(p: str, k: str, reason: str) -> None:
    with pytest.raises(DkimSyntaxError, match=reason):
        key_strength(parse_dkim_key(f"v=DKIM1; k={k}; p={p}"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("v=DKIM1; p=abc", True), ("k=rsa; p=abc", True), ("v=spf1 -all", False), ("hello", False)],
)
def test_looks_like_key(text: str, expected: bool) -> None:
    assert looks_like_dkim_key(text) is expected


MESSAGE = (
    "From alice@example.org Thu Jan  1 00:00:00 2026\n"
    "Received: from mail.example.org\n"
    "\tby mx.example.net; Thu, 1 Jan 2026 00:00:00 +0000\n"
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r\n"
    "        d=Campaign.Example.ORG; s=google;\r\n"
    "        h=from:to:subject; bh=abc=; b=def\r\n"
    "dkim-signature: v=1; a=ed25519-sha256; d=mail.vendor.example;\n"
    " s=s1\n"
    "  .sub; bh=x; b=y\n"
    "DKIM-Signature: v=1; a=rsa-sha256; s=k1; bh=x; b=y\n"
    "DKIM-Signature: v=1; d=bad domain!; s=k1; b=y\n"
    "Subject: hello\n"
    "\n"
    "DKIM-Signature: v=1; d=body.example; s=nope\n"
)


def test_signatures_in_message() -> None:
    refs = signatures_in_message(MESSAGE)
    assert [(r.domain, r.selector, r.problem == "") for r in refs] == [
        ("campaign.example.org", "google", True),
        ("mail.vendor.example", "s1.sub", True),
        ("", "k1", False),
        ("baddomain!", "k1", False),
    ]
    assert refs[0].algorithm == "rsa-sha256"
    assert refs[0].key_name == "google._domainkey.campaign.example.org"
    assert "no d=" in refs[2].problem


def test_headers_unfolded() -> None:
    fields = header_fields(MESSAGE)
    assert fields[0][0] == "Received"
    assert "by mx.example.net" in fields[0][1]
    assert fields[-1] == ("Subject", "hello")


def test_no_signature() -> None:
    assert signatures_in_message("From: a@b.example\nSubject: x\n\nbody") == []


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no email headers"),
        ("\n\n", "no email headers"),
        ("hello world\nthis is not mail", "does not start with email headers"),
        ("  folded first\nFrom: a", "continuation"),
        ("From: a@b.example\nnot a header line\n\n", "not a header field"),
        ("From: a\x00b", "binary"),
    ],
)
def test_bad_messages(text: str, reason: str) -> None:
    with pytest.raises(EmailHeaderError, match=reason):
        signatures_in_message(text)


@pytest.mark.parametrize(
    ("selector", "ok"),
    [
        ("google", True),
        ("selector1", True),
        ("s1.sub", True),
        ("fm1", True),
        ("a_b", True),
        ("", False),
        ("-x", False),
        ("a..b", False),
        ("a b", False),
    ],
)
def test_selector_syntax(selector: str, ok: bool) -> None:
    assert valid_selector(selector) is ok


@given(st.text(max_size=500))
def test_key_parser_never_raises_anything_else(text: str) -> None:
    try:
        key = parse_dkim_key(text)
        key_strength(key)
    except DkimSyntaxError:
        pass


@given(st.binary(max_size=300), st.sampled_from(["rsa", "ed25519"]))
def test_key_strength_on_random_bytes(data: bytes, kind: str) -> None:
    key = parse_dkim_key(f"k={kind}; p={base64.b64encode(data).decode()}")
    try:
        key_strength(key)
    except DkimSyntaxError:
        pass


@given(st.text(max_size=600))
def test_header_parser_never_raises_anything_else(text: str) -> None:
    try:
        signatures_in_message(text)
    except EmailHeaderError:
        pass


@given(
    st.lists(st.text(alphabet=st.characters(blacklist_characters="\r\n"), max_size=60), max_size=20)
)
def test_signature_values_never_raise(values: list[str]) -> None:
    message = "".join(f"DKIM-Signature: {v}\n" for v in values) + "\nbody"
    try:
        refs = signatures_in_message(message)
    except EmailHeaderError:
        return
    for ref in refs:
        assert ref.problem or (valid_selector(ref.selector) and ref.domain)
