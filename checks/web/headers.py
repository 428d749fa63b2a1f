"""Security headers of the campaign website, graded like the Mozilla HTTP Observatory,
plus ``/.well-known/security.txt`` (RFC 9116). The http:// redirect is scored from the
``redirection`` fact web.https publishes (one probe per audit); when web.https could not see
it, the redirection test is left out of the score, as before."""

from __future__ import annotations

from urllib.parse import urlsplit

from auditor.answers import fetch_evidence
from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Evidence, Finding, Severity, Status
from auditor.net.http import FetchResult
from auditor.standards.web.header_grading import (
    Grade,
    GradedTest,
    grade_content_type_options,
    grade_cookies,
    grade_csp,
    grade_framing,
    grade_hsts,
    grade_redirection,
    grade_referrer,
    parse_hsts,
    total,
)
from auditor.standards.web.security_txt import parse_security_txt
from auditor.standards.web.sites import site_origins

# Tests whose failures web.https reports already: scored here, not repeated as findings.
REPORTED_BY_HTTPS = ("strict-transport-security", "redirection")
ACTIONS = {
    "content-security-policy": "web.add-csp",
    "x-content-type-options": "web.add-basic-headers",
    "x-frame-options": "web.add-basic-headers",
    "referrer-policy": "web.add-basic-headers",
    "cookies": "web.secure-cookies",
}
SHOWN_HEADERS = (
    "content-security-policy",
    "strict-transport-security",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
    "set-cookie",
)


class HeadersCheck(Check):
    meta = CheckMeta(
        id="web.headers",
        title="Website security headers and security.txt",
        category="web",
        target="website",
        severity=Severity.MEDIUM,
        guidance="https://developer.mozilla.org/en-US/observatory/docs/tests_and_scoring",
        description="Grades Content-Security-Policy, X-Content-Type-Options, framing "
        "protection, Referrer-Policy, cookie flags, HSTS and the http:// redirect like the "
        "Mozilla HTTP Observatory (score out of 100, grade A+ to F), and reads "
        "/.well-known/security.txt.",
        timeout=45.0,
        requires=("web.https",),  # its http:// redirect probe, scored here
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        https_url = site_origins(ctx.target)[1]
        start = ctx.target if "://" in ctx.target else https_url
        page = await ctx.services.http.fetch(start, max_bytes=1024 * 1024)
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
        on_https = urlsplit(page.final_url).scheme == "https"
        hsts_value = page.headers.get("strict-transport-security") if on_https else None
        hsts = parse_hsts(hsts_value)
        csp = page.headers.get_list("content-security-policy")
        results: list[GradedTest] = [
            grade_csp(csp),
            grade_cookies(page.headers.get_list("set-cookie"), hsts=bool(hsts and hsts.max_age)),
            grade_content_type_options(page.headers.get("x-content-type-options")),
            grade_framing(page.headers.get("x-frame-options"), csp),
            grade_referrer(page.headers.get("referrer-policy")),
            grade_hsts(hsts_value, https=on_https),
        ]
        seen = await ctx.requirement_facts("web.https", "redirection")
        redirection = seen[0] if seen else None
        if redirection is not None:
            results.append(grade_redirection(redirection))
        grade = total(results)
        findings = [self._summary(ctx, grade, page, evidence)]
        for result in grade.results:
            if result.passed or result.test in REPORTED_BY_HTTPS:
                continue
            findings.append(
                ctx.finding(
                    Status.WARN,
                    result.summary,
                    severity=Severity.MEDIUM if result.modifier <= -20 else Severity.LOW,
                    location=page.final_url,
                    subject=result.test,
                    evidence=[evidence],
                    actions=[ACTIONS[result.test]],
                )
            )
        if on_https:
            findings.append(await self._security_txt(ctx, https_url))
        return findings

    @staticmethod
    def _summary(ctx: CheckContext, grade: Grade, page: FetchResult, evidence: Evidence) -> Finding:
        breakdown = {r.test: {"result": r.result, "modifier": r.modifier} for r in grade.results}
        scored = Evidence(
            source="http-header",
            location=page.final_url,
            snippet=evidence.snippet,
            fetched_at=evidence.fetched_at,
            detail={"score": grade.score, "grade": grade.letter, "tests": breakdown},
        )
        status = Status.PASS if grade.score >= 70 else Status.WARN
        return ctx.finding(
            status,
            f"The website's security headers score {grade.score}/100 (grade {grade.letter}, "
            "graded like the Mozilla HTTP Observatory).",
            severity=Severity.INFO if status is Status.PASS else Severity.LOW,
            location=page.final_url,
            subject="summary",
            evidence=[scored],
            actions=[] if status is Status.PASS else ["web.add-basic-headers"],
        )

    @staticmethod
    async def _security_txt(ctx: CheckContext, https_url: str) -> Finding:
        url = https_url + ".well-known/security.txt"
        fetched = await ctx.services.http.fetch(url, max_bytes=32768)
        evidence = Evidence(
            source="https",
            location=url,
            snippet=(fetched.text()[:1000] if fetched.body else fetched.error),
            fetched_at=fetched.fetched_at,
            detail={"status": fetched.status_code, "content_type": fetched.content_type},
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
        if parsed.problems:
            return finding(
                Status.WARN, f"The site's security.txt needs fixing: {parsed.problems[0]}."
            )
        return finding(
            Status.PASS, f"The site's security.txt names a contact: {parsed.contacts[0][:100]}."
        )
