"""Masking the person's own identifiers in anything the tool shows or keeps (core).

One masker for every writer, the saved history and the TUI: ``masked_audit`` returns the
Report and Checklist as a reader may see them, so all of them hide exactly the same things.

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
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import phonenumbers

from auditor.checklist import Checklist, ChecklistItem, Question
from auditor.model import CheckResult, Evidence, Finding, Report
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


# -- typed objects: a Report and its Checklist, copied with the identifiers masked ------

Masker = re.Pattern[str] | None


def sensitive_values(report: Report) -> list[str]:
    """What to mask: the person's identifiers, less their public name (the report's title
    already shows it, and masking it would blank out the campaign domain too)."""
    values = list(report.sensitive)
    for finding in report.findings:
        for evidence in finding.evidence:
            values.extend(evidence.sensitive)
    public = _squash(report.subject)
    return [v for v in values if _squash(v) != public]


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


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


def _result(result: CheckResult, masker: Masker) -> CheckResult:
    return replace(
        result,
        target=mask_text(result.target, masker),
        findings=tuple(_finding(f, masker) for f in result.findings),
    )


def _finding(finding: Finding, masker: Masker) -> Finding:
    return replace(
        finding,
        message=mask_text(finding.message, masker),
        location=mask_text(finding.location, masker),
        subject=mask_text(finding.subject, masker),
        target=mask_text(finding.target, masker),
        evidence=tuple(_evidence(e, masker) for e in finding.evidence),
        recorded_fingerprint=finding.fingerprint,
    )


def _evidence(evidence: Evidence, masker: Masker) -> Evidence:
    return replace(
        evidence,
        snippet=mask_text(evidence.snippet, masker),
        location=mask_text(evidence.location, masker),
        sensitive=(),
        detail=_mask_tree(evidence.detail, masker),
    )


def _item(
    item: ChecklistItem, finding: Callable[[Finding], Finding], masker: Masker
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


def _mask_tree(value: Any, masker: Masker) -> Any:
    if isinstance(value, str):
        return mask_text(value, masker)
    if isinstance(value, list):
        return [_mask_tree(v, masker) for v in value]
    if isinstance(value, dict):
        return {k: _mask_tree(v, masker) for k, v in value.items()}
    return value
