"""Content-Security-Policy: parsing (headers and ``<meta http-equiv>``) and grading, with the
Mozilla HTTP Observatory's rules (mdn/mdn-http-observatory, its ``csp`` test).

Several policies (several headers, comma-joined policies, or meta tags) are enforced
together, so a source counts only when every policy allows it. A repeated directive makes
the policy invalid (except ``report-uri``/``report-to``, which only earn a warning).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from auditor.standards.web.graded import MAX_HEADER, GradedTest

NAME = "content-security-policy"
SHORTEST_POLICY = len("img-src") - 1
NOT_IN_META = ("frame-ancestors", "report-uri", "sandbox")
REPEATABLE = frozenset({"report-uri", "report-to"})
DUPLICATES = "_duplicate_directives"  # a pseudo-directive naming the repeated report directives
BROAD = frozenset({"ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*",
                   "https://*.*"})  # fmt: skip
INLINE = frozenset({"'unsafe-inline'", "data:"})
NONCE_OR_HASH = ("'sha256-", "'sha384-", "'sha512-", "'nonce-")
PASSIVE = ("img-src", "media-src")
MAX_SOURCES = 500

# Sources are compared in the order of the Unicode collation (as the Observatory's
# Intl.Collator does): punctuation first, in this order, then digits, then letters.
_PUNCTUATION = "\t\n\r _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"
_RESULTS = {
    "csp-implemented-with-no-unsafe-default-src-none": (
        10, "The Content-Security-Policy is strict: default-src 'none', nothing unsafe."),
    "csp-implemented-with-no-unsafe": (5, "The Content-Security-Policy allows nothing unsafe."),
    "csp-implemented-but-duplicate-directives": (
        0, "The Content-Security-Policy is good, but repeats report-uri or report-to."),
    "csp-implemented-with-unsafe-inline-in-style-src-only": (
        0, "The Content-Security-Policy is good for scripts; it allows inline or broad styles."),
    "csp-implemented-with-insecure-scheme-in-passive-content-only": (
        -10, "The Content-Security-Policy lets images or media load over plain http://."),
    "csp-implemented-with-unsafe-eval": (-10, "The Content-Security-Policy allows 'unsafe-eval'."),
    "csp-implemented-with-unsafe-inline": (
        -20, "The Content-Security-Policy lets any script run: it allows 'unsafe-inline', data: "
        "or a broad source (*, https:) for scripts or plugins (object-src)."),
    "csp-implemented-with-insecure-scheme": (
        -20, "The Content-Security-Policy lets active content load over plain http://."),
    "csp-header-invalid": (-25, "The Content-Security-Policy is invalid."),
    "csp-not-implemented": (-25, "No Content-Security-Policy is set."),
    "csp-not-implemented-but-reporting-enabled": (
        -25, "Only Content-Security-Policy-Report-Only is set: nothing is enforced."),
}  # fmt: skip
PASSING = (
    "csp-implemented-with-no-unsafe",
    "csp-implemented-with-no-unsafe-default-src-none",
    "csp-implemented-with-unsafe-inline-in-style-src-only",
    "csp-implemented-with-insecure-scheme-in-passive-content-only",
)


class CspInvalid(ValueError):
    """The policy cannot be enforced as written."""


@dataclass
class _Source:
    text: str
    policy: int
    keep: bool


def _collation_key(text: str) -> tuple[tuple[int, int], ...]:
    key = []
    for char in text:
        place = _PUNCTUATION.find(char)
        if place >= 0:
            key.append((0, place))
        elif char.isascii() and char.isdigit():
            key.append((1, ord(char)))
        else:
            key.append((2, ord(char)))
    return tuple(key)


def split_policies(values: Sequence[str]) -> list[str]:
    """Header values -> policies: a comma separates policies (CSP3 2.2, RFC 9110 5.3)."""
    return [part.strip() for value in values for part in value[:MAX_HEADER].split(",")]


def _path_part_match(shorter: str, longer: str) -> bool:
    """Whether a source from one policy covers the same paths as one from another."""
    if not shorter:
        return True
    if shorter == "/" and not longer:
        return True
    exact = not shorter.endswith("/")
    parts_a, parts_b = shorter.split("/"), longer.split("/")
    if len(parts_a) > len(parts_b) or (exact and len(parts_a) != len(parts_b)):
        return False
    if not exact:
        parts_a.pop()
    return all(unquote(a) == unquote(b) for a, b in zip(parts_a, parts_b, strict=False))


def parse_policies(policies: Sequence[str]) -> dict[str, set[str]]:
    """Policies -> directive -> the sources every policy allows. Raises CspInvalid."""
    cleaned = [re.sub(r"[\r\n]", "", p).strip() for p in policies][:50]
    if not cleaned:
        return {}
    if any(len(p) < SHORTEST_POLICY for p in cleaned):
        raise CspInvalid("a policy is empty or too short to mean anything")
    directives: dict[str, list[_Source]] = {}
    repeated: set[str] = set()
    for index, policy in enumerate(cleaned):
        seen: set[str] = set()
        for chunk in policy.split(";"):
            tokens = chunk.split()
            if not tokens:
                continue
            name = tokens[0].lower()
            if name in seen:
                if name not in REPEATABLE:
                    raise CspInvalid(f"the directive {name[:40]} appears twice")
                repeated.add(name)
            seen.add(name)
            first = index == 0
            sources = [_Source(t.lower(), index, first) for t in tokens[1:MAX_SOURCES]]
            if not sources and name.endswith("-src"):
                sources = [_Source("'none'", index, first)]
            combined = sources if first else [*directives.get(name, []), *sources]
            combined.sort(key=lambda s: _collation_key(s.text))
            for before, source in itertools.pairwise(combined):
                if source.policy == before.policy and source.text.startswith(before.text):
                    source.keep = False  # a longer path of the same source adds nothing
                if source.policy != before.policy and _path_part_match(before.text, source.text):
                    source.keep = True  # allowed by both policies
            directives[name] = [s for s in combined if s.keep]
            if first and len(cleaned) > 1:
                for source in directives[name]:
                    source.keep = False  # later policies must allow it too
    parsed = {name: {s.text for s in kept} or {"'none'"} for name, kept in directives.items()}
    if repeated:
        parsed[DUPLICATES] = repeated
    return parsed


def _graded(result: str) -> GradedTest:
    modifier, summary = _RESULTS[result]
    return GradedTest(NAME, result, modifier, summary)


@dataclass(frozen=True)
class CspReading:
    graded: GradedTest
    directives: dict[str, set[str]] | None  # the enforced policy, None when there is none


def grade_csp(
    header_values: Sequence[str],
    meta_values: Sequence[str] = (),
    *,
    report_only: str | None = None,
    on_https: bool = True,
) -> CspReading:
    """Grade the policies of the ``Content-Security-Policy`` headers and ``<meta>`` tags."""
    from_headers, from_meta = split_policies(header_values), split_policies(meta_values)
    try:
        csp = parse_policies([*from_headers, *from_meta])
    except CspInvalid:
        return CspReading(_graded("csp-header-invalid"), None)
    try:
        header_only = parse_policies(from_headers)
    except CspInvalid:
        header_only = {}
    try:
        meta_only = parse_policies(from_meta)
        for name in NOT_IN_META:  # browsers ignore these in <meta> (CSP3 3.3)
            meta_only.pop(name, None)
    except CspInvalid:
        meta_only = {}
    if not header_only and not meta_only:
        result = "csp-not-implemented-but-reporting-enabled" if report_only else None
        return CspReading(_graded(result or "csp-not-implemented"), None)
    return CspReading(_graded(_verdict(csp, on_https)), _enforced(csp))


def _verdict(csp: dict[str, set[str]], on_https: bool) -> str:
    star = {"*"}
    default = csp.get("default-src")
    objects = csp.get("object-src") or default or star
    scripts = csp.get("script-src") or default or star
    styles = csp.get("style-src") or default or star
    # The sets are shared on purpose: script-src falling back to default-src edits both.
    for sources in (scripts, styles):
        if any(s.startswith(NONCE_OR_HASH) for s in sources):
            sources.discard("'unsafe-inline'")  # browsers ignore it next to a nonce or hash
    result: str | None = None
    if any(s.startswith(NONCE_OR_HASH) for s in scripts) and "'strict-dynamic'" in scripts:
        for source in list(scripts):
            if source.startswith(tuple(BROAD)) or source in ("'self'", "'unsafe-inline'"):
                scripts.discard(source)  # ignored under 'strict-dynamic' (CSP3 8.3)
    elif "'strict-dynamic'" in scripts:
        result = "csp-header-invalid"  # 'strict-dynamic' without a nonce or hash blocks all
    active = [s for name, sources in csp.items() if name not in (*PASSIVE, "script-src")
              for s in sources] + list(scripts)  # fmt: skip
    passive = [s for name in PASSIVE for s in (csp.get(name) or default or set())]

    def insecure(sources: list[str]) -> bool:
        return on_https and any(s.startswith(("http:", "ftp:")) for s in sources)

    checks = (
        (any(s in BROAD or s in INLINE for s in scripts) or any(s in BROAD for s in objects),
         "csp-implemented-with-unsafe-inline"),
        (insecure(active), "csp-implemented-with-insecure-scheme"),
        ("'unsafe-eval'" in scripts | styles, "csp-implemented-with-unsafe-eval"),
        (insecure(passive), "csp-implemented-with-insecure-scheme-in-passive-content-only"),
        (any(s in BROAD or s in INLINE for s in styles),
         "csp-implemented-with-unsafe-inline-in-style-src-only"),
        (default == {"'none'"}, "csp-implemented-with-no-unsafe-default-src-none"),
    )  # fmt: skip
    for failed, verdict in checks:
        if result is None and failed:
            result = verdict
    result = result or "csp-implemented-with-no-unsafe"
    if result in PASSING and DUPLICATES in csp:
        return "csp-implemented-but-duplicate-directives"
    return result


def _enforced(csp: dict[str, set[str]]) -> dict[str, set[str]]:
    return {name: sources for name, sources in csp.items() if name != DUPLICATES}
