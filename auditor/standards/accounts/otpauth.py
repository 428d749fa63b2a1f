"""Audit an otpauth:// key URI (the text inside an authenticator QR code) without keeping it.

The reference is Google's Key URI Format (github.com/google/google-authenticator/wiki/
Key-Uri-Format): ``otpauth://TYPE/LABEL?PARAMETERS``, a label ``accountname`` or
``issuer (":" / "%3A") *"%20" accountname`` where neither part may contain a colon, a base32
secret whose padding "should be omitted", and ``algorithm``, ``digits`` and ``period``
parameters that Google Authenticator ignores: a value other than the default is valid but
makes that app show wrong codes, so each is the same warning.

``lint_uri`` returns one ``LintItem`` per property (scheme, type, label, issuer, algorithm,
digits, period or counter, secret). No item, message or exception ever contains the secret:
the secret is measured (is it base32? how many bits?) and dropped.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from auditor.standards.digits import ascii_int, is_ascii_digits

MAX_URI_LENGTH = 4096
_BASE32 = re.compile(r"^[A-Z2-7]+=*$")
_ALGORITHMS_STANDARD = {"SHA1"}
_ALGORITHMS_VALID = {"SHA1", "SHA256", "SHA512"}


class OtpauthError(ValueError):
    """Not an otpauth:// URI at all (the message never quotes the input)."""


@dataclass(frozen=True)
class LintItem:
    status: str  # "pass", "warn" or "fail"
    field: str  # "case", "type", "label", "issuer", "algorithm", "digits", "period", "counter",
    # "secret"
    message: str


def lint_uri(text: str) -> list[LintItem]:
    """Check a pasted otpauth:// URI; raises OtpauthError when it is not one."""
    raw = text.strip()
    if len(raw) > MAX_URI_LENGTH:
        raise OtpauthError(f"the text is longer than {MAX_URI_LENGTH} characters")
    if not raw.lower().startswith("otpauth://"):
        raise OtpauthError("this is not an otpauth:// URI (it should start otpauth://)")
    try:
        parts = urlsplit(raw)
    except ValueError:
        raise OtpauthError("the otpauth:// URI cannot be parsed") from None
    params: dict[str, str] = {}
    repeated: set[str] = set()
    upper_case: list[str] = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True, max_num_fields=50):
        if key != key.lower():
            upper_case.append(key.lower())
        key = key.lower()
        if key in params:
            repeated.add(key)
        params.setdefault(key, value)
    items: list[LintItem] = [_check_case(raw[: len("otpauth")], parts.netloc, upper_case)]
    kind = parts.netloc.lower()
    items.append(_check_type(kind))
    items.extend(_check_label_and_issuer(parts.path, params.get("issuer")))
    items.append(_check_algorithm(params.get("algorithm")))
    items.append(_check_digits(params.get("digits")))
    if kind == "hotp":
        items.append(_check_counter(params.get("counter")))
        if "period" in params:
            items.append(LintItem("warn", "period", "period is for TOTP; an HOTP key ignores it"))
    else:
        items.append(_check_period(params.get("period")))
    items.append(_check_secret(params.get("secret")))
    for key in sorted(repeated):
        items.append(LintItem("warn", key, f"the {key} parameter appears more than once"))
    return _redacted(items, params.get("secret", ""))


def _redacted(items: list[LintItem], secret: str) -> list[LintItem]:
    """A label or issuer that happens to contain the secret must not echo it."""
    secret = "".join(secret.split())
    if len(secret) < 4:
        return items
    pattern = re.compile(re.escape(secret), re.IGNORECASE)
    return [LintItem(i.status, i.field, pattern.sub("<secret>", i.message)) for i in items]


def worst(items: list[LintItem]) -> str:
    statuses = {i.status for i in items}
    return "fail" if "fail" in statuses else "warn" if "warn" in statuses else "pass"


def _check_type(kind: str) -> LintItem:
    if kind == "totp":
        return LintItem("pass", "type", "time-based codes (TOTP), the usual kind")
    if kind == "hotp":
        return LintItem(
            "warn", "type", "counter-based codes (HOTP): valid, but codes never expire on their own"
        )
    return LintItem("fail", "type", "unknown type (expected totp or hotp)")


def _check_case(scheme: str, kind: str, upper_case: list[str]) -> LintItem:
    """The format writes the scheme, type and parameter names in lower case. Schemes are
    case-insensitive (RFC 3986 3.1), but apps match parameter names exactly."""
    if upper_case:
        names = ", ".join(f"{name}=" for name in dict.fromkeys(upper_case))
        return LintItem(
            "warn", "case", f"parameter names must be lower case ({names}); apps that match "
            "them exactly ignore the parameter"
        )  # fmt: skip
    if scheme != "otpauth" or kind != kind.lower():
        return LintItem(
            "warn", "case", "write otpauth:// and the type in lower case: some apps refuse "
            "OTPAUTH:// or TOTP"
        )  # fmt: skip
    return LintItem("pass", "case", "scheme, type and parameter names in lower case")


