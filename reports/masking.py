"""Masking the person's own identifiers in anything a report shows.

Reports leave the machine (printed for an agent, emailed to a volunteer), so the home
address, phones and personal emails are masked unless the user passes --reveal. Pages
write the same detail many ways, so each value becomes a forgiving pattern:

- postcodes: any case, any (or no) space: "ab1 2cd", "AB12CD", "AB1\u00a02CD";
- phones: national and international forms with any separators: "07700 900123",
  "+44 7700 900 123", "+44 (0)7700-900123", "0044 7700900123";
- emails: any case, and the usual obfuscations: "jane [at] example [dot] org", "%40";
- address lines: any case and spacing, commas between words, and the common street-type
  abbreviations ("12 Acacia Ave" for "12 Acacia Avenue").

Pure functions; the compiled pattern is linear (no nested quantifiers over the same text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import phonenumbers

from auditor.standards.identity.identifiers import normalise_email, normalise_postcode

MASK = "[hidden]"
MIN_LENGTH = 3
MAX_VALUES = 200

_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_GAP = rf"[\s{_INVISIBLE}]*"  # any spacing, including none and zero-width characters
_PHONE_SEP = rf"[\s{_INVISIBLE}\-.()/]{{0,3}}"
_WORD_SEP = r"[\W_]{1,4}"  # spaces, commas, brackets, dashes between the words
_PHONE_TEXT = re.compile(r"^\+?[\d\s\-().]{6,25}$")

_STREET_TYPES = {
    "avenue": ("avenue", "ave", "av"),
    "road": ("road", "rd"),
    "street": ("street", "st", "str"),
    "lane": ("lane", "ln"),
    "drive": ("drive", "dr", "drv"),
    "close": ("close", "cl"),
    "crescent": ("crescent", "cres", "cresc"),
    "court": ("court", "ct"),
    "place": ("place", "pl"),
    "gardens": ("gardens", "gdns", "gdn"),
    "terrace": ("terrace", "terr", "ter"),
    "square": ("square", "sq"),
    "grove": ("grove", "gr", "gro"),
    "park": ("park", "pk"),
    "mews": ("mews",),
    "way": ("way",),
}
_STREET_ALTERNATIVES = {alt: names for names in _STREET_TYPES.values() for alt in names}


def _spaced(text: str, gap: str = _GAP) -> str:
    return gap.join(re.escape(c) for c in text)


def _phone_pattern(value: str) -> str | None:
    if not _PHONE_TEXT.match(value.strip()):
        return None
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return None
    national = str(number.national_number or "")
    if len(national) < 6 or number.country_code is None:
        return None
    country = str(number.country_code)
    region = phonenumbers.region_code_for_country_code(number.country_code)
    trunk = phonenumbers.ndd_prefix_for_region(region, True) or ""
    digits = _PHONE_SEP.join(national)
    international = rf"(?:\+|00){_GAP}{country}{_PHONE_SEP}(?:\({_GAP}0{_GAP}\){_PHONE_SEP})?"
    national_prefix = rf"\(?{re.escape(trunk)}{_PHONE_SEP}" if trunk else ""
    return rf"(?<![\d+])(?:{international}|{national_prefix}|){digits}(?!\d)"


def _email_pattern(value: str) -> str | None:
    email = normalise_email(value)
    if email is None:
        return None
    local, _, domain = email.rpartition("@")
    at = r"(?:@|%40|\[\s*at\s*\]|\(\s*at\s*\)|\s+at\s+)"
    dot = r"(?:\.|\[\s*dot\s*\]|\(\s*dot\s*\)|\s+dot\s+)"
    domain_pattern = rf"{_GAP}{dot}{_GAP}".join(_spaced(label) for label in domain.split("."))
    start, end = r"(?<![\w.+%-])", r"(?![\w-]|\.[^\W_])"  # not part of a longer address
    return rf"{start}{_spaced(local)}{_GAP}{at}{_GAP}{domain_pattern}{end}"


def _postcode_pattern(value: str) -> str | None:
    postcode = normalise_postcode(value)
    if postcode is None:
        return None
    outward, inward = postcode.split(" ")
    return rf"(?<![A-Za-z0-9]){_spaced(outward)}{_GAP}{_spaced(inward)}(?![A-Za-z0-9])"


def _words_pattern(value: str) -> str | None:
    words = re.findall(r"[^\W_]+", value)
    if not words or sum(len(w) for w in words) < MIN_LENGTH:
        return None
    pieces = [re.escape(w) for w in words]
    last = words[-1].lower()
    if len(words) > 1 and last in _STREET_ALTERNATIVES:
        names = sorted(_STREET_ALTERNATIVES[last], key=len, reverse=True)
        pieces[-1] = "(?:" + "|".join(names) + r")\.?"
    # Punctuation that opens or closes the value ("(rear)") belongs to it when present.
    lead = re.match(r"[^\w\s]+", value.strip())
    tail = re.search(r"[^\w\s]+$", value.strip())
    before = f"(?:{re.escape(lead.group())})?" if lead else ""
    after = f"(?:{re.escape(tail.group())})?" if tail else ""
    return rf"(?<![^\W_]){before}{_WORD_SEP.join(pieces)}{after}(?![^\W_])"


def pattern_for(value: str) -> str | None:
    """The forgiving pattern for one sensitive value, or None when it is too short."""
    value = value.strip()
    if len(value) < MIN_LENGTH:
        return None
    for build in (_email_pattern, _postcode_pattern, _phone_pattern):
        pattern = build(value)
        if pattern is not None:
            return pattern
    return _words_pattern(value)


def compile_masker(sensitive: Iterable[str]) -> re.Pattern[str] | None:
    values = sorted({v.strip() for v in sensitive if v and v.strip()}, key=len, reverse=True)
    patterns = [p for p in (pattern_for(v) for v in values[:MAX_VALUES]) if p]
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def mask_text(text: str, masker: re.Pattern[str] | None) -> str:
    if masker is None or not text:
        return text
    return masker.sub(MASK, text)
