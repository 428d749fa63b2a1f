"""Masking the person's own identifiers in anything the tool shows or keeps (core).

One masker for every writer, the saved history and the TUI: ``masked_audit`` returns the
Report and Checklist as a reader may see them, so all of them hide exactly the same things.

Reports leave the machine (printed for an agent, emailed to a volunteer), so the home
address, phones and personal emails are masked unless the user passes --reveal. Pages
write the same detail many ways, so each identifier becomes a family of forms (one pattern),
never a list of the strings seen:

- postcodes: any case, any (or no) space: "ab1 2cd", "AB12CD", "AB1\u00a02CD";
- phones: the national digits with any separators, after +44, 0044, (0) or the trunk 0:
  "07700 900123", "+44 7700 900 123", "+44 (0)7700-900123", "0044 7700900123";
- emails: any case, and the usual obfuscations: "jane [at] example [dot] org", "%40";
- address lines: any case and spacing, commas between words, and the street-type
  abbreviations of the address module ("12 Acacia Ave", "Acacia Pde."); a line that starts
  with a house number also hides its street alone ("Acacia Avenue").

Every sensitive value is folded to its family's key (the phone's national number, the
postcode, the line's canonical words) before any pattern is built, so a page that writes the
phone in hundreds of forms adds one pattern, not hundreds, and nothing is ever dropped to
keep the pattern small: no cap can unmask. Every pattern is a sequence of literals with
bounded separators (no nested quantifiers), so matching is linear in the text.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import phonenumbers

from auditor.checklist import Checklist, ChecklistItem, Question
from auditor.model import CheckResult, Evidence, Finding, Report
from auditor.standards.identity.addresses import CANONICAL, NUMBERISH, STREET_TYPES
from auditor.standards.identity.identifiers import normalise_email, normalise_postcode
from auditor.standards.identity.matchers import normalise_text

MASK = "[hidden]"
MIN_LENGTH = 3

_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_GAP = rf"[\s{_INVISIBLE}]*"  # any spacing, including none and zero-width characters
# Between two digits of a phone: spaces, dashes of every kind, dots, brackets, slashes.
_PHONE_SEP = rf"[\s{_INVISIBLE}\-\u2010-\u2015\u2212.()/\u00b7_]{{0,3}}"
_WORD_SEP = r"[\W_]{1,4}"  # spaces, commas, brackets, dashes between the words
_PHONE_TEXT = re.compile(r"^\+?[\d\s\-\u2010-\u2015.()/]{6,30}$")
_WORDS = re.compile(r"[^\W_]+")

Family = tuple[str, ...]  # what one identifier is, however it was written


def _spaced(text: str, gap: str = _GAP) -> str:
    return gap.join(re.escape(c) for c in text)


def _phone(value: str) -> tuple[Family, str] | None:
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
    pattern = rf"(?<![\d+])(?:{international}|{national_prefix}|){digits}(?!\d)"
    return ("phone", country, national), pattern


def _email(value: str) -> tuple[Family, str] | None:
    email = normalise_email(value)
    if email is None:
        return None
    local, _, domain = email.rpartition("@")
    at = r"(?:@|%40|\[\s*at\s*\]|\(\s*at\s*\)|\s+at\s+)"
    dot = r"(?:\.|\[\s*dot\s*\]|\(\s*dot\s*\)|\s+dot\s+)"
    domain_pattern = rf"{_GAP}{dot}{_GAP}".join(_spaced(label) for label in domain.split("."))
    start, end = r"(?<![\w.+%-])", r"(?![\w-]|\.[^\W_])"  # not part of a longer address
    return ("email", email), rf"{start}{_spaced(local)}{_GAP}{at}{_GAP}{domain_pattern}{end}"


def _postcode(value: str) -> tuple[Family, str] | None:
    postcode = normalise_postcode(value)
    if postcode is None:
        return None
    outward, inward = postcode.split(" ")
    pattern = rf"(?<![A-Za-z0-9]){_spaced(outward)}{_GAP}{_spaced(inward)}(?![A-Za-z0-9])"
    return ("postcode", postcode), pattern


def _word(word: str) -> str:
    """One word of an address line: a street type matches every abbreviation of it."""
    canonical = CANONICAL.get(word)
    if canonical is None:
        return re.escape(word)
    names = sorted(STREET_TYPES[canonical], key=len, reverse=True)
    return "(?:" + "|".join(names) + r")\.?"


def _words(words: list[str], lead: str = "", tail: str = "") -> tuple[Family, str] | None:
    if not words or sum(len(w) for w in words) < MIN_LENGTH:
        return None
    canonical = tuple(CANONICAL.get(w, w) for w in words)
    # Punctuation that opens or closes the value ("(rear)") belongs to it when present.
    before = f"(?:{re.escape(lead)})?" if lead else ""
    after = f"(?:{re.escape(tail)})?" if tail else ""
    body = _WORD_SEP.join(_word(w) for w in words)
    return ("words", lead, *canonical, tail), rf"(?<![^\W_]){before}{body}{after}(?![^\W_])"


def families(value: str) -> list[tuple[Family, str]]:
    """The families of forms one sensitive value belongs to, each with its pattern."""
    value = value.strip()
    if len(value) < MIN_LENGTH:
        return []
    for build in (_email, _postcode, _phone):
        found = build(value)
        if found is not None:
            return [found]
    words = [w.lower() for w in _WORDS.findall(value)]
    lead = re.match(r"[^\w\s]+", value)
    tail = re.search(r"[^\w\s]+$", value)
    line = _words(words, lead.group() if lead else "", tail.group() if tail else "")
    out = [line] if line else []
    # "12 Acacia Avenue": the street alone is the person's street too.
    if len(words) >= 3 and NUMBERISH.fullmatch(words[0]):
        street = _words(words[1:])
        if street:
            out.append(street)
    return out


def pattern_for(value: str) -> str | None:
    """The forgiving pattern for one sensitive value, or None when it is too short."""
    found = families(value)
    return found[0][1] if found else None


def compile_masker(sensitive: Iterable[str]) -> Masker | None:
    """One pattern for every family the values belong to: however many forms of the same
    identifier a page wrote, each family is one alternative, and none is ever left out.
    A ``geo:LAT,LON`` value is a home's position: numbers near it are hidden too."""
    patterns: dict[Family, str] = {}
    homes: list[tuple[float, float]] = []
    for value in sensitive:
        if not isinstance(value, str) or not value.strip():
            continue
        point = _home_point(value)
        if point is not None:
            homes.append(point)
            continue
        for key, pattern in families(value):
            patterns.setdefault(key, pattern)
    if not patterns and not homes:
        return None
    # Longer families first, so "12 Acacia Avenue" wins over "Acacia Avenue" where both match.
    ordered = sorted(patterns.items(), key=lambda kv: (-len(kv[0]), kv[0]))
    compiled = (
        re.compile("|".join(f"(?:{p})" for _, p in ordered), re.IGNORECASE) if ordered else None
    )
    return Masker(compiled, _edge_forms(patterns), tuple(dict.fromkeys(homes)))


