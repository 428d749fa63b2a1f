"""Finding the person's identifiers in what left the auditor (the privacy tests' search).

A request can carry an identifier without its plain text: percent-encoded
(``alex%40postbox.example``, ``%C3%A9``), with ``+`` for a space in a form or query
string, as an IDNA label (``xn--…``) in a host name or DNS query, or base64-encoded in a
header (``Authorization: Basic …``) or body. ``readings`` gives every decoded reading of
a traffic line, and ``holds`` searches all of them, ignoring case, spaces and the
punctuation of phone numbers and postcodes.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from urllib.parse import unquote, unquote_plus

# Percent-decoding is repeated for text encoded twice (a URL inside a query string).
MAX_UNQUOTE_ROUNDS = 3
_IDNA_LABEL = re.compile(r"xn--[a-z0-9-]+", re.IGNORECASE)
# A run of base64 (standard or URL-safe alphabet); shorter runs cannot hold an identifier.
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{8,}={0,2}")
MAX_BASE64_RUN = 64 * 1024  # a longer run is not a header value or a small body field


def squash(text: str) -> str:
    """Lower case, letters and digits only (and ``@`` and ``.`` so an email stays whole)."""
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch in "@.")


def _unquoted(text: str) -> set[str]:
    found = {text}
    for decode in (unquote, unquote_plus):
        current = text
        for _ in range(MAX_UNQUOTE_ROUNDS):
            decoded = decode(current)
            if decoded == current:
                break
            found.add(decoded)
            current = decoded
    return found


def _idna_decoded(text: str) -> str | None:
    labels = _IDNA_LABEL.findall(text)
    if not labels:
        return None
    decoded = text
    for label in labels:
        try:
            plain = label[4:].lower().encode("ascii").decode("punycode")
        except (UnicodeError, ValueError):
            continue
        decoded = decoded.replace(label, plain)
    return decoded if decoded != text else None


def _base64_decoded(text: str) -> list[str]:
    """Each base64 run of ``text`` decoded, from each of the four alignments (an identifier
    may sit behind a prefix glued to the run)."""
    found: list[str] = []
    for match in _BASE64_RUN.finditer(text):
        run = match.group().rstrip("=")
        if len(run) > MAX_BASE64_RUN:
            continue
        for start in range(4):
            part = run[start:]
            if len(part) % 4 == 1:  # one character left over is never whole base64
                part = part[:-1]
            padded = part + "=" * (-len(part) % 4)
            for alphabet in (b"+/", b"-_"):
                try:
                    raw = base64.b64decode(padded, altchars=alphabet)
                except (binascii.Error, ValueError):
                    continue
                found.append(raw.decode("utf-8", errors="ignore"))
    return found


def readings(line: str) -> set[str]:
    """``line`` as sent, and every decoding of it the search must also look through."""
    views = _unquoted(line)
    for view in list(views):
        idna = _idna_decoded(view)
        if idna is not None:
            views.add(idna)
    for view in list(views):
        views.update(_base64_decoded(view))
    return views


def variants(value: str) -> set[str]:
    """The squashed forms of one identifier to look for (a UK number also as dialled)."""
    needle = squash(value)
    found = {needle} if needle else set()
    if value.strip().startswith("+44") and len(needle) > 2:
        found |= {needle[2:], "0" + needle[2:]}
    return found


def leaks_in(lines: Iterable[str], values: Iterable[str]) -> list[tuple[str, str]]:
    """(value, traffic line) for each value found in any reading of a line."""
    flat = [(line, {squash(view) for view in readings(line)}) for line in lines]
    found: list[tuple[str, str]] = []
    for value in values:
        needles = variants(value)
        found += [
            (value, line)
            for line, views in flat
            if any(needle in view for needle in needles for view in views)
        ]
    return found
