"""CAA (RFC 8659): which certificate authorities may issue certificates for the domain, and
for its www. name, which may have CAA of its own (CAA is per name: the domain's records do
not speak for a www. name that has its own). The reading is in
auditor/standards/domain/caa_policy.py."""

from __future__ import annotations

from urllib.parse import urlsplit

from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Evidence, Finding, Severity, Status
from auditor.net.dns import DnsAnswer
from auditor.standards.domain.caa_policy import (
    KNOWN_TAGS,
    CaaPolicy,
    CaaRecord,
    climb,
    evaluate,
    record_problem,
)
from auditor.vocabulary import Category, TargetKind

ACTION_ADD = "domain.caa-add"
ACTION_FIX = "domain.caa-fix"
MAX_EXTRA_NAMES = 4


def records_of(answer: DnsAnswer) -> list[CaaRecord]:
    records = []
    for rdata in answer.rdata:
        tag = bytes(rdata.tag).decode("ascii", errors="replace")  # type: ignore[attr-defined]
        value = bytes(rdata.value).decode("utf-8", errors="replace")  # type: ignore[attr-defined]
        records.append(CaaRecord(int(rdata.flags), tag, value))  # type: ignore[attr-defined]
    return records


class CaaCheck(Check):
    meta = CheckMeta(
        id="domain.caa",
        title="Certificate authority authorisation (CAA)",
        category=Category.DOMAIN,
        target=TargetKind.DOMAIN,
        severity=Severity.LOW,
        guidance="https://www.rfc-editor.org/rfc/rfc8659",
        description="Finds the CAA records that apply to the domain and its www. name (their "
        "own, or the closest parent's up to the TLD), says which certificate authorities may "
        "issue, and checks the syntax.",
        timeout=20.0,
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        domain = ctx.target
        relevant, seen = await self._relevant(ctx, domain)
        if relevant is not None and relevant.could_not_check:
            return [self._could_not_check(ctx, domain, relevant)]
        findings = self._judge(ctx, domain, relevant, seen)
        for name in self._own_names(ctx, domain):
            own = await ctx.services.dns.query(name, "CAA")
            if own.could_not_check:
                findings.append(self._could_not_check(ctx, name, own))
            elif own.ok:
                # Its own records (or a CNAME's) are its Relevant RRset, not the domain's.
                findings.extend(self._judge(ctx, name, own, [own], subject=name))
        return findings

    @staticmethod
    async def _relevant(ctx: CheckContext, name: str) -> tuple[DnsAnswer | None, list[DnsAnswer]]:
        """The Relevant RRset's answer (or the failed lookup), and every answer seen."""
        seen: list[DnsAnswer] = []
        for step in climb(name):
            answer = await ctx.services.dns.query(step, "CAA")
            seen.append(answer)
            if answer.could_not_check or answer.ok:
                return answer, seen
        return None, seen

    @staticmethod
    def _own_names(ctx: CheckContext, domain: str) -> list[str]:
        """www.<domain> and the profile's website hosts under the domain."""
        names = [f"www.{domain}"]
        for site in ctx.profile.websites:
            host = (urlsplit(site if "://" in site else f"https://{site}").hostname or "").lower()
            if host.endswith(f".{domain}") and host not in names:
                names.append(host)
        return names[:MAX_EXTRA_NAMES]

    def _could_not_check(self, ctx: CheckContext, name: str, answer: DnsAnswer) -> Finding:
        return ctx.finding(
            ctx.dns_status(answer),
            f"Could not look up the CAA records of {name}: {answer.describe()}.",
            location=f"{answer.name} CAA",
            subject=name if name != ctx.target else "",
            evidence=[_evidence(answer, ctx.now_iso())],
        )

    def _judge(
        self,
        ctx: CheckContext,
        name: str,
        relevant: DnsAnswer | None,
        seen: list[DnsAnswer],
        subject: str = "",
    ) -> list[Finding]:
        stamp = ctx.now_iso()
        if relevant is None:
            return [
                ctx.finding(
                    Status.WARN,
                    f"{name} has no CAA record, so any certificate authority may issue "
                    "certificates for it.",
                    severity=Severity.LOW,
                    location=f"{name} CAA",
                    subject=subject,
                    evidence=[_evidence(a, stamp) for a in seen],
                    actions=[ACTION_ADD],
                )
            ]
        evidence = [_evidence(relevant, stamp)]
        where = f"{relevant.name} CAA"
        records = records_of(relevant)
        policy = evaluate(records)
        findings: list[Finding] = []
        for record in records:
            problem = record_problem(record)
            if problem and not (record.critical and record.kind not in KNOWN_TAGS):
                findings.append(
                    ctx.finding(
                        Status.WARN,
                        f"A CAA record for {name} is malformed: {problem}.",
                        severity=Severity.LOW,
                        location=where,
                        subject=f"{subject} {record.tag} {record.value}".strip()[:120],
                        evidence=evidence,
                        actions=[ACTION_FIX],
                    )
                )
        inherited = f" (inherited from {relevant.name})" if relevant.name != name else ""
        status, severity, message = _verdict(name, inherited, policy)
        findings.insert(
            0,
            ctx.finding(
                status,
                message,
                severity=severity,
                location=where,
                subject=subject,
                evidence=evidence,
                actions=[ACTION_FIX] if status.is_problem else [],
            ),
        )
        return findings


def _verdict(name: str, inherited: str, policy: CaaPolicy) -> tuple[Status, Severity | None, str]:
    if policy.blocked_by:
        tags = ", ".join(repr(t) for t in policy.blocked_by)
        return (
            Status.FAIL,
            Severity.MEDIUM,
            f"No certificate authority may issue certificates for {name}{inherited}: the CAA "
            f"tag {tags} is unknown and marked critical (flag 128), and a CA must then refuse "
            "whatever else the records say (RFC 8659 4.1). Certificate renewals will fail "
            "until that record is removed or its flag set to 0.",
        )
    if policy.issuers is None:
        why = (
            "only issuewild ones, which cover wildcard certificates alone (RFC 8659 4.3)"
            if policy.issuewild_only
            else "none says which certificate authority may issue"
        )
        return (
            Status.WARN,
            Severity.LOW,
            f"{name} has CAA records{inherited} but {why}, so any may issue an ordinary "
            "certificate for it.",
        )
    if not policy.issuers and policy.malformed_issue:
        return (
            Status.WARN,
            Severity.MEDIUM,
            f"No certificate authority may issue certificates for {name}{inherited}: its issue "
            f"record {policy.malformed_issue[0][:80]!r} is malformed, and a CA reads a malformed "
            "issue record as allowing nobody (RFC 8659 4.2). Certificate renewals will fail.",
        )
    allowed = ", ".join(policy.issuers[:6]) if policy.issuers else ""
    message = (
        f"Only {allowed} may issue certificates for {name}{inherited}"
        if allowed
        else f'Nobody may issue certificates for {name}{inherited} (issue ";")'
    )
    if policy.malformed_issue:
        message += f"; the malformed record {policy.malformed_issue[0][:60]!r} allows no CA"
    if policy.wildcard_issuers != policy.issuers:
        wild = ", ".join((policy.wildcard_issuers or ())[:4]) or "nobody"
        message += f"; wildcards: {wild}"
    if policy.iodef:
        message += f"; problems are reported to {policy.iodef[0][:80]}"
    return Status.PASS, None, message + "."


def _evidence(answer: DnsAnswer, stamp: str) -> Evidence:
    return Evidence(
        source="dns",
        location=f"{answer.name} CAA",
        snippet="\n".join(answer.records)[:2000] or answer.describe(),
        fetched_at=stamp,
    )