@functools.lru_cache(maxsize=16)
def profile_masker(values: tuple[str, ...]) -> Masker | None:
    """``compile_masker`` for a profile's own values, compiled once per profile (checks ask
    for it per finding; compiling the families costs tens of milliseconds)."""
    return compile_masker(values)


def mask_text(text: str, masker: Masker | None) -> str:
    if masker is None or not text:
        return text
    return masker.text(text)


# -- coordinates -----------------------------------------------------------------------------

# Numbers this close to a home's latitude or longitude are hidden wherever they appear: about
# 5.5 km north-south, and 3.5-5.5 km east-west at British latitudes. A point that close is
# the home for anyone with a map; a finding already says how far from the home it was.
NEAR_DEGREES = 0.05
COARSE_DECIMALS = 1  # other coordinates kept to 0.1 degree (about 11 km): the region only
GEO_PREFIX = "geo:"  # how a home's position travels among the sensitive values (RFC 5870)

_GEO = re.compile(r"^geo:(-?\d{1,3}(?:\.\d+)?),(-?\d{1,3}(?:\.\d+)?)$")
_DECIMAL = re.compile(r"(?<![\d.])-?\d{1,3}\.\d{2,}(?![\d])")
# Degrees, minutes and seconds as EXIF readers and pages print them: 52° 2' 28.9" N.
_DMS = re.compile(
    r"(?<!\d)(\d{1,3})\s*°\s*(\d{1,2})\s*['′]\s*(\d{1,2}(?:\.\d+)?)\s*(?:\"|″|'')?\s*([NSEW])?"
)
# Where maps put coordinates: Google's !2d/!3d/!4d, @lat,lng, and URL parameters (ll=, q=,
# marker=, bbox=, center=, mlat=, #map=z/lat/lon ...) and JSON keys (latitude: ...). The
# numbers in them are hidden near a home or not: a map parameter is a position, nothing else.
_MAP_BANG = re.compile(r"(![1-4]d)-?\d{1,3}\.\d+")
_MAP_AT = re.compile(r"@-?\d{1,3}\.\d+,-?\d{1,3}\.\d+")
_MAP_KEYS = (
    "ll|sll|cbll|q|query|center|centre|marker|markers|mlat|mlon|lat|lon|lng|long|latitude|"
    "longitude|latlng|latlon|bbox|daddr|saddr|destination|origin|viewpoint|pt|map|coordinates|"
    "position|location|loc|point|geo"
)
_MAP_PARAM = re.compile(
    rf"(?<![\w-])(?:{_MAP_KEYS})[\"']?\s*[=:]\s*[\"']?[-+\d.,/%;|\s\[\]cC]{{0,200}}",
    re.IGNORECASE,
)
_MAP_NUMBER = re.compile(r"-?\d{1,3}\.\d+")
_COORDINATE_KEYS = frozenset(
    {"lat", "lon", "lng", "long", "latitude", "longitude", "gpslatitude", "gpslongitude"}
)


