"""Security headers of the campaign website, graded with the Mozilla HTTP Observatory's
current rules (auditor/standards/web/observatory.py, all twelve tests), plus
``/.well-known/security.txt`` (RFC 9116).

The page is fetched once with its redirects (their Set-Cookie headers count too) and its HTML
read for ``<meta>`` policies and scripts; one more request carries an ``Origin`` header for the
CORS test. The http:// redirect is scored from the ``redirection`` route web.https publishes
(one probe per audit). A test whose answer could not be seen (that route, or the CORS request,
failed) is left out of the score and named, never guessed. No HSTS preload list is used."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

from auditor.answers import fetch_evidence
from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Evidence, Finding, Severity, Status
from auditor.net.http import FetchResult
from auditor.standards.web.observatory import Grade, grade_site, total
from auditor.standards.web.security_txt import delivery_problems, parse_security_txt
from auditor.standards.web.sites import PlainHttpRoute, site_as_sample, site_origins
from auditor.vocabulary import Category, TargetKind

PAGE_BYTES = 1024 * 1024
SECURITY_TXT_BYTES = 32 * 1024
# Any origin that is not the site's own will do; this one can never be a real site.
CORS_PROBE_ORIGIN = "https://cors-probe.candidate-auditor.invalid"
# Tests whose failures web.https reports already: scored here, not repeated as findings.
REPORTED_BY_HTTPS = ("strict-transport-security", "redirection")
ACTIONS = {
    "content-security-policy": "web.add-csp",
    "x-content-type-options": "web.add-basic-headers",
    "x-frame-options": "web.add-basic-headers",
    "referrer-policy": "web.add-basic-headers",
    "cookies": "web.secure-cookies",
    "cross-origin-resource-sharing": "web.fix-cors",
    "cross-origin-opener-policy": "web.fix-cross-origin-headers",
    "cross-origin-embedder-policy": "web.fix-cross-origin-headers",
    "cross-origin-resource-policy": "web.fix-cross-origin-headers",
    "subresource-integrity": "web.add-sri",
}
SHOWN_HEADERS = (
    "content-security-policy",
    "strict-transport-security",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "set-cookie",
    "cross-origin-opener-policy",
    "cross-origin-embedder-policy",
    "cross-origin-resource-policy",
)


class HeadersCheck(Check):
    meta = CheckMeta(
        id="web.headers",
        title="Website security headers and security.txt",
        category=Category.WEB,
        target=TargetKind.WEBSITE,
        severity=Severity.MEDIUM,
        guidance="https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring",
        description="Grades the website like the Mozilla HTTP Observatory (score out of 100, "
        "grade A+ to F): Content-Security-Policy (header and <meta>), cookies, "
        "X-Content-Type-Options, framing, Referrer-Policy, HSTS, the http:// redirect, "
        "COOP/COEP/CORP, CORS and subresource integrity; and reads "
        "/.well-known/security.txt.",
        timeout=45.0,
        requires=("web.https",),  # its http:// redirect probe, scored here
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        host, https_url, _http_url = site_origins(ctx.target)
        start = ctx.target if "://" in ctx.target else https_url
        page = await ctx.services.http.fetch(start, max_bytes=PAGE_BYTES)
        if page.error:
            return [
                ctx.finding(
                    ctx.fetch_status(page),
                    f"Could not fetch {start} to read its security headers: {page.error}.",
                    location=start,
                    subject="summary",
                    evidence=[fetch_evidence(page)],
                )
            ]
        evidence = fetch_evidence(page, *SHOWN_HEADERS)
        cors = await ctx.services.http.fetch(
            page.final_url,
            origin=start,
            follow_redirects=False,
            max_bytes=4096,
            headers={"Origin": CORS_PROBE_ORIGIN},
        )
        seen: list[PlainHttpRoute | None] = await ctx.requirement_facts("web.https", "redirection")
        route = seen[0] if seen else None
        sample = site_as_sample(host, page, route=route, cors=cors, cors_origin=CORS_PROBE_ORIGIN)
        unseen = {}
        if route is None:
            unseen["redirection"] = "web.https could not see how http:// behaves"
        if cors.error:
            unseen["cross-origin-resource-sharing"] = (
                f"the request with an Origin failed: {cors.error}"
            )
        grade = _without_unseen(grade_site(sample), unseen)
        findings = [self._summary(ctx, grade, page, evidence, unseen)]
        for result in grade.results:
            if result.passed or not result.graded or result.test in REPORTED_BY_HTTPS:
                continue
            findings.append(
                ctx.finding(
                    Status.WARN,
                    result.summary,
                    severity=_severity(result.modifier),
                    location=page.final_url,
                    subject=result.test,
                    evidence=[evidence],
                    actions=[ACTIONS[result.test]],
                )
            )
        if urlsplit(page.final_url).scheme == "https":
            findings.append(await self._security_txt(ctx, https_url))
        return findings

    @staticmethod
    def _summary(
        ctx: CheckContext,
        grade: Grade,
        page: FetchResult,
        evidence: Evidence,
        unseen: dict[str, str],
    ) -> Finding:
        breakdown = {
            r.test: {"result": r.result, "modifier": r.modifier, "graded": r.graded}
            for r in grade.results
        }
        detail: dict[str, object] = {
            "score": grade.score,
            "grade": grade.letter,
            "tests": breakdown,
        }
        notes = [f"{test} not graded: {why}" for test, why in unseen.items()]
        if page.truncated:
            notes.append(
                f"partly checked: only the first {PAGE_BYTES // 1024} KiB of the page were read, "
                "so <meta> policies and scripts after that were not graded"
            )
        if notes:
            detail["notes"] = notes
        scored = Evidence(
            source="http-header",
            location=page.final_url,
            snippet=evidence.snippet,
            fetched_at=evidence.fetched_at,
            detail=detail,
        )
        status = Status.PASS if grade.score >= 70 else Status.WARN
        noted = f" ({'; '.join(notes)})" if notes else ""
        return ctx.finding(
            status,
            f"The website's security headers score {grade.score}/100 (grade {grade.letter}, "
            f"graded like the Mozilla HTTP Observatory){noted}.",
            severity=Severity.INFO if status is Status.PASS else Severity.LOW,
            location=page.final_url,
            subject="summary",
            evidence=[scored],
            actions=[] if status is Status.PASS else ["web.add-basic-headers"],
        )

    @staticmethod
    async def _security_txt(ctx: CheckContext, https_url: str) -> Finding:
        url = https_url + ".well-known/security.txt"
        fetched = await ctx.services.http.fetch(url, max_bytes=SECURITY_TXT_BYTES)
        evidence = Evidence(
            source="https",
            location=url,
            snippet=(fetched.text()[:1000] if fetched.body else fetched.error),
            fetched_at=fetched.fetched_at,
            detail={
                "status": fetched.status_code,
                "content_type": fetched.headers.get("content-type", ""),
                "final_url": fetched.final_url,
            },
        )

        def finding(status: Status, message: str) -> Finding:
            return ctx.finding(
                status,
                message,
                severity=Severity.LOW if status.is_problem else None,
                location=url,
                subject="security.txt",
                evidence=[evidence],
                actions=["web.add-security-txt"] if status.is_problem else [],
            )

        if fetched.error:
            return finding(ctx.fetch_status(fetched), f"Could not fetch {url}: {fetched.error}.")
        if fetched.status_code != 200 or fetched.content_type != "text/plain":
            return finding(
                Status.WARN,
                "The site has no security.txt, so people who find a security problem do not "
                "know whom to tell.",
            )
        parsed = parse_security_txt(fetched.text(), ctx.services.clock())
        problems = [
            *delivery_problems(fetched.final_url, fetched.headers.get("content-type", "")),
            *parsed.problems,
        ]
        if fetched.truncated:  # first: it qualifies every other verdict
            problems.insert(
                0,
                f"it is longer than {SECURITY_TXT_BYTES // 1024} KiB, so it was only partly "
                "checked (the rest was not read)",
            )
        if problems:
            return finding(
                Status.WARN, f"The site's security.txt needs fixing: {'; '.join(problems[:3])}."
            )
        return finding(
            Status.PASS, f"The site's security.txt names a contact: {parsed.contacts[0][:100]}."
        )


def _without_unseen(grade: Grade, unseen: dict[str, str]) -> Grade:
    """The grade with each test whose answer was not seen shown but not counted."""
    if not unseen:
        return grade
    results = [
        replace(
            r,
            result="not-checked",
            modifier=0,
            summary=f"Not graded: {unseen[r.test]}.",
            graded=False,
        )
        if r.test in unseen
        else r
        for r in grade.results
    ]
    return total(results)


def _severity(modifier: int) -> Severity:
    if modifier <= -50:
        return Severity.HIGH
    return Severity.MEDIUM if modifier <= -20 else Severity.LOW
