"""Subresource integrity of the page's scripts, graded with the Mozilla HTTP Observatory's
rules (its ``subresource-integrity`` test): scripts from another site should carry an
``integrity`` hash and load over https."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from auditor.net.domains import organisational_domain
from auditor.standards.web.graded import GradedTest

NAME = "subresource-integrity"
HTML_TYPES = ("text/html", "application/xhtml+xml")
ORDER = (  # best first; the result is the worst that any script reaches
    "sri-implemented-and-all-scripts-loaded-securely",
    "sri-implemented-and-external-scripts-loaded-securely",
    "sri-implemented-but-external-scripts-not-loaded-securely",
    "sri-not-implemented-but-external-scripts-loaded-securely",
    "sri-not-implemented-and-external-scripts-not-loaded-securely",
    "sri-not-implemented-response-not-html",
)
_RESULTS = {
    ORDER[0]: (5, "Every script carries an integrity hash and loads over https."),
    ORDER[1]: (5, "Scripts from other sites carry integrity hashes and load over https."),
    ORDER[2]: (-20, "Scripts from other sites carry integrity hashes but load over http://."),
    ORDER[3]: (-5, "Scripts from other sites load over https but without integrity hashes."),
    ORDER[4]: (-50, "Scripts from other sites load over plain http:// without integrity hashes."),
    ORDER[5]: (0, "The page is not HTML, so it loads no scripts."),
    "sri-not-implemented-but-no-scripts-loaded": (0, "The page loads no scripts."),
    "sri-not-implemented-but-all-scripts-loaded-from-secure-origin": (
        0, "All scripts come from the site itself."),
}  # fmt: skip
_PROTOCOL_RELATIVE = re.compile(r"^//[^/]")
_ABSOLUTE = re.compile(r"^https?://")


def _site_of(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return organisational_domain(host) if host else ""


def grade_sri(
    scripts: list[dict[str, str | None]], *, content_type: str | None, host: str, on_https: bool
) -> GradedTest:
    mime = (content_type or "").split(";", 1)[0]
    if mime and mime not in HTML_TYPES:
        return _graded(ORDER[5])
    worst: str | None = None
    foreign_seen = False

    def note(result: str) -> None:
        nonlocal worst
        if worst is None or ORDER.index(result) > ORDER.index(worst):
            worst = result

    own_site = organisational_domain(host) if host else ""
    for script in scripts:
        src = script.get("src")
        if not src:
            continue
        integrity = bool(script.get("integrity"))
        protocol_relative = bool(_PROTOCOL_RELATIVE.match(src))
        relative = not protocol_relative and not _ABSOLUTE.match(src)
        same_site = protocol_relative or relative or _site_of(src) == own_site
        secure_origin = relative or (same_site and not protocol_relative)
        scheme = "" if relative or protocol_relative else urlsplit(src).scheme.lower()
        secure_scheme = scheme == "https" or (relative and on_https)
        if not secure_origin:
            foreign_seen = True
            if integrity and not secure_scheme:
                note(ORDER[2])
            elif not integrity and secure_scheme:
                note(ORDER[3])
            elif not integrity:
                note(ORDER[4])
        elif integrity and secure_scheme and worst is None:
            worst = ORDER[0]
    if not scripts:
        return _graded("sri-not-implemented-but-no-scripts-loaded")
    if worst is None:
        worst = ORDER[1] if foreign_seen else (
            "sri-not-implemented-but-all-scripts-loaded-from-secure-origin")  # fmt: skip
    return _graded(worst)


def _graded(result: str) -> GradedTest:
    modifier, summary = _RESULTS[result]
    return GradedTest(NAME, result, modifier, summary)
