"""Plain words for the technical labels findings carry, for every text a candidate reads
(the Markdown and HTML reports, the briefing, the app): what a status is called
(``STATUS_WORDS``, one vocabulary that each medium only dresses: capitals in the written
reports, a symbol on the terminal), where a piece of evidence was seen ("the text of the PDF
at …", not "pdf-text at …"), how urgent a finding is and how sure ("Very urgent. We are
sure.", not "severity critical, confidence high"). The labels themselves stay in the JSON and
CSV, and under "Details (for your IT volunteer)". Pure: no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from auditor.vocabulary import Confidence, Severity, Status


@dataclass(frozen=True)
class StatusWords:
    """How one status is said. ``label`` is the status itself beside a finding ("could not
    check"); ``why`` the reason the written reports add after it ("timeout"); ``symbol`` the
    glyph the terminal shows before it, so the status reads without colour (NO_COLOR);
    ``one`` and ``many`` a finding of that status in a count ("1 problem", "2 problems")."""

    label: str
    symbol: str
    one: str
    many: str
    why: str = ""


# Every status in every medium comes from here (tests/core/test_wording.py holds each medium
# to every status). ERROR and TIMEOUT are both "could not check": never a pass, never missing.
STATUS_WORDS: dict[Status, StatusWords] = {
    Status.FAIL: StatusWords("fail", "✖", "problem", "problems"),
    Status.WARN: StatusWords("warn", "!", "warning", "warnings"),
    Status.ERROR: StatusWords("could not check", "?", "error", "errors"),
    Status.TIMEOUT: StatusWords("could not check", "?", "time-out", "time-outs", why="timeout"),
    Status.MANUAL: StatusWords("to answer", "✎", "question", "questions"),
    Status.SKIPPED: StatusWords("not checked", "-", "skipped", "skipped"),
    Status.PASS: StatusWords("pass", "✔", "pass", "passes"),
    Status.NOT_APPLICABLE: StatusWords("does not apply", "·", "does not apply", "do not apply"),
}


def status_label(status: Status) -> str:
    """The status in words: "pass", "could not check", "to answer"."""
    return STATUS_WORDS[status].label


def status_tag(status: Status) -> str:
    """The written reports' tag (Markdown, HTML): "PASS", "COULD NOT CHECK (timeout)"."""
    words = STATUS_WORDS[status]
    return words.label.upper() + (f" ({words.why})" if words.why else "")


def status_with_symbol(status: Status) -> str:
    """The terminal's: "✔ pass", "? could not check" (the symbol first, the words after)."""
    words = STATUS_WORDS[status]
    return f"{words.symbol} {words.label}"


def findings_of_status(status: Status, count: int) -> str:
    """ "1 problem", "2 problems", "3 skipped": findings of one status, counted."""
    words = STATUS_WORDS[status]
    return f"{count} {words.one if count == 1 else words.many}"


# Evidence.source -> what a reader would call it; "{where}" becomes " at LOCATION" or "".
_SOURCES = {
    "dns": "the domain's DNS records{where}",
    "http": "the web server's answer{where}",
    "https": "the web server's answer{where}",
    "http-header": "the web server's answer{where}",
    "smtp": "the mail server's answer{where}",
    "page-text": "the text of the page{where}",
    "page-link": "a link on the page{where}",
    "attribute": "the page's code{where}",
    "json-ld": "data hidden in the page for search engines{where}",
    "microdata": "data hidden in the page for search engines{where}",
    "h-card": "a contact card in the page{where}",
    "meta": "the page's description{where}",
    "map-embed": "a map on the page{where}",
    "tel-link": "a phone link on the page{where}",
    "mailto-link": "an email link on the page{where}",
    "vcard": "a contact card{where}",
    "pdf": "the PDF{where}",
    "pdf-text": "the text of the PDF{where}",
    "pdf-metadata": "the PDF's document properties{where}",
    "imprint": "an imprint (“Promoted by …”){where}",
    "exif": "the photo's hidden camera data{where}",
    "xmp": "the photo's hidden data{where}",
    "search": "a web search{where}",
    "search-snippet": "a web search result{where}",
    "wayback": "the Internet Archive's copy{where}",
    "wayback-cdx": "the Internet Archive's list of copies{where}",
    "rdap": "the domain's public registration record{where}",
    "companies-house": "the Companies House register{where}",
    "2fa-directory": "the public list of sites offering two-step sign-in{where}",
    "attested": "what you wrote in your profile{where}",
    "guided": "the official advice{where}",
    "analysis": "the audit's own reading{where}",
    "interactive": "the test you ran{where}",
    "--url": "the website you asked to audit{where}",
    "--domain": "the domain you asked to audit{where}",
}
_ARCHIVED = "the Internet Archive's copy of {what}"

# Severity and confidence, said to the candidate as what to do about it and how sure the audit
# is: the app and the Markdown and HTML reports use these; the labels themselves go under
# DETAILS_HEADING.
URGENCY_WORDS = {
    Severity.CRITICAL: "Very urgent",
    Severity.HIGH: "Urgent",
    Severity.MEDIUM: "Worth fixing soon",
    Severity.LOW: "When you have time",
    Severity.INFO: "For information",
}
# The same scale, short, where urgency is counted rather than said in a sentence: the summary's
# table of areas, the chart's legend and bar titles, the grade rule ("1 very urgent, 2 soon").
# Each place that uses it names the scale ("how urgent"), so "soon" and "later" read right.
URGENCY_SHORT = {
    Severity.CRITICAL: "very urgent",
    Severity.HIGH: "urgent",
    Severity.MEDIUM: "soon",
    Severity.LOW: "later",
    Severity.INFO: "info",
}
URGENCY_CAPTION = "how urgent"
SURENESS_WORDS = {
    Confidence.HIGH: "We are sure",
    Confidence.MEDIUM: "Likely, not certain",
    Confidence.LOW: "Possible: worth a look",
}


def urgency_in_words(severity: Severity, confidence: Confidence, *, problem: bool = True) -> str:
    """ "Very urgent. We are sure." for a critical finding of high confidence; how sure the
    audit is only matters for a problem."""
    head = URGENCY_WORDS[severity]
    return f"{head}. {SURENESS_WORDS[confidence]}." if problem else f"{head}."


DETAILS_HEADING = "Details (for your IT volunteer)"


def details_for_volunteer(
    check_id: str, severity: Severity, confidence: Confidence, fingerprint: str
) -> tuple[str, str, str]:
    """The technical labels behind the plain words, one per line, for the IT volunteer:
    the check id, severity and confidence as the JSON and CSV name them, and the
    fingerprint that ``auditor report --dismiss`` takes. Shown under DETAILS_HEADING."""
    return (
        f"check id: {check_id}",
        f"severity: {severity.value}, confidence: {confidence.value}",
        f"fingerprint: {fingerprint}",
    )


def evidence_in_words(source: str, location: str = "") -> str:
    """ "the text of the PDF at https://…/leaflet.pdf page 2"; an unknown source keeps its
    name (a plugin's own), so nothing is hidden."""
    return "".join(evidence_parts(source, location))


def evidence_parts(source: str, location: str = "") -> tuple[str, str, str]:
    """``evidence_in_words`` in three parts, (words before, the location, words after), so
    that a writer can mark the location up (HTML puts it in <code>)."""
    if source == "attested":  # the location is the profile entry itself
        entry = location.removeprefix("profile: ").removeprefix("profile")
        base = _SOURCES["attested"].format(where="")
        return (f"{base} (", entry, ")") if entry else (base, "", "")
    if source.startswith("archive-"):
        inner = _SOURCES.get(source.removeprefix("archive-"), source.removeprefix("archive-"))
        base = _ARCHIVED.format(what=inner.format(where=""))
    else:
        base = _SOURCES.get(source, source).format(where="")
    return (f"{base} at ", location, "") if location else (base, "", "")


def names(items: Sequence[str], most: int = 5) -> str:
    """ "mx6", "mx6 and mx7", "mx6, mx7 and mx8", or "mx6, …, mx10 and 4 more" past ``most``:
    a list in a sentence, never longer than a line whatever a hostile record holds."""
    shown = [str(item)[:120] for item in items[:most]]
    rest = len(items) - len(shown)
    if rest > 0:
        return f"{', '.join(shown)} and {rest} more"
    if len(shown) <= 1:
        return "".join(shown)
    return f"{', '.join(shown[:-1])} and {shown[-1]}"


def was_were(items: Sequence[str]) -> str:
    return "was" if len(items) == 1 else "were"
