"""Cross-origin isolation and sharing headers, graded with the Mozilla HTTP Observatory's
rules: Cross-Origin-Opener-Policy and -Embedder-Policy (Structured Field tokens, RFC 8941;
scored since August 2026), Cross-Origin-Resource-Policy, and CORS (Access-Control-Allow-Origin
answered to a request from another origin)."""

from __future__ import annotations

import re

from auditor.standards.web.graded import GradedTest, Response, SiteSample

_TOKEN = re.compile(r"[A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*")
_KEY = re.compile(r"[a-z*][a-z0-9_\-.*]*")
_NUMBER = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,3})?")
_STRING = re.compile(r'"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*"')
_BYTES = re.compile(r":[A-Za-z0-9+/=]*:")


def _bare_item(text: str, at: int) -> tuple[str | None, int] | None:
    """(the token, or None for another kind of item, and where it ends); None when malformed."""
    for pattern, is_token in ((_TOKEN, True), (_NUMBER, False), (_STRING, False), (_BYTES, False)):
        found = pattern.match(text, at)
        if found:
            return (found.group() if is_token else None), found.end()
    if text.startswith(("?0", "?1"), at):
        return None, at + 2
    return None


def structured_token(value: str) -> str | None:
    """The token of a Structured Field Item with optional parameters (RFC 8941 4.2.3)."""
    text = value.strip(" ")
    item = _bare_item(text, 0)
    if item is None or item[0] is None:
        return None
    token, at = item
    while at < len(text) and text[at] == ";":
        at += 1
        while at < len(text) and text[at] == " ":
            at += 1
        key = _KEY.match(text, at)
        if not key:
            return None
        at = key.end()
        if at < len(text) and text[at] == "=":
            value_item = _bare_item(text, at + 1)
            if value_item is None:
                return None
            at = value_item[1]
    return token if at == len(text) else None


def _policy_header(
    page: Response | None, name: str, results: dict[str, tuple[str, int]], prefix: str
) -> GradedTest:
    values = page.get_all(name) if page else []
    if len(values) > 1:
        return GradedTest(name, f"{prefix}-header-invalid", -5, f"{name} is sent more than once.")
    if not values or not values[0]:
        return GradedTest(name, f"{prefix}-not-implemented", 0, f"{name} is not set.")
    token = structured_token(values[0][:1024].strip())
    if token not in results:
        return GradedTest(
            name, f"{prefix}-header-invalid", -5, f"{name} {values[0][:40]!r} is invalid."
        )
    result, modifier = results[token]
    return GradedTest(name, result, modifier, f"{name} is {token}.")


def grade_coop(page: Response | None) -> GradedTest:
    return _policy_header(
        page,
        "cross-origin-opener-policy",
        {
            "same-origin": ("coop-implemented-with-same-origin", 10),
            "same-origin-allow-popups": ("coop-implemented-with-same-origin-allow-popups", 10),
            "noopener-allow-popups": ("coop-implemented-with-noopener-allow-popups", 10),
            "unsafe-none": ("coop-implemented-with-unsafe-none", 0),
        },
        "coop",
    )


def grade_coep(page: Response | None) -> GradedTest:
    return _policy_header(
        page,
        "cross-origin-embedder-policy",
        {
            "require-corp": ("coep-implemented-with-require-corp", 10),
            "credentialless": ("coep-implemented-with-credentialless", 10),
            "unsafe-none": ("coep-implemented-with-unsafe-none", 0),
        },
        "coep",
    )


def grade_corp(page: Response | None, meta: list[str] | None = None) -> GradedTest:
    name = "cross-origin-resource-policy"
    joined = ", ".join(page.get_all(name)) if page else ""
    value = joined[:256].strip().lower() if joined else ""
    if not value and meta:
        value = meta[-1][:256].strip().lower()
    table = {
        "same-site": ("corp-implemented-with-same-site", 10),
        "same-origin": ("corp-implemented-with-same-origin", 10),
        "cross-origin": ("corp-implemented-with-cross-origin", 0),
    }
    if not value:
        return GradedTest(name, "corp-not-implemented", 0, f"{name} is not set.")
    if value not in table:
        return GradedTest(name, "corp-header-invalid", -5, f"{name} {value[:40]!r} is invalid.")
    result, modifier = table[value]
    return GradedTest(name, result, modifier, f"{name} is {value}.")


def grade_cors(sample: SiteSample) -> GradedTest:
    name = "cross-origin-resource-sharing"
    allowed = sample.cors.first("access-control-allow-origin") if sample.cors else None
    if not allowed:
        return GradedTest(
            name,
            "cross-origin-resource-sharing-not-implemented",
            0,
            "Other sites cannot read the page's content (no Access-Control-Allow-Origin).",
        )
    credentials = sample.cors.first("access-control-allow-credentials") if sample.cors else None
    if allowed[:256].strip().lower() == "*":
        return GradedTest(
            name,
            "cross-origin-resource-sharing-implemented-with-public-access",
            0,
            "Any site may read the page's public content (Access-Control-Allow-Origin: *).",
        )
    if (
        sample.cors_origin
        and allowed == sample.cors_origin
        and ((credentials or "").strip().lower() == "true")
    ):
        return GradedTest(
            name,
            "cross-origin-resource-sharing-implemented-with-universal-access",
            -50,
            "The site lets any other site read pages as the signed-in visitor (it echoes the "
            "Origin and allows credentials).",
        )
    return GradedTest(
        name,
        "cross-origin-resource-sharing-implemented-with-restricted-access",
        0,
        "Only named sites may read the page's content.",
    )
