"""DKIM: key records (RFC 6376 §3.6.1, RFC 8463) and the DKIM-Signature headers of a raw
message, parsed purely and within fixed bounds.

``parse_dkim_key`` and ``key_strength`` raise only ``DkimSyntaxError``;
``signatures_in_message`` raises only ``EmailHeaderError``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import re
from dataclasses import dataclass

MAX_RECORD_CHARS = 8192  # an RSA-4096 key is ~740 base64 characters
MAX_TAGS = 32
MAX_MESSAGE_CHARS = 10 * 1024 * 1024
MAX_HEADER_FIELDS = 2000
MAX_SIGNATURES = 100

WEAK_RSA_BITS = 1024  # below this: fail
STRONG_RSA_BITS = 2048  # below this: warn

_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
_WHITESPACE = re.compile(r"[ \t\r\n]+")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_LABEL = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)")
_FIELD_NAME = re.compile(r"[!-9;-~]{1,200}")  # printable ASCII except ":" (RFC 5322 §3.6.8)


class DkimSyntaxError(ValueError):
    """A DKIM key record or key that cannot be used, with a plain reason."""


class EmailHeaderError(ValueError):
    """The input is not an email message whose headers can be read."""


@dataclass(frozen=True)
class DkimKey:
    raw: str
    tags: tuple[tuple[str, str], ...]
    key_type: str  # k=, lower-case, "rsa" by default
    public_key: str  # p= with whitespace removed; "" means revoked
    flags: tuple[str, ...] = ()  # t=: "y" testing, "s" strict
    hash_algorithms: tuple[str, ...] = ()  # h=
    service_types: tuple[str, ...] = ()  # s=
    version: str | None = None

    @property
    def revoked(self) -> bool:
        return self.public_key == ""

    @property
    def testing(self) -> bool:
        return "y" in self.flags


@dataclass(frozen=True)
class KeyStrength:
    key_type: str  # "rsa" or "ed25519"
    bits: int  # RSA modulus length; 256 for ed25519
    verdict: str  # "weak" (< 1024 RSA), "short" (< 2048 RSA), "strong"

    def describe(self) -> str:
        if self.key_type == "ed25519":
            return "ed25519 key"
        return f"{self.bits}-bit RSA key"


def _tag_list(text: str, what: str) -> tuple[tuple[str, str], ...]:
    """RFC 6376 §3.2 tag-list: ``name=value`` joined by ';'; duplicates make it invalid."""
    parts = [part.strip(" \t\r\n") for part in text.split(";")]
    if parts and parts[-1] == "":
        parts.pop()
    if len(parts) > MAX_TAGS:
        raise DkimSyntaxError(f"the {what} has more than {MAX_TAGS} tags")
    tags: list[tuple[str, str]] = []
    for part in parts:
        if not part:
            raise DkimSyntaxError(f"the {what} has an empty tag (two ';' in a row)")
        name, sep, value = part.partition("=")
        name = name.strip(" \t\r\n")
        if not sep or not _TAG_NAME.fullmatch(name):
            raise DkimSyntaxError(f"{_show(part)} in the {what} is not of the form tag=value")
        if any(existing == name for existing, _ in tags):
            raise DkimSyntaxError(f"the tag {name}= appears more than once in the {what}")
        tags.append((name, value.strip(" \t\r\n")))
    return tuple(tags)


def looks_like_dkim_key(text: str) -> bool:
    """A TXT record at a selector that is meant as a DKIM key (v=DKIM1 or a p= tag)."""
    head = text[:MAX_RECORD_CHARS]
    return bool(re.match(r"\s*v\s*=\s*DKIM1", head, re.IGNORECASE)) or bool(
        re.search(r"(?:^|;)\s*p\s*=", head)
    )


def parse_dkim_key(text: str) -> DkimKey:
    """Parse one DKIM key TXT record (strings joined)."""
    if not isinstance(text, str):
        raise DkimSyntaxError("the record is not text")
    if len(text) > MAX_RECORD_CHARS:
        raise DkimSyntaxError(f"the record is longer than {MAX_RECORD_CHARS} characters")
    tags = _tag_list(text, "key record")
    values = dict(tags)
    version = values.get("v")
    if version is not None:
        if tags[0][0] != "v":
            raise DkimSyntaxError("v=DKIM1 must be the first tag when present")
        if version != "DKIM1":
            raise DkimSyntaxError(f"v= must be DKIM1, not {_show(version)}")
    if "p" not in values:
        raise DkimSyntaxError("the record has no p= tag (the public key)")
    public_key = _WHITESPACE.sub("", values["p"])
    if not _BASE64.fullmatch(public_key):
        raise DkimSyntaxError("p= is not base64 text")
    key_type = _WHITESPACE.sub("", values.get("k", "rsa")).lower() or "rsa"
    return DkimKey(
        raw=text,
        tags=tags,
        key_type=key_type,
        public_key=public_key,
        flags=_colon_list(values.get("t")),
        hash_algorithms=_colon_list(values.get("h")),
        service_types=_colon_list(values.get("s")),
        version=version,
    )


def _colon_list(value: str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(item for item in _WHITESPACE.sub("", value).lower().split(":") if item)


def key_strength(key: DkimKey) -> KeyStrength:
    """The key's type and size, read from its bytes (SubjectPublicKeyInfo for RSA)."""
    if key.revoked:
        raise DkimSyntaxError("the key was revoked (p= is empty)")
    try:
        der = base64.b64decode(key.public_key, validate=True)
    except (binascii.Error, ValueError):
        raise DkimSyntaxError("p= is not valid base64") from None
    if key.key_type == "ed25519":
        # RFC 8463 §4.2: the raw 32-byte public key, not an ASN.1 structure.
        if len(der) != 32:
            raise DkimSyntaxError(f"an ed25519 key is 32 bytes, this one is {len(der)}")
        return KeyStrength("ed25519", 256, "strong")
    if key.key_type != "rsa":
        raise DkimSyntaxError(f"unknown key type k={key.key_type[:20]}")
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    try:
        public = load_der_public_key(der)
    except (ValueError, TypeError):
        raise DkimSyntaxError("p= does not hold a readable RSA public key") from None
    except Exception as exc:  # cryptography may raise its own errors on odd DER
        raise DkimSyntaxError(f"p= could not be read as a key ({type(exc).__name__})") from None
    if not isinstance(public, rsa.RSAPublicKey):
        raise DkimSyntaxError("k=rsa but p= holds a different kind of key")
    bits = public.key_size
    if bits < WEAK_RSA_BITS:
        verdict = "weak"
    elif bits < STRONG_RSA_BITS:
        verdict = "short"
    else:
        verdict = "strong"
    return KeyStrength("rsa", bits, verdict)