def _home_point(value: str) -> tuple[float, float] | None:
    found = _GEO.match(value.strip())
    if found is None:
        return None
    lat, lon = float(found.group(1)), float(found.group(2))
    if -90 <= lat <= 90 and -180 <= lon <= 180:
        return lat, lon
    return None


# -- cutting snippets, and partial forms at a cut ---------------------------------------------

SNIPPET_WIDTH = 70  # characters of context either side of a match
_SEEN_AROUND = 300  # how far past the window an identifier that crosses its edge is looked for


def snippet_keeping_whole_forms(
    text: str, start: int, end: int, masker: Masker | None, width: int = SNIPPET_WIDTH
) -> str:
    """The match with context either side, on one line, cut where no identifier is split.

    A window cut blindly leaves half an identifier at its edge ("…elham Green", a landline's
    area code) that no masker recognises later. So the identifiers are found first and an
    edge that falls inside one moves out to take it whole: the writers' masker then sees and
    hides the whole form, and --reveal still shows it."""
    text = normalise_text(text)
    left, right = max(0, start - width), min(len(text), end + width)
    if masker is not None and masker.pattern is not None:
        seen_from, seen_to = max(0, left - _SEEN_AROUND), min(len(text), right + _SEEN_AROUND)
        for found in masker.pattern.finditer(text, seen_from, seen_to):
            if found.start() < left < found.end():
                left = found.start()
            if found.start() < right < found.end():
                right = found.end()
    prefix = ELLIPSIS if left else ""
    suffix = ELLIPSIS if right < len(text) else ""
    return prefix + text[left:right] + suffix


ELLIPSIS = "…"
MIN_EDGE = 3  # the shortest partial form hidden at a cut ("…123", "…een")


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def _edge_forms(patterns: dict[Family, str]) -> frozenset[str]:
    """Every family as the squashed strings a cut could split: the phone with each prefix,
    the postcode, the email, each address line with each way of writing its street type."""
    forms: set[str] = set()
    for key in patterns:
        kind, rest = key[0], key[1:]
        if kind == "phone":
            country, national = rest
            forms |= {national, "0" + national, country + national, "00" + country + national,
                      country + "0" + national}  # fmt: skip
        elif kind in ("postcode", "email"):
            forms.add(_squash(rest[0]))
        elif kind == "words":
            words = [w for w in rest[1:-1] if w]
            variants = [""]
            for word in words:
                names = STREET_TYPES.get(word, (word,))
                variants = [v + _squash(n) for v in variants for n in names][:64]
            forms |= set(variants)
    return frozenset(f for f in forms if len(f) >= MIN_EDGE)


def _ends_a_word(text: str, index: int, *, forwards: bool) -> bool:
    """Whether the character at ``index`` is the last (or, reading backwards, the first) of
    its word: "…elham Green" is a partial form, "…entrance" is not one ending in "ent"."""
    after = index + 1 if forwards else index - 1
    return not (0 <= after < len(text) and text[after].isalnum())


