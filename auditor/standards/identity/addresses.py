"""The person's addresses as the matchers compare them: word tokens, address keys, postcodes.

``tokens(text)`` splits text into lower-case word tokens with street types folded to one
canonical form ("Avenue"/"Ave" -> "ave"); ``address_key(address, subject)`` reads the lines
the person typed into house name, flat, house number, street and postcode; the helpers
below find token sequences (a street, a house name) and a flat number written before a house
number. Matching them in text is auditor/standards/identity/matchers.py. Everything here is
pure, never raises on any input string, and every regex is linear-time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from auditor.standards.digits import is_ascii_digits
from auditor.standards.identity.identifiers import normalise_postcode

if TYPE_CHECKING:
    from auditor.profile import Address

# Street types and their abbreviations, all folded to one canonical token.
_STREET_TYPES: dict[str, tuple[str, ...]] = {
    "rd": ("road", "rd"),
    "ave": ("avenue", "ave", "av", "avn"),
    "cl": ("close", "cl"),
    "st": ("street", "st", "str", "saint"),
    "ln": ("lane", "ln"),
    "dr": ("drive", "dr", "drv"),
    "cres": ("crescent", "cres", "cresc", "cr"),
    "gdns": ("gardens", "gdns", "gardns"),
    "terr": ("terrace", "terr", "ter", "tce"),
    "pl": ("place", "pl"),
    "ct": ("court", "ct"),
    "gr": ("grove", "gr", "gro", "grv"),
    "sq": ("square", "sq"),
    "way": ("way",),
    "mews": ("mews",),
    "pde": ("parade", "pde"),
    "pk": ("park", "pk"),
    "wlk": ("walk", "wlk"),
    "grn": ("green", "grn"),
    "mt": ("mount", "mt"),
    "blvd": ("boulevard", "blvd"),
    "hwy": ("highway", "hwy"),
    "est": ("estate", "est"),
    "cotts": ("cottages", "cotts"),
    "bldgs": ("buildings", "bldgs"),
}
CANONICAL = {word: canon for canon, words in _STREET_TYPES.items() for word in words}
STREET_TYPES = _STREET_TYPES  # canonical token -> every way it is written (the masker's table too)
FLAT_WORDS = frozenset({"flat", "apartment", "apt", "unit", "suite", "room"})

_TOKEN = re.compile(r"[^\W_]+")
NUMBERISH = re.compile(r"[0-9]{1,5}[a-z]?")


@dataclass(frozen=True)
class Token:
    text: str  # canonical lower-case form
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    return [
        Token(CANONICAL.get(m.group().lower(), m.group().lower()), m.start(), m.end())
        for m in _TOKEN.finditer(text)
    ]


def _words(text: str) -> list[str]:
    return [t.text for t in tokens(text)]


@dataclass(frozen=True)
class AddressKey:
    """What identifies one address, read from the lines the person typed."""

    subject: str
    number: str = ""  # house number, exact ("12", "12a")
    flat: str = ""
    street: tuple[str, ...] = ()  # canonical tokens ("acacia", "ave")
    house_name: tuple[str, ...] = ()
    postcode: str = ""  # "AB1 2CD"
    latitude: float | None = None
    longitude: float | None = None

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


_FLAT_SLASH = re.compile(r"^\s*([0-9]{1,5}[A-Za-z]?)\s{0,3}/\s{0,3}([0-9]{1,5}[A-Za-z]?)\b")


def address_key(address: Address, subject: str) -> AddressKey:
    """Split an address's lines into house name, flat, number, street and postcode.

    Lines are split on commas too, so "Flat 3, 12 Acacia Avenue, Ashcombe" and three
    separate lines read the same. The first part that starts with a number is the street
    line; parts before it are the flat or the house name; parts after it (town, county)
    identify nothing on their own and are not matched.
    """
    number = flat = ""
    street: tuple[str, ...] = ()
    house_name: tuple[str, ...] = ()
    parts = [p.strip() for line in address.lines for p in line.split(",") if p.strip()]
    for part in parts:
        if normalise_postcode(part):
            break
        words = _words(part)
        if not words:
            continue
        if words[0] in FLAT_WORDS and len(words) >= 2 and NUMBERISH.fullmatch(words[1]):
            flat, words = words[1], words[2:]
            if not words:
                continue
        slash = _FLAT_SLASH.match(part)
        if slash:
            flat, number = slash.group(1).lower(), slash.group(2).lower()
            street = tuple(_words(part[slash.end() :]))
            break
        if NUMBERISH.fullmatch(words[0]):
            number, street = words[0], tuple(words[1:])
            if street:
                break
            continue  # "12" on its own line: the street follows
        if number:
            street = tuple(words)  # "12" then "Acacia Avenue" on the next line
            break
        if any(word in _STREET_TYPES for word in words[1:]) and house_name:
            street = tuple(words)  # "Rose Cottage", "Mill Lane": a named house on a street
            break
        if not house_name:
            house_name = tuple(words)
        elif not street:
            street = tuple(words)
            break
    postcode = normalise_postcode(address.postcode or "") or ""
    if not postcode:
        for part in parts:
            postcode = normalise_postcode(part) or ""
            if postcode:
                break
    return AddressKey(
        subject,
        number,
        flat,
        street,
        house_name,
        postcode,
        address.latitude,
        address.longitude,
    )


def postcode_pattern(postcode: str) -> re.Pattern[str]:
    """The one postcode, in any case, with or without a space, a non-breaking space, a
    URL-encoded space (+, %20) or an HTML &nbsp; between its two halves."""
    outward, _, inward = postcode.partition(" ")
    gap = r"(?:[\s+\-]|%20|%C2%A0|&nbsp;){0,3}"
    return re.compile(
        rf"(?<![A-Za-z0-9]){re.escape(outward)}{gap}{re.escape(inward)}(?![A-Za-z0-9])",
        re.IGNORECASE,
    )


def runs(words: list[Token], sequence: tuple[str, ...]) -> list[tuple[int, int]]:
    """(first, last) token indexes where ``sequence`` occurs in ``words``."""
    if not sequence:
        return []
    size = len(sequence)
    head = sequence[0]
    return [
        (i, i + size - 1)
        for i, word in enumerate(words)
        if word.text == head and tuple(w.text for w in words[i : i + size]) == sequence
    ]


def ends_with(before: list[Token], sequence: tuple[str, ...]) -> bool:
    """Whether the tokens end with ``sequence`` (a house name just before a street)."""
    if not sequence or len(before) < len(sequence):
        return False
    return tuple(t.text for t in before[-len(sequence) :]) == sequence


def contains(words: list[Token], sequence: tuple[str, ...]) -> bool:
    """Whether ``sequence`` occurs anywhere in ``words``."""
    return bool(sequence) and bool(runs(words, sequence))


def flat_before(text: str, before: list[Token]) -> str:
    """The flat number written just before a house number ("Flat 3, 12" or "3/12")."""
    if len(before) >= 2 and before[-2].text in FLAT_WORDS and NUMBERISH.fullmatch(before[-1].text):
        return before[-1].text
    if before and NUMBERISH.fullmatch(before[-1].text):
        gap = text[before[-1].end : before[-1].end + 4]
        if gap.strip().startswith("/"):
            return before[-1].text
    return ""


def flat_start(text: str, before: list[Token]) -> int:
    """Where the flat written before a house number starts ("Flat 3" or "3")."""
    if len(before) >= 2 and before[-2].text in FLAT_WORDS:
        return before[-2].start
    return before[-1].start if before else 0


def is_year(token: Token) -> bool:
    """A number such as 1997 or 2024, read as a year rather than a neighbour's house."""
    return len(token.text) == 4 and is_ascii_digits(token.text) and token.text[:2] in ("19", "20")
