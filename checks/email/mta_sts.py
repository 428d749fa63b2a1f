"""MTA-STS (RFC 8461): tells senders to insist on encrypted, verified delivery to your MX."""

from __future__ import annotations

from auditor.answers import mx_evidence
from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Evidence, Finding, Severity, Status
from auditor.net.failures import Failure
from auditor.net.http import FetchResult
from auditor.standards.email.mta_sts_policy import (
    MAX_POLICY_BYTES,
    MIN_ENFORCE_MAX_AGE,
    MtaStsError,
    MtaStsPolicy,
    is_sts_record,
    parse_policy,
    parse_sts_record,
    uncovered_mx,
)
from auditor.vocabulary import Category, TargetKind

ACTION_SETUP = "email.mta-sts-setup"
ACTION_FIX = "email.mta-sts-fix"
ACTION_ENFORCE = "email.mta-sts-enforce"


class MtaStsCheck(Check):
    meta = CheckMeta(
        id="email.mta_sts",
        title="MTA-STS policy (enforced encryption for incoming mail)",
        category=Category.EMAIL,
        target=TargetKind.DOMAIN,
        severity=Severity.MEDIUM,
        guidance="https://www.rfc-editor.org/rfc/rfc8461",
        description="Reads the _mta-sts TXT record, fetches the policy from "
        "https://mta-sts.<domain>/.well-known/mta-sts.txt without following redirects, and "
        "checks its mode, max_age and that every MX host is covered.",
        timeout=45.0,
        requires=("email.mx",),  # the MX hosts the policy must cover, read once
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        domain = ctx.target
        stamp = ctx.services.clock().isoformat(timespec="seconds")
        txt_name = f"_mta-sts.{domain}"
        answer = await ctx.services.dns.txt(txt_name)
        txt_evidence = Evidence(
            source="dns",
            location=f"{txt_name} TXT",
            snippet="\n".join(answer.records)[:2000] or answer.describe(),
            fetched_at=stamp,
        )

        def record_finding(status: Status, message: str, *actions: str) -> Finding:
            return ctx.finding(
                status,
                message,
                location=f"{txt_name} TXT",
                subject="record",
                evidence=[txt_evidence],
                actions=actions,
                severity=Severity.LOW if status is Status.WARN else None,
            )

        if answer.could_not_check:
            return [
                record_finding(
                    Status.ERROR,
                    f"Could not look up the MTA-STS record of {domain}: {answer.describe()}.",
                )
            ]
        records = [r for r in answer.records if is_sts_record(r)]
        if not records:
            return [
                record_finding(
                    Status.WARN,
                    f"{domain} has no MTA-STS policy, so senders may deliver its mail without "
                    "encryption when an attacker interferes.",
                    ACTION_SETUP,
                )
            ]
        if len(records) > 1:
            return [
                record_finding(
                    Status.FAIL,
                    f"{domain} has {len(records)} MTA-STS records; senders ignore MTA-STS "
                    "unless there is exactly one.",
                    ACTION_FIX,
                )
            ]
        try:
            parse_sts_record(records[0])  # a record that does not parse is judged below
        except MtaStsError as exc:
            return [
                record_finding(
                    Status.FAIL, f"The MTA-STS record of {domain} is not valid: {exc}.", ACTION_FIX
                )
            ]
        findings = [record_finding(Status.PASS, f"{domain} publishes an MTA-STS record.")]
        url = f"https://mta-sts.{domain}/.well-known/mta-sts.txt"
        fetched = await ctx.services.http.fetch(
            url, origin=f"https://{domain}/", follow_redirects=False, max_bytes=MAX_POLICY_BYTES
        )  # judged by the audited domain: mta-sts.DOMAIN's address comes from its DNS
        policy_evidence = _policy_evidence(url, fetched)
        policy_or_finding = self._policy(ctx, fetched, url, policy_evidence)
        if isinstance(policy_or_finding, Finding):
            return [*findings, policy_or_finding]
        policy = policy_or_finding
        findings.append(self._mode(ctx, policy, url, policy_evidence))
        if policy.mode == "enforce" and policy.max_age < MIN_ENFORCE_MAX_AGE:
            findings.append(
                ctx.finding(
                    Status.WARN,
                    f"The MTA-STS policy is remembered for only {policy.max_age} seconds; "
                    "use at least two weeks (1209600) so it protects between visits.",
                    severity=Severity.LOW,
                    location=url,
                    subject="max_age",
                    evidence=[policy_evidence],
                    actions=[ACTION_FIX],
                )
            )
        if policy.problems:
            findings.append(
                ctx.finding(
                    Status.WARN,
                    f"The MTA-STS policy has problems: {'; '.join(policy.problems[:3])}.",
                    severity=Severity.LOW,
                    location=url,
                    subject="syntax",
                    evidence=[policy_evidence],
                    actions=[ACTION_FIX],
                )
            )
        if policy.mode != "none":
            findings.append(await self._coverage(ctx, policy, url, policy_evidence, stamp))
        return findings

    @staticmethod
    def _policy(
        ctx: CheckContext, fetched: FetchResult, url: str, evidence: Evidence
    ) -> MtaStsPolicy | Finding:
        def problem(status: Status, message: str) -> Finding:
            actions = [ACTION_FIX] if status.is_problem else []
            return ctx.finding(
                status,
                message,
                location=url,
                subject="policy",
                evidence=[evidence],
                actions=actions,
            )

        if fetched.error:
            if fetched.error_kind == Failure.TLS:
                return problem(
                    Status.FAIL,
                    "The MTA-STS policy server's certificate is not valid, so senders will not "
                    f"use the policy: {fetched.error}.",
                )
            if fetched.no_address:
                return problem(
                    Status.FAIL,
                    f"The MTA-STS record exists but {url.split('/')[2]} has no address, so "
                    "senders cannot fetch the policy.",
                )
            return problem(
                ctx.fetch_status(fetched), f"Could not fetch the MTA-STS policy: {fetched.error}."
            )
        code = fetched.status_code or 0
        if 300 <= code < 400:
            where = fetched.headers.get("location", "")[:200]
            return problem(
                Status.FAIL,
                f"The MTA-STS policy is behind a redirect (HTTP {code} to {where or 'elsewhere'}); "
                "senders must not follow redirects, so they ignore the policy.",
            )
        if code != 200:
            return problem(Status.FAIL, f"The MTA-STS policy URL answered HTTP {code}, not 200.")
        if fetched.content_type != "text/plain":
            shown = fetched.content_type or "none"
            return problem(
                Status.FAIL,
                f"The MTA-STS policy is served as {shown!r}; it must be text/plain.",
            )
        if fetched.truncated:
            # Never parse the part that was read: a cut policy can look valid (RFC 8461 3.2
            # sets no size, senders cap it, and we do at the same 64 KiB).
            return problem(
                Status.FAIL,
                f"The MTA-STS policy is larger than {MAX_POLICY_BYTES // 1024} KiB, more than "
                "senders accept; it was not read.",
            )
        try:
            return parse_policy(fetched.text())
        except MtaStsError as exc:
            return problem(Status.FAIL, f"The MTA-STS policy is not valid: {exc}.")

    @staticmethod
    def _mode(ctx: CheckContext, policy: MtaStsPolicy, url: str, evidence: Evidence) -> Finding:
        if policy.mode == "enforce":
            return ctx.finding(
                Status.PASS,
                "The MTA-STS policy is enforced: senders must deliver over verified TLS.",
                location=url,
                subject="mode",
                evidence=[evidence],
            )
        meaning = (
            "senders only report problems and still deliver without protection"
            if policy.mode == "testing"
            else "the policy is switched off"
        )
        return ctx.finding(
            Status.WARN,
            f"The MTA-STS policy is in {policy.mode} mode: {meaning}.",
            location=url,
            subject="mode",
            evidence=[evidence],
            actions=[ACTION_ENFORCE],
        )

    @staticmethod
    async def _coverage(
        ctx: CheckContext, policy: MtaStsPolicy, url: str, evidence: Evidence, stamp: str
    ) -> Finding:
        lookup = await ctx.mx_facts()
        if lookup is None:
            return ctx.mx_missing()
        both = [evidence, mx_evidence(lookup.answer, ctx.target, stamp)]
        if lookup.could_not_check:
            return ctx.finding(
                ctx.dns_status(lookup.answer),
                "Could not look up the MX hosts to compare with the MTA-STS policy: "
                f"{lookup.answer.describe()}.",
                location=url,
                subject="mx",
                evidence=both,
            )
        missing = uncovered_mx(policy.mx, lookup.hosts)
        if missing:
            return ctx.finding(
                Status.FAIL,
                f"Mail server {', '.join(missing[:5])} is not listed in the MTA-STS policy, so "
                "senders that enforce it will refuse to deliver there.",
                severity=Severity.HIGH if policy.mode == "enforce" else Severity.MEDIUM,
                location=url,
                subject="mx",
                evidence=both,
                actions=[ACTION_FIX],
            )
        return ctx.finding(
            Status.PASS,
            "Every MX host is covered by the MTA-STS policy.",
            location=url,
            subject="mx",
            evidence=both,
        )


def _policy_evidence(url: str, fetched: FetchResult) -> Evidence:
    return Evidence(
        source="https",
        location=url,
        snippet=fetched.text()[:2000] if fetched.body else fetched.error,
        fetched_at=fetched.fetched_at,
        detail={
            "status": fetched.status_code,
            "content_type": fetched.headers.get("content-type", ""),
            "location": fetched.headers.get("location", ""),
            "error_kind": fetched.error_kind,
        },
    )
