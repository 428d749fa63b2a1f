"""HTTPS on the campaign website: reachable, a valid certificate, http:// redirected, HSTS.

Publishes ``redirection``: how http:// behaves (a PlainHttpRoute, or None when it could not be
seen), which web.headers scores instead of probing http:// again."""

from __future__ import annotations

from urllib.parse import urlsplit

from auditor.answers import fetch_evidence
from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Evidence, Finding, Severity, Status
from auditor.net.failures import Failure
from auditor.net.http import FetchResult
from auditor.standards.web.certificates import expiry_problem, not_after_from_peercert
from auditor.standards.web.observatory import HSTS_MIN_AGE, parse_hsts
from auditor.standards.web.sites import is_redirect, plain_http_route, site_origins
from auditor.vocabulary import Category, TargetKind

ACTION_CERT = "web.fix-certificate"
ACTION_REDIRECT = "web.redirect-to-https"
ACTION_HSTS = "web.enable-hsts"


class HttpsCheck(Check):
    meta = CheckMeta(
        id="web.https",
        title="HTTPS, certificate and HSTS",
        category=Category.WEB,
        target=TargetKind.WEBSITE,
        severity=Severity.HIGH,
        guidance="https://www.ncsc.gov.uk/collection/top-tips-for-staying-secure-online",
        description="Fetches the site over https:// (certificate trusted and not about to "
        "expire), checks that http:// redirects to https://, and reads the HSTS header.",
        timeout=45.0,
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        host, https_url, http_url = site_origins(ctx.target)
        secure = await ctx.services.http.fetch(https_url, follow_redirects=False, max_bytes=65536)
        evidence = fetch_evidence(secure, "strict-transport-security", "location")
        if secure.error:
            if secure.error_kind == Failure.TLS:
                return [
                    ctx.finding(
                        Status.FAIL,
                        f"The certificate of {host} is not valid, so visitors see a security "
                        f"warning: {secure.error}.",
                        location=https_url,
                        subject="certificate",
                        evidence=[evidence],
                        actions=[ACTION_CERT],
                    )
                ]
            return [
                ctx.finding(
                    ctx.fetch_status(secure),
                    f"Could not reach {https_url}: {secure.error}.",
                    location=https_url,
                    subject="https",
                    evidence=[evidence],
                )
            ]
        findings = [self._certificate(ctx, secure, host, https_url, evidence)]
        findings.append(await self._redirect(ctx, host, http_url))
        findings.append(self._hsts(ctx, secure, https_url, evidence))
        return findings

    @staticmethod
    def _certificate(
        ctx: CheckContext, secure: FetchResult, host: str, url: str, evidence: Evidence
    ) -> Finding:
        not_after = not_after_from_peercert(secure.peer_certificate)
        problem = expiry_problem(not_after, ctx.services.clock())
        if problem:
            return ctx.finding(
                Status.WARN,
                f"{host}: {problem}; renew it before visitors see a warning.",
                location=url,
                subject="certificate",
                evidence=[evidence],
                actions=[ACTION_CERT],
            )
        until = f" until {not_after.date().isoformat()}" if not_after else ""
        return ctx.finding(
            Status.PASS,
            f"{host} serves HTTPS with a trusted certificate valid{until}.",
            location=url,
            subject="certificate",
            evidence=[evidence],
        )

    @staticmethod
    async def _redirect(ctx: CheckContext, host: str, http_url: str) -> Finding:
        plain = await ctx.services.http.fetch(http_url, follow_redirects=False, max_bytes=65536)
        evidence = [fetch_evidence(plain, "location")]

        def finding(status: Status, message: str, severity: Severity | None = None) -> Finding:
            return ctx.finding(
                status,
                message,
                severity=severity,
                location=http_url,
                subject="redirect",
                evidence=evidence,
                actions=[ACTION_REDIRECT] if status.is_problem else [],
            )

        ctx.publish("redirection", plain_http_route(plain, None))
        if plain.error:
            if plain.error_kind == Failure.CONNECT:
                return finding(Status.PASS, f"{host} does not serve plain http:// at all.")
            return finding(ctx.fetch_status(plain), f"Could not fetch {http_url}: {plain.error}.")
        if not is_redirect(plain):
            return finding(
                Status.FAIL,
                f"http://{host}/ shows the site without encryption instead of redirecting "
                "to https://.",
                Severity.MEDIUM,
            )
        followed = await ctx.services.http.fetch(http_url, max_bytes=65536)
        ctx.publish("redirection", plain_http_route(plain, followed))
        evidence.append(fetch_evidence(followed))
        if followed.error and followed.error_kind != Failure.REDIRECTS:
            # The chain broke (timeout, refused, certificate): where it ends is unknown.
            return finding(
                ctx.fetch_status(followed),
                f"Could not follow http://{host}/ to its end: {followed.error}.",
            )
        if followed.error or urlsplit(followed.final_url).scheme != "https":
            where = followed.final_url if not followed.error else followed.error
            return finding(
                Status.FAIL,
                f"http://{host}/ does not end up on https:// (it goes to {where[:150]}).",
                Severity.MEDIUM,
            )
        return finding(Status.PASS, f"http://{host}/ redirects to {followed.final_url[:150]}.")

    @staticmethod
    def _hsts(ctx: CheckContext, secure: FetchResult, url: str, evidence: Evidence) -> Finding:
        header = secure.headers.get("strict-transport-security")
        policy = parse_hsts(header)

        def finding(status: Status, message: str, severity: Severity | None = None) -> Finding:
            return ctx.finding(
                status,
                message,
                severity=severity,
                location=url,
                subject="hsts",
                evidence=[evidence],
                actions=[ACTION_HSTS] if status.is_problem else [],
            )

        if policy is None:
            return finding(
                Status.WARN,
                "The site does not send HSTS, so a visitor's first visit can be downgraded to "
                "unencrypted http://.",
                Severity.MEDIUM,
            )
        if policy.max_age is None:
            return finding(
                Status.WARN, f"The HSTS header is invalid: {policy.problem}.", Severity.MEDIUM
            )
        notes = []
        if policy.include_subdomains:
            notes.append("includeSubDomains")
        if policy.preload:
            notes.append("preload")
        noted = f" ({', '.join(notes)})" if notes else ""
        if policy.max_age < HSTS_MIN_AGE:
            return finding(
                Status.WARN,
                f"HSTS is set for only {policy.max_age} seconds{noted}; use at least six months "
                f"({HSTS_MIN_AGE}).",
                Severity.LOW,
            )
        return finding(Status.PASS, f"HSTS is set for {policy.max_age} seconds{noted}.")