@dataclass(frozen=True)
class Masker:
    """The person's identifiers, ready to hide: one pattern of families, the squashed forms a
    cut could split, and the homes' positions."""

    pattern: re.Pattern[str] | None
    edges: frozenset[str] = frozenset()
    homes: tuple[tuple[float, float], ...] = ()

    def text(self, text: str) -> str:
        if self.pattern is not None:
            text = self.pattern.sub(MASK, text)
        text = _MAP_BANG.sub(lambda m: m.group(1) + MASK, text)
        text = _MAP_AT.sub("@" + MASK, text)
        text = _MAP_PARAM.sub(lambda m: _MAP_NUMBER.sub(MASK, m.group()), text)
        if self.homes:
            text = _DMS.sub(self._dms, text)
            text = _DECIMAL.sub(lambda m: MASK if self.near(float(m.group())) else m.group(), text)
        if ELLIPSIS in text and self.edges:
            text = self._edges(text)
        return text

    def near(self, number: float) -> bool:
        """Whether a number could be a home's latitude or longitude (to ``NEAR_DEGREES``)."""
        size = abs(number)  # "1.83 W" is -1.83: the sign may be a letter elsewhere
        return any(
            abs(size - abs(lat)) <= NEAR_DEGREES or abs(size - abs(lon)) <= NEAR_DEGREES
            for lat, lon in self.homes
        )

    def _dms(self, found: re.Match[str]) -> str:
        degrees, minutes, seconds = (float(found.group(i)) for i in (1, 2, 3))
        value = degrees + minutes / 60 + seconds / 3600
        if found.group(4) in ("S", "W"):
            value = -value
        if self.near(value) or (found.group(4) is None and self.near(-value)):
            return MASK
        return found.group()

    def value(self, value: Any, key: str = "") -> Any:
        """Any evidence detail, walked: strings masked, numbers near a home hidden, other
        coordinates kept only to the region; lists and dictionaries walked to the leaves."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, float | int):
            number = float(value)
            coordinate = key.lower().replace("_", "").replace("-", "") in _COORDINATE_KEYS
            if (isinstance(value, float) or coordinate) and self.near(number):
                return MASK
            return round(number, COARSE_DECIMALS) if coordinate else value
        if isinstance(value, list | tuple):
            return [self.value(v, key) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v, str(k)) for k, v in value.items()}
        return self.text(str(value))

    def _edges(self, text: str) -> str:
        """Hide what is left of an identifier where text was cut ("…elham Green", "01632…"):
        the squashed characters next to each ellipsis that end (or start) a known form."""
        out: list[str] = []
        pieces = text.split(ELLIPSIS)
        for index, piece in enumerate(pieces):
            if index > 0:  # just after a cut: the end of a form
                piece = self._cut_edge(piece, at_start=True)
            if index < len(pieces) - 1:  # just before a cut: the start of a form
                piece = self._cut_edge(piece, at_start=False)
            out.append(piece)
        return ELLIPSIS.join(out)

    def _cut_edge(self, piece: str, *, at_start: bool) -> str:
        longest = max(len(f) for f in self.edges)
        positions: list[int] = []  # index in ``piece`` of each squashed character
        order = range(len(piece)) if at_start else range(len(piece) - 1, -1, -1)
        for i in order:
            if piece[i].isalnum():
                positions.append(i)
                if len(positions) >= longest:
                    break
            elif piece.startswith(MASK, i) or piece.endswith(MASK, 0, i + 1):
                break  # already hidden
        squashed = "".join(piece[i].lower() for i in positions)
        if not at_start:
            squashed = squashed[::-1]  # read forwards
        best = 0
        for form in self.edges:
            for k in range(min(len(form), len(squashed)), max(MIN_EDGE, best + 1) - 1, -1):
                part = form[-k:] if at_start else form[:k]
                fits = squashed.startswith(part) if at_start else squashed.endswith(part)
                if fits and _ends_a_word(piece, positions[k - 1], forwards=at_start):
                    best = k
                    break
        if not best:
            return piece
        if at_start:
            return MASK + piece[positions[best - 1] + 1 :]
        return piece[: positions[best - 1]] + MASK


# -- fingerprints ---------------------------------------------------------------------------


def masked_fingerprint(finding: Finding, masker: Masker | None) -> str:
    """The finding's fingerprint over its fields as the masked report shows them.

    A fingerprint is printed in every report and kept in the history and the checklist state,
    so it must not be a hash of the person's details (an unsalted SHA-256 of a field holding a
    mobile number gives it back in a fraction of a second). Computed from the masked fields,
    it is a function of what the masked report already shows: there is nothing to brute-force.
    It stays stable across audits because the masker depends only on the person's details."""
    return finding.fingerprint_over(
        mask_text(finding.target, masker),
        mask_text(finding.location, masker),
        mask_text(finding.subject, masker),
    )