def _check_label_and_issuer(path: str, issuer: str | None) -> list[LintItem]:
    items: list[LintItem] = []
    label = unquote(path.lstrip("/"))
    prefix, sep, account = label.partition(":")
    if not sep:
        prefix, account = "", label
    prefix, account = prefix.strip(), account.strip()
    if not label.strip():
        items.append(
            LintItem("fail", "label", "no label: the format needs otpauth://TYPE/LABEL, the "
                     "account the codes are for")
        )  # fmt: skip
    elif not account:
        items.append(LintItem("warn", "label", "no account name in the label"))
    elif ":" in account:
        items.append(
            LintItem("warn", "label", "the account name contains a colon, which the format "
                     "forbids: apps split the label at the first colon and show it wrongly")
        )  # fmt: skip
    else:
        items.append(LintItem("pass", "label", f"account name: {_show(account)}"))
    if issuer is None or not issuer.strip():
        if prefix:
            items.append(
                LintItem("warn", "issuer", "no issuer parameter (only a label prefix); "
                         "some apps will not show which service this is")
            )  # fmt: skip
        else:
            items.append(
                LintItem("warn", "issuer", "no issuer: the app will not show which service this is")
            )
    elif ":" in issuer:
        items.append(
            LintItem("warn", "issuer", f"the issuer {_show(issuer)} contains a colon (%3A), "
                     "which the format forbids: it can never match the label prefix")
        )  # fmt: skip
    elif prefix and prefix != issuer.strip():
        items.append(
            LintItem("warn", "issuer", f"issuer {_show(issuer)} differs from the label prefix "
                     f"{_show(prefix)}: check the code really comes from this service")
        )  # fmt: skip
    else:
        items.append(LintItem("pass", "issuer", f"issuer: {_show(issuer.strip())}"))
    return items


_IGNORED = "Google Authenticator ignores it and would show wrong codes"


def _check_algorithm(value: str | None) -> LintItem:
    algorithm = (value or "SHA1").upper().replace("-", "")
    if algorithm in _ALGORITHMS_STANDARD:
        return LintItem("pass", "algorithm", "SHA1, the default that every app supports")
    if algorithm in _ALGORITHMS_VALID:
        return LintItem("warn", "algorithm", f"{algorithm} is valid, but {_IGNORED}")
    return LintItem("fail", "algorithm", "unknown algorithm (expected SHA1, SHA256 or SHA512)")


def _check_digits(value: str | None) -> LintItem:
    digits = value or "6"
    if digits == "6":
        return LintItem("pass", "digits", "6 digits, the default")
    if digits == "8":
        return LintItem("warn", "digits", f"8 digits is valid, but {_IGNORED}")
    return LintItem("fail", "digits", "digits must be 6 or 8")


def _check_period(value: str | None) -> LintItem:
    period = value or "30"
    seconds = ascii_int(period, max_digits=6)
    if seconds is None:
        return LintItem("fail", "period", "the period is not a whole number of seconds")
    if seconds == 0:
        return LintItem("fail", "period", "a period of 0 seconds cannot make codes")
    if seconds == 30:
        return LintItem("pass", "period", "30 seconds, the default")
    return LintItem("warn", "period", f"{seconds} seconds is valid, but {_IGNORED}")


def _check_counter(value: str | None) -> LintItem:
    if value is None or not is_ascii_digits(value):
        return LintItem("fail", "counter", "an HOTP URI needs a numeric counter")
    return LintItem("pass", "counter", "counter present")


def _check_secret(value: str | None) -> LintItem:
    if value is None or not value.strip():
        return LintItem("fail", "secret", "no secret: the app cannot make codes")
    secret = "".join(value.split()).upper()
    if not _BASE32.match(secret):
        return LintItem("fail", "secret", "the secret is not valid base32 (A–Z and 2–7)")
    unpadded = secret.rstrip("=")
    padding = len(secret) - len(unpadded)
    if padding and padding != -len(unpadded) % 8:
        # RFC 4648 pads to a multiple of 8 characters; anything else is not base32 at all.
        return LintItem("fail", "secret", f"the secret has {padding} '=' where base32 allows "
                        f"{-len(unpadded) % 8}: apps may refuse it")  # fmt: skip
    try:
        decoded = base64.b32decode(unpadded + "=" * (-len(unpadded) % 8))
    except (binascii.Error, ValueError):
        return LintItem("fail", "secret", "the secret is not valid base32")
    bits = len(decoded) * 8
    if bits < 80:
        return LintItem("fail", "secret", f"the secret is only {bits} bits (at least 128 wanted)")
    if padding:
        return LintItem("warn", "secret", f"the secret ({bits} bits) ends in '=' padding, "
                        "which the format says to omit: some apps refuse it")  # fmt: skip
    if bits < 128:
        return LintItem("warn", "secret", f"the secret is {bits} bits (128 or more recommended)")
    return LintItem("pass", "secret", f"the secret is valid base32, {bits} bits")


def _show(text: str) -> str:
    clean = "".join(ch for ch in text if ch.isprintable())
    return repr(clean if len(clean) <= 60 else clean[:57] + "…")