# -- DKIM-Signature headers of a raw message ---------------------------------------------------


@dataclass(frozen=True)
class SignatureRef:
    """Who signed a message and with which key: ``d=`` and ``s=`` of a DKIM-Signature."""

    domain: str  # d=, lower-case, no trailing dot
    selector: str  # s=, lower-case
    algorithm: str = ""  # a=
    problem: str = ""  # why this signature's d=/s= cannot be used; empty when fine

    @property
    def key_name(self) -> str:
        return f"{self.selector}._domainkey.{self.domain}"


def header_fields(message: str) -> list[tuple[str, str]]:
    """The (name, unfolded value) header fields of a raw message, up to the blank line."""
    if not isinstance(message, str):
        raise EmailHeaderError("the message is not text")
    if len(message) > MAX_MESSAGE_CHARS:
        raise EmailHeaderError(f"the message is larger than {MAX_MESSAGE_CHARS // 1048576} MiB")
    if "\x00" in message[:65536]:
        raise EmailHeaderError("the input is binary, not an email message")
    lines = message.splitlines()
    start = 0
    while start < len(lines) and lines[start].strip() == "":
        start += 1
    if start < len(lines) and lines[start].startswith("From "):
        start += 1  # an mbox separator line
    fields: list[tuple[str, list[str]]] = []
    for line in lines[start:]:
        if line.strip(" \t") == "":
            break
        if line[0] in " \t":
            if not fields:
                raise EmailHeaderError("the input starts with a continuation line")
            fields[-1][1].append(line)
            continue
        name, colon, value = line.partition(":")
        if not colon or not _FIELD_NAME.fullmatch(name.rstrip(" \t")):
            if not fields:
                raise EmailHeaderError("the input does not start with email headers")
            raise EmailHeaderError(f"line {_show(line)} is not a header field")
        if len(fields) >= MAX_HEADER_FIELDS:
            raise EmailHeaderError(f"more than {MAX_HEADER_FIELDS} header fields")
        fields.append((name.rstrip(" \t"), [value]))
    if not fields:
        raise EmailHeaderError("the input has no email headers")
    return [(name, " ".join(part.strip(" \t") for part in parts)) for name, parts in fields]


def signatures_in_message(message: str) -> list[SignatureRef]:
    """Every DKIM-Signature's signing domain and selector, in header order."""
    found: list[SignatureRef] = []
    for name, value in header_fields(message):
        if name.lower() != "dkim-signature":
            continue
        if len(found) >= MAX_SIGNATURES:
            break
        found.append(_signature(value))
    return found


def _signature(value: str) -> SignatureRef:
    try:
        tags = dict(_tag_list(value, "DKIM-Signature"))
    except DkimSyntaxError as exc:
        return SignatureRef("", "", problem=str(exc))
    domain = _WHITESPACE.sub("", tags.get("d", "")).rstrip(".").lower()
    selector = _WHITESPACE.sub("", tags.get("s", "")).lower()
    algorithm = _WHITESPACE.sub("", tags.get("a", "")).lower()[:40]
    if not domain or not selector:
        missing = "d=" if not domain else "s="
        return SignatureRef(
            domain[:253], selector[:253], algorithm, f"the signature has no {missing}"
        )
    if not valid_domain(domain):
        return SignatureRef(domain[:253], selector[:253], algorithm, "d= is not a domain name")
    if not valid_selector(selector):
        return SignatureRef(domain, selector[:253], algorithm, "s= is not a valid selector")
    return SignatureRef(domain, selector, algorithm)


@functools.lru_cache(maxsize=4096)  # the provider table's selectors, for every domain of a list
def valid_selector(selector: str) -> bool:
    """RFC 6376 §3.1: selector = sub-domain *("." sub-domain)."""
    if not selector or len(selector) > 200:
        return False
    return all(_LABEL.fullmatch(label) for label in selector.split("."))


def valid_domain(name: str) -> bool:
    if not name or len(name) > 253:
        return False
    labels = name.split(".")
    return len(labels) >= 2 and all(_LABEL.fullmatch(label) for label in labels)


def _show(value: str) -> str:
    shown = value if len(value) <= 40 else value[:37] + "…"
    return repr(shown)