def fingerprinted(report: Report, masker: Masker | None = None) -> Report:
    """The report with every finding's fingerprint taken from its masked fields (the engine
    does this once, so the unmasked report, the writers, the history and the app agree).
    Without ``masker``, the report's own identifiers (``sensitive_values``) are masked."""
    if masker is None:
        masker = compile_masker(sensitive_values(report))
    if masker is None and not any(f.recorded_fingerprint for f in report.findings):
        # Nothing to mask (a bulk audit's domain): each finding's own fingerprint is already
        # the one over its masked fields, and copying every finding cost a bulk run 3% of CPU.
        return report

    def result(r: CheckResult) -> CheckResult:
        findings = tuple(
            replace(f, recorded_fingerprint=masked_fingerprint(f, masker)) for f in r.findings
        )
        return replace(r, findings=findings)

    return replace(report, results=tuple(result(r) for r in report.results))


# -- typed objects: a Report and its Checklist, copied with the identifiers masked ------


def sensitive_values(report: Report) -> list[str]:
    """What to mask: the person's identifiers, less their public name (the report's title
    already shows it, and masking it would blank out the campaign domain too)."""
    values = list(report.sensitive)
    for finding in report.findings:
        for evidence in finding.evidence:
            values.extend(evidence.sensitive)
    public = _squash(report.subject)
    return [v for v in values if _squash(v) != public]


def masked_audit(
    report: Report, checklist: Checklist | None, *, reveal: bool = False
) -> tuple[Report, Checklist | None]:
    """The report and checklist as a reader may see them: masked unless ``reveal``."""
    if reveal:
        return report, checklist
    masker = compile_masker(sensitive_values(report))
    results = tuple(_result(r, masker) for r in report.results)
    masked_report = replace(
        report,
        results=results,
        problems=tuple(mask_text(p, masker) for p in report.problems),
        sensitive=(),
    )
    if checklist is None:
        return masked_report, None
    by_fingerprint = {f.fingerprint: f for f in masked_report.findings}

    def finding(f: Finding) -> Finding:
        return by_fingerprint.get(f.fingerprint) or _finding(f, masker)

    items = tuple(_item(item, finding, masker) for item in checklist.items)
    masked_checklist = replace(
        checklist,
        items=items,
        not_checked=tuple(finding(f) for f in checklist.not_checked),
        problems=tuple(mask_text(p, masker) for p in checklist.problems),
    )
    return masked_report, masked_checklist


def _result(result: CheckResult, masker: Masker | None) -> CheckResult:
    return replace(
        result,
        target=mask_text(result.target, masker),
        findings=tuple(_finding(f, masker) for f in result.findings),
    )


def _finding(finding: Finding, masker: Masker | None) -> Finding:
    return replace(
        finding,
        message=mask_text(finding.message, masker),
        location=mask_text(finding.location, masker),
        subject=mask_text(finding.subject, masker),
        target=mask_text(finding.target, masker),
        evidence=tuple(_evidence(e, masker) for e in finding.evidence),
        recorded_fingerprint=finding.fingerprint,
    )


def _evidence(evidence: Evidence, masker: Masker | None) -> Evidence:
    return replace(
        evidence,
        snippet=mask_text(evidence.snippet, masker),
        location=mask_text(evidence.location, masker),
        sensitive=(),
        detail=_mask_tree(evidence.detail, masker),
    )


def _item(
    item: ChecklistItem, finding: Callable[[Finding], Finding], masker: Masker | None
) -> ChecklistItem:
    return replace(
        item,
        findings=tuple(finding(f) for f in item.findings),
        dismissed_findings=tuple(finding(f) for f in item.dismissed_findings),
        questions=tuple(
            Question(
                q.fingerprint, q.check_id, mask_text(q.text, masker), mask_text(q.answer, masker)
            )
            for q in item.questions
        ),
    )


def _mask_tree(value: Any, masker: Masker | None) -> Any:
    return value if masker is None else masker.value(value)
