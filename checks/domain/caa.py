"""CAA (RFC 8659): which certificate authorities may issue certificates for the domain."""

from __future__ import annotations

import re
from dataclasses import dataclass

from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Evidence, Finding, Severity, Status
from auditor.net.dns import DnsAnswer
from auditor.net.domains import public_suffix

ACTION_ADD = "domain.caa-add"
ACTION_FIX = "domain.caa-fix"
KNOWN_TAGS = ("issue", "issuewild", "iodef", "issuemail", "contactemail", "contactphone")
_TAG = re.compile(r"[A-Za-z0-9]{1,15}")
_DOMAIN = re.compile(
    r"(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9-]{2,63}"
)
_PARAM = re.compile(r"[A-Za-z0-9]{1,63}=[\x21-\x3a\x3c-\x7e]*")
MAX_VALUE = 1024


@dataclass(frozen=True)
class CaaRecord:
    flags: int
    tag: str
    value: str

    @property
    def critical(self) -> bool:
        return bool(self.flags & 128)


def issuer_of(value: str) -> tuple[str, str]:
    """(issuer domain or "" for "nobody", a syntax problem or "") of an issue/issuewild value."""
    if len(value) > MAX_VALUE:
        return "", "the value is too long"
    issuer, _sep, params = value.partition(";")
    issuer = issuer.strip().lower()
    if issuer and not _DOMAIN.fullmatch(issuer):
        return issuer[:80], f"{issuer[:80]!r} is not a CA domain name"
    for param in (p.strip() for p in params.split(";")):
        if param and not _PARAM.fullmatch(param):
            return issuer, f"the parameter {param[:60]!r} is not key=value"
    return issuer, ""


def record_problem(record: CaaRecord) -> str:
    """Why a CAA record is malformed, or ""."""
    if not _TAG.fullmatch(record.tag):
        return f"the tag {record.tag[:40]!r} is not valid"
    tag = record.tag.lower()
    if tag in ("issue", "issuewild"):
        return issuer_of(record.value)[1]
    if tag == "iodef":
        scheme = record.value.split(":", 1)[0].lower()
        if scheme not in ("mailto", "http", "https") or len(record.value) > MAX_VALUE:
            return f"the iodef {record.value[:80]!r} is not a mailto: or http(s): URL"
        return ""
    if tag not in KNOWN_TAGS and record.critical:
        return f"the unknown tag {tag!r} is marked critical, so no CA will issue certificates"
    return ""


def records_of(answer: DnsAnswer) -> list[CaaRecord]:
    if answer.rrset is None:
        return []
    records = []
    for rdata in answer.rrset:
        tag = bytes(rdata.tag).decode("ascii", errors="replace")  # type: ignore[attr-defined]
        value = bytes(rdata.value).decode("utf-8", errors="replace")  # type: ignore[attr-defined]
        records.append(CaaRecord(int(rdata.flags), tag, value))  # type: ignore[attr-defined]
    return records


def climb(domain: str) -> list[str]:
    """The domain and its parents down to (not including) the public suffix (RFC 8659 §3)."""
    suffix = public_suffix(domain)
    names: list[str] = []
    labels = domain.rstrip(".").lower().split(".")
    for i in range(len(labels)):
        name = ".".join(labels[i:])
        if name == suffix or len(names) >= 10:
            break
        names.append(name)
    return names


class CaaCheck(Check):
    meta = CheckMeta(
        id="domain.caa",
        title="Certificate authority authorisation (CAA)",
        category="domain",
        target="domain",
        severity=Severity.LOW,
        guidance="https://www.rfc-editor.org/rfc/rfc8659",
        description="Finds the CAA records that apply to the domain (its own, or the closest "
        "parent's), lists the certificate authorities allowed to issue, and checks the syntax.",
        timeout=20.0,
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        domain = ctx.target
        stamp = ctx.services.clock().isoformat(timespec="seconds")
        seen: list[DnsAnswer] = []
        relevant: DnsAnswer | None = None
        for name in climb(domain):
            answer = await ctx.services.dns.query(name, "CAA")
            seen.append(answer)
            if answer.could_not_check:
                return [
                    ctx.finding(
                        Status.ERROR,
                        f"Could not look up the CAA records of {domain}: {answer.describe()}.",
                        location=f"{name} CAA",
                        evidence=[_evidence(answer, stamp)],
                    )
                ]
            if answer.ok:
                relevant = answer
                break
        if relevant is None:
            return [
                ctx.finding(
                    Status.WARN,
                    f"{domain} has no CAA record, so any certificate authority may issue "
                    "certificates for it.",
                    severity=Severity.LOW,
                    location=f"{domain} CAA",
                    evidence=[_evidence(a, stamp) for a in seen],
                    actions=[ACTION_ADD],
                )
            ]
        evidence = [_evidence(relevant, stamp)]
        where = f"{relevant.name} CAA"
        records = records_of(relevant)
        findings: list[Finding] = []
        for record in records:
            problem = record_problem(record)
            if problem:
                findings.append(
                    ctx.finding(
                        Status.WARN,
                        f"A CAA record for {domain} is malformed: {problem}.",
                        severity=Severity.LOW,
                        location=where,
                        subject=f"{record.tag} {record.value}"[:120],
                        evidence=evidence,
                        actions=[ACTION_FIX],
                    )
                )
        issue = [issuer_of(r.value)[0] for r in records if r.tag.lower() == "issue"]
        wild = [issuer_of(r.value)[0] for r in records if r.tag.lower() == "issuewild"]
        iodef = [r.value for r in records if r.tag.lower() == "iodef"]
        inherited = f" (inherited from {relevant.name})" if relevant.name != domain else ""
        if not issue and not wild:
            message = (
                f"{domain} has CAA records{inherited} but none says which certificate "
                "authority may issue, so any may."
            )
            findings.append(
                ctx.finding(
                    Status.WARN,
                    message,
                    severity=Severity.LOW,
                    location=where,
                    evidence=evidence,
                    actions=[ACTION_FIX],
                )
            )
            return findings
        allowed = sorted({i for i in issue if i}) or ["nobody"]
        message = f"Only {', '.join(allowed[:6])} may issue certificates for {domain}{inherited}"
        if wild:
            message += f"; wildcards: {', '.join(sorted({w or 'nobody' for w in wild})[:4])}"
        if iodef:
            message += f"; problems are reported to {iodef[0][:80]}"
        findings.insert(
            0, ctx.finding(Status.PASS, message + ".", location=where, evidence=evidence)
        )
        return findings


def _evidence(answer: DnsAnswer, stamp: str) -> Evidence:
    return Evidence(
        source="dns",
        location=f"{answer.name} CAA",
        snippet="\n".join(answer.records)[:2000] or answer.describe(),
        fetched_at=stamp,
    )
