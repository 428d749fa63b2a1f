"""Precise matchers for the person's own identifiers in text seen on the web.

The auditor knows the address it protects, so it looks for that address (and those phones
and emails) exactly, rather than guessing what "looks like an address": the house number
must match token for token ("112 Acacia Avenue" is not "12 Acacia Avenue", "12a" is not
"12"), the street after canonicalising its type ("Avenue"/"Ave"), the postcode after
normalising case and spacing. Public addresses the person lists (party office, agent, PO
box) are never reported. The address keys and word tokens compared here are read in
auditor/standards/identity/addresses.py. Everything here is pure, never raises on any input string,
and every regex is linear-time: bounded repeats and no nested quantifiers.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import phonenumbers

from auditor.standards.identity.addresses import (
    NUMBERISH,
    AddressKey,
    Token,
    address_key,
    contains,
    ends_with,
    flat_before,
    flat_start,
    is_year,
    postcode_pattern,
    runs,
    tokens,
)
from auditor.standards.identity.identifiers import normalise_phone
from auditor.vocabulary import Confidence, Severity

if TYPE_CHECKING:
    from auditor.profile import Profile

MAX_TEXT = 1_000_000  # characters of one text segment that are examined
PHONE_CHUNK = 20_000  # phonenumbers' matcher is run over chunks this long (overlapping)

_SPACE = re.compile(r"\s+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


@dataclass(frozen=True)
class Match:
    """One sighting of one identifier in one text."""

    kind: str  # home-address | postcode | street | phone | email | map-location
    severity: Severity
    confidence: Confidence
    start: int  # span in the text given to the matcher (after normalise_text)
    end: int
    sensitive: tuple[str, ...]  # the person's data as it appears in the text
    subject: str  # "home-1", "phone-2": which identifier (never the identifier itself)
    detail: str  # what matched, in plain words ("house number, street and postcode")

    @property
    def rank(self) -> tuple[int, int]:
        return (self.severity.rank, ["low", "medium", "high"].index(self.confidence.value))


def normalise_text(text: str) -> str:
    """One line of text: invisible characters dropped, every run of whitespace (including
    non-breaking spaces) one space, capped at MAX_TEXT characters."""
    return _SPACE.sub(" ", text[:MAX_TEXT].translate(_INVISIBLE)).strip()


def unexamined(text: str, where: str = "") -> str:
    """In plain words, the part of ``text`` that ``IdentityMatcher.find`` never looks at (it
    examines the first MAX_TEXT characters), or "" when it looks at all of it: a caller
    must say so, or a page whose address sits past the cut would pass as clean. ``where``
    is the segment's place in plain words ("in an HTML comment"); none means the page's
    own text."""
    if len(text) <= MAX_TEXT:
        return ""
    if not where:
        return f"the page's text after its first {MAX_TEXT:,} characters"
    return f"the text {where} after its first {MAX_TEXT:,} characters"


_AT = (
    r"(?:\s{0,3}(?:@|&#0*64;|[\[({<]\s{0,2}(?:at|@)\s{0,2}[\])}>])\s{0,3}"
    r"|\s{1,3}at\s{1,3}|\s{0,3}_at_\s{0,3})"
)
_DOT = r"(?:\s{0,3}[\[({<]\s{0,2}(?:dot|\.)\s{0,2}[\])}>]\s{0,3}|\s{1,3}dot\s{1,3}|_dot_|\.)"


def email_pattern(email: str) -> re.Pattern[str]:
    """The one address, also as written to dodge harvesters: "name [at] example [dot] net",
    "name(at)example(dot)net", "name at example dot net"."""
    local, _, domain = email.rpartition("@")
    local_re = _DOT.join(re.escape(p) for p in local.split("."))
    domain_re = _DOT.join(re.escape(p) for p in domain.split("."))
    return re.compile(rf"(?<![\w.+\-]){local_re}{_AT}{domain_re}(?![\w\-]|\.[\w\-])", re.IGNORECASE)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    radius = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(min(1.0, math.sqrt(a)))


def location_severity(distance_m: float) -> Severity | None:
    """How bad a published point is, by its distance from the home."""
    if distance_m <= 200:
        return Severity.CRITICAL
    if distance_m <= 2000:
        return Severity.HIGH
    return None


class IdentityMatcher:
    """Finds the person's home address(es), phones and emails in text, precisely."""

    def __init__(
        self,
        homes: list[AddressKey],
        public: list[AddressKey],
        phones: list[str],
        emails: list[str],
    ) -> None:
        self.homes = homes
        self.public = public
        self.phones = {p: f"phone-{i}" for i, p in enumerate(phones, 1)}
        self.emails = [(email_pattern(e), f"email-{i}") for i, e in enumerate(emails, 1)]
        self._postcodes = [(postcode_pattern(h.postcode), h) for h in homes if h.postcode]
        self._public_postcodes = [postcode_pattern(p.postcode) for p in public if p.postcode]

    @classmethod
    def from_profile(cls, profile: Profile) -> IdentityMatcher:
        homes = [address_key(a, f"home-{i}") for i, a in enumerate(profile.home_addresses, 1)]
        public = [address_key(a, f"public-{i}") for i, a in enumerate(profile.public_addresses, 1)]
        phones = [p for p in (normalise_phone(x) for x in profile.phones) if p]
        emails = [e.strip().lower() for e in profile.emails if "@" in e]
        return cls(homes, public, phones, emails)

    @property
    def empty(self) -> bool:
        return not (self.homes or self.phones or self.emails)

    @property
    def home_points(self) -> list[AddressKey]:
        return [h for h in self.homes if h.has_point]

    def find(self, text: str) -> list[Match]:
        """Every sighting in ``text`` (whitespace-normalised first; spans refer to that). Only
        the first MAX_TEXT characters are examined: ``unexamined(text)`` names the rest."""
        text = normalise_text(text)
        if not text:
            return []
        words = tokens(text)
        public_spans = self._public_spans(text, words)
        found = [*self._addresses(text, words), *self._phones(text), *self._emails(text)]
        return [m for m in found if not _overlaps(m, public_spans)]

    # -- addresses --------------------------------------------------------------------------

    def _addresses(self, text: str, words: list[Token]) -> list[Match]:
        found: list[Match] = []
        for home in self.homes:
            found.extend(self._streets(text, words, home))
        starts = [t.start for t in words]
        for pattern, home in self._postcodes:
            for hit in pattern.finditer(text):
                low = bisect.bisect_left(starts, max(0, hit.start() - 100))
                high = bisect.bisect_left(starts, hit.start())
                found.append(self._postcode_match(home, hit, words[low:high]))
        return found

    def _streets(self, text: str, words: list[Token], home: AddressKey) -> list[Match]:
        found: list[Match] = []
        for first, last in runs(words, home.street):
            start = words[first].start
            end = words[last].end
            before = words[max(0, first - 8 - len(home.house_name)) : first]
            named = ends_with(before, home.house_name)
            if home.number and before and before[-1].text == home.number:
                number = before[-1]
                flat = flat_before(text, before[:-1])
                if flat and home.flat and flat != home.flat:
                    continue  # another flat in the same building
                start = number.start
                detail = "house number and street"
                if flat:
                    detail = "flat, house number and street"
                    start = min(start, flat_start(text, before[:-1]))
                found.append(self._home(text, home, start, end, detail))
            elif named:
                start = before[-len(home.house_name)].start
                found.append(self._home(text, home, start, end, "house name and street"))
            elif before and NUMBERISH.fullmatch(before[-1].text) and not is_year(before[-1]):
                continue  # a neighbour: "14 Acacia Avenue" says nothing about number 12
            else:
                found.append(
                    Match(
                        "street",
                        Severity.MEDIUM,
                        Confidence.LOW,
                        start,
                        end,
                        (text[start:end],),
                        home.subject,
                        "street name without a house number",
                    )
                )
        return found

    def _home(self, text: str, home: AddressKey, start: int, end: int, detail: str) -> Match:
        return Match(
            "home-address",
            Severity.CRITICAL,
            Confidence.HIGH,
            start,
            end,
            (text[start:end],),
            home.subject,
            detail,
        )

    def _postcode_match(self, home: AddressKey, hit: re.Match[str], near: list[Token]) -> Match:
        """The postcode alone (high), or with the house number or name just before it."""
        sensitive = [hit.group()]
        if home.number and any(t.text == home.number for t in near):
            sensitive.insert(0, next(t for t in near if t.text == home.number).text)
            return Match(
                "home-address",
                Severity.CRITICAL,
                Confidence.HIGH,
                hit.start(),
                hit.end(),
                tuple(sensitive),
                home.subject,
                "postcode with the house number nearby",
            )
        if home.house_name and contains(near, home.house_name):
            return Match(
                "home-address",
                Severity.CRITICAL,
                Confidence.HIGH,
                hit.start(),
                hit.end(),
                tuple(sensitive),
                home.subject,
                "postcode with the house name nearby",
            )
        return Match(
            "postcode",
            Severity.HIGH,
            Confidence.HIGH,
            hit.start(),
            hit.end(),
            tuple(sensitive),
            home.subject,
            "home postcode",
        )

    def _public_spans(self, text: str, words: list[Token]) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        for pattern in self._public_postcodes:
            spans.extend(hit.span() for hit in pattern.finditer(text))
        for office in self.public:
            for first, last in runs(words, office.street):
                before = words[max(0, first - 8 - len(office.house_name)) : first]
                if office.number and before and before[-1].text == office.number:
                    spans.append((before[-1].start, words[last].end))
                elif ends_with(before, office.house_name):
                    spans.append((before[-len(office.house_name)].start, words[last].end))
                elif not office.number and not office.house_name:
                    spans.append((words[first].start, words[last].end))
        return spans

    # -- phones and emails ------------------------------------------------------------------

    def _phones(self, text: str) -> list[Match]:
        if not self.phones:
            return []
        found: dict[tuple[int, int], Match] = {}
        step = PHONE_CHUNK - 100
        for offset in range(0, len(text), step):
            chunk = text[offset : offset + PHONE_CHUNK]
            try:
                matcher = phonenumbers.PhoneNumberMatcher(
                    chunk, "GB", leniency=phonenumbers.Leniency.POSSIBLE, max_tries=2000
                )
                hits = list(matcher)
            except Exception:  # phonenumbers raises odd errors on odd text; never ours to raise
                continue
            for hit in hits:
                e164 = phonenumbers.format_number(hit.number, phonenumbers.PhoneNumberFormat.E164)
                subject = self.phones.get(str(e164))
                if subject is None:
                    continue
                span = (offset + hit.start, offset + hit.end)
                found[span] = Match(
                    "phone",
                    Severity.HIGH,
                    Confidence.HIGH,
                    span[0],
                    span[1],
                    (hit.raw_string,),
                    subject,
                    "personal phone number",
                )
        return list(found.values())

    def _emails(self, text: str) -> list[Match]:
        found: list[Match] = []
        for pattern, subject in self.emails:
            for hit in pattern.finditer(text):
                plain = "@" in hit.group() and "." in hit.group().rpartition("@")[2]
                found.append(
                    Match(
                        "email",
                        Severity.MEDIUM,
                        Confidence.HIGH,
                        hit.start(),
                        hit.end(),
                        (hit.group(),),
                        subject,
                        "personal email address" if plain else "personal email address (disguised)",
                    )
                )
        return found


def _overlaps(match: Match, spans: list[tuple[int, int]]) -> bool:
    return any(match.start < end and start < match.end for start, end in spans)


def snippet(text: str, start: int, end: int, width: int = 70) -> str:
    """The match with some context either side, on one line."""
    text = normalise_text(text)
    left = max(0, start - width)
    right = min(len(text), end + width)
    prefix = "…" if left else ""
    suffix = "…" if right < len(text) else ""
    return prefix + text[left:right] + suffix
