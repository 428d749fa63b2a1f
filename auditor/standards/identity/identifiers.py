"""Normalisers for the person's identifiers: UK postcodes, phone numbers, email addresses,
campaign domains, web addresses, and the names people give their 2FA methods.

Each returns the canonical form, or None (or raises DomainError for domains) when the text is
not one; the profile validator and the exposure matcher share them so that what the person
typed and what a page shows compare equal.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit, urlunsplit

from auditor.net.domains import DomainError, normalise_domain

# The pattern from the UK Government Data Standards Catalogue (via the ONS Postcode Directory
# guidance), upper-case only because the input is upper-cased first; plus the Girobank "GIR 0AA".
_OUTWARD = r"(?:[A-Z][0-9]{1,2}|[A-Z][A-HJ-Y][0-9]{1,2}|[A-Z][0-9][A-Z]|[A-Z][A-HJ-Y][0-9][A-Z]?)"
_POSTCODE = re.compile(rf"(?:GIR0AA|{_OUTWARD}[0-9][A-Z]{{2}})")
# Invisible characters that survive copy-and-paste from web pages and PDFs.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))

_EMAIL_LOCAL = re.compile(r"^[^\s@<>()\[\],;:\"\\]{1,64}$")
_PHONE_CHARS = re.compile(r"^[0-9+()./\s\-–]+$")  # en dash: pasted from documents
_MAX_PHONE_TEXT = 40


def normalise_postcode(text: str) -> str | None:
    """ "ab12cd", "AB1\u00a02CD", " ab1 2cd " → "AB1 2CD"; None when not a UK postcode."""
    compact = "".join(text.translate(_INVISIBLE).split()).upper()
    if not 5 <= len(compact) <= 7 or not _POSTCODE.fullmatch(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


_POSTCODE_IN_TEXT = re.compile(
    rf"(?<![A-Za-z0-9])(GIR|{_OUTWARD})[\s\u200b]*([0-9][A-Z]{{2}})(?![A-Za-z0-9])", re.IGNORECASE
)


def find_postcodes(text: str) -> list[str]:
    """Every UK postcode in free text, normalised, in order ("… ab1 2cd …" → ["AB1 2CD"])."""
    found = (normalise_postcode(m[1] + m[2]) for m in _POSTCODE_IN_TEXT.finditer(text))
    return [postcode for postcode in found if postcode]


def normalise_phone(text: str, region: str = "GB") -> str | None:
    """A phone number as E.164 ("07700 900123" → "+447700900123"), or None.

    Uses is_possible_number, not is_valid_number: Ofcom's drama ranges (07700 900xxx,
    01632 960xxx), which fictional and test profiles use, are possible but not "valid".
    """
    raw = text.translate(_INVISIBLE).strip()
    if raw.lower().startswith("tel:"):
        raw = raw[4:].strip()
    if not raw or len(raw) > _MAX_PHONE_TEXT or not _PHONE_CHARS.match(raw):
        return None
    # Imported on first use: phonenumbers is ~50-100 ms, which the app's first screen
    # (which imports the profile module) does not need (benchmarks/RESULTS-startup.md).
    import phonenumbers

    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    # Not IS_POSSIBLE_LOCAL_ONLY: a number without its area code matches too much.
    if (
        phonenumbers.is_possible_number_with_reason(number)
        != phonenumbers.ValidationResult.IS_POSSIBLE
    ):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def normalise_email(text: str) -> str | None:
    """Lower-cased "local@domain" with a valid domain, or None. Deliberately basic syntax."""
    raw = text.translate(_INVISIBLE).strip()
    if raw.lower().startswith("mailto:"):
        raw = raw[7:]
    local, at, domain = raw.rpartition("@")
    if not at or not _EMAIL_LOCAL.match(local) or local.startswith(".") or local.endswith("."):
        return None
    try:
        domain = normalise_domain(domain)
    except DomainError:
        return None
    return f"{local.lower()}@{domain}"


def domain_from_text(text: str) -> tuple[str, bool]:
    """A campaign domain from what the person typed, and whether it had to be cut down.

    "https://www.example.org/about" → ("example.org", True); "Example.org" → ("example.org",
    False). Raises DomainError when no domain name can be found.
    """
    raw = text.translate(_INVISIBLE).strip()
    host = raw
    if "://" in raw or "/" in raw:
        parts = urlsplit(raw if "://" in raw else "//" + raw)
        host = parts.hostname or ""
        if not host:
            raise DomainError(f"{raw[:60]!r} has no domain name in it")
    if host.lower().startswith("www."):
        host = host[4:]
    name = normalise_domain(host)
    return name, name != raw.lower().rstrip(".")


def normalise_url(text: str) -> tuple[str, bool]:
    """An absolute http(s) URL, and whether "https://" had to be added to a bare domain.

    The scheme and host are lower-cased (host in IDNA form); path and query are kept.
    Raises ValueError with a human reason.
    """
    raw = text.translate(_INVISIBLE).strip()
    added = False
    if "://" not in raw:
        if ":" in raw.split("/", 1)[0] and not re.match(r"^[^:/]+:[0-9]+(?:/|$)", raw):
            raise ValueError(f"{raw[:60]!r} is not a web address (it should start https://)")
        raw, added = "https://" + raw, True
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"{text[:60]!r} is not a valid web address ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"{text[:60]!r} is not a web address (it should start https://)")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"{text[:60]!r} has a user name or password in it")
    host = _url_host(parts.hostname or "", text)
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return urlunsplit((scheme, netloc, parts.path, parts.query, "")), added


def _url_host(host: str, text: str) -> str:
    if not host:
        raise ValueError(f"{text[:60]!r} has no domain name in it")
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if host.lower() == "localhost":
        return "localhost"
    try:
        return normalise_domain(host)
    except DomainError as exc:
        raise ValueError(str(exc)) from None


# What people write for each 2FA method (the keys are auditor.profile.TWOFA_METHODS), compared
# after lower-casing and squashing punctuation, so "Yubikey", "yubi-key" and "YUBI KEY" agree.
_TWOFA_WORDS = {
    "passkey": "passkeys, pass key",
    "security-key": "security key, yubikey, yubi key, fido, fido2, u2f, webauthn, titan, "
    "titan key, hardware key, usb key, key",
    "totp": "authenticator, authenticator app, app, auth app, code app, google authenticator, "
    "authy, otp, app code, one time code, 2fa app",
    "push": "prompt, google prompt, push notification, notification, app notification, tap yes",
    "hardware-token": "token, rsa token, otp token, code token",
    "sms": "text, texts, text message, sms code, texted code",
    "voice": "phone call, call, voice call",
    "email": "e-mail, email code, code by email",
    "none": "no, off, disabled, nothing, not set up, not on",
    "unknown": "not sure, don't know, dont know, unsure, ?",
}


def squash(text: str) -> str:
    """Lower case, punctuation and runs of spaces folded to one space: for matching words."""
    return " ".join(re.sub(r"[^a-z0-9?]+", " ", text.lower()).split())


TWOFA_SYNONYMS: dict[str, str] = {
    squash(word): method
    for method, words in _TWOFA_WORDS.items()
    for word in (method, *words.split(", "))
}


def twofa_method(text: str) -> str | None:
    """The 2FA method name for what the person wrote ("Authenticator app" → "totp"), or None.

    Blank means "unknown".
    """
    return TWOFA_SYNONYMS.get(squash(text) or "unknown")
