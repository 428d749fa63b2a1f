"""SPF (RFC 7208): which servers may send email as the campaign domain.

The check reads the domain's SPF record and walks its include/redirect tree without a
client address, as a receiver would have to (the walk is auditor/standards/email/spf_policy.py): it
counts the terms that cost a DNS lookup (the limit is 10 across the whole tree), the
lookups that find nothing (limit 2), MX sets over 10 names, include targets without a
record and loops. Then it judges how the record ends (``-all`` good, ``~all``
acceptable, ``?all``/``+all``/nothing a fail). DNS failures anywhere are "could not
check", never a fail.
"""

from __future__ import annotations

from typing import Any

from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Evidence, Finding, Severity, Status
from auditor.standards.email.spf_eval import MAX_DNS_TERMS, MAX_VOID_LOOKUPS
from auditor.standards.email.spf_policy import (
    MAX_NODES,
    SpfNode,
    SpfPolicy,
    has_loop,
    inspect_policy,
    redirect_chain,
)
from auditor.standards.email.spf_record import SpfSyntaxError, parse_record

MAX_RECORD_BYTES = 450  # RFC 7208 §3.4: keep answers within one UDP datagram

A_PUBLISH = "email.spf-publish"
A_SYNTAX = "email.spf-fix-syntax"
A_ONE_RECORD = "email.spf-single-record"
A_LOOKUPS = "email.spf-reduce-lookups"
A_TARGETS = "email.spf-fix-targets"
A_HARDFAIL = "email.spf-end-with-fail"
A_SOFTFAIL = "email.spf-review-softfail"
A_PTR = "email.spf-remove-ptr"
A_SHORTEN = "email.spf-shorten"


class SpfCheck(Check):
    meta = CheckMeta(
        id="email.spf",
        title="SPF: who may send email as the domain",
        category="email",
        target="domain",
        severity=Severity.HIGH,
        guidance="https://www.ncsc.gov.uk/collection/email-security-and-anti-spoofing",
        description="Reads the domain's SPF record and its include/redirect tree: one valid "
        "record, at most 10 DNS lookups and 2 void lookups, no broken includes, and an "
        "ending of -all (or ~all) rather than ?all, +all or nothing.",
        timeout=30.0,
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        domain = ctx.target
        policy = await inspect_policy(ctx.services.dns, domain)
        root = policy.root
        fetched_at = ctx.services.clock().isoformat(timespec="seconds")
        location = f"{domain} TXT"

        def evidence(snippet: str, **detail: Any) -> Evidence:
            return Evidence("dns", location, snippet[:4000], fetched_at, detail=detail)

        def finding(status: Status, message: str, subject: str, **kw: Any) -> Finding:
            return ctx.finding(status, message, location=location, subject=subject, **kw)

        answer = root.answer
        records = "\n".join(answer.records) if answer else ""
        if root.kind == "dns":
            return [
                finding(
                    Status.ERROR,
                    f"Could not look up the SPF record of {domain}: {root.problem}.",
                    "record",
                    evidence=[evidence(root.problem)],
                )
            ]
        if root.kind == "none":
            return [
                finding(
                    Status.FAIL,
                    f"{domain} has no SPF record, so anyone can send email that claims to "
                    "come from it.",
                    "record",
                    evidence=[evidence(records or root.problem)],
                    actions=[A_PUBLISH],
                )
            ]
        if root.kind == "multiple":
            return [
                finding(
                    Status.FAIL,
                    f"{domain} has more than one SPF record, which makes every receiver's "
                    "SPF check end in an error (permerror).",
                    "record",
                    evidence=[evidence(records)],
                    actions=[A_ONE_RECORD],
                )
            ]
        if root.kind == "syntax":
            hint = _split_hint(root)
            return [
                finding(
                    Status.FAIL,
                    "The SPF record has a mistake in it, so receivers treat it as an error "
                    f"(permerror) and ignore it{hint}.",
                    "record",
                    evidence=[evidence(root.text, error=root.problem)],
                    actions=[A_SYNTAX],
                )
            ]
        return _record_findings(policy, domain, finding, evidence)


def _split_hint(node: SpfNode) -> str:
    if len(node.strings) < 2:
        return ""
    joined = " ".join(s.decode("utf-8", "replace") for s in node.strings)
    try:
        parse_record(joined)
    except SpfSyntaxError:
        return ""
    return (
        "; it is split into several strings that are joined without spaces, and a space "
        "is missing where they meet"
    )


def _record_findings(policy: SpfPolicy, domain: str, finding: Any, evidence: Any) -> list[Finding]:
    root = policy.root
    record = root.record
    assert record is not None
    out: list[Finding] = []
    tree = policy.tree_text()
    own = [root, *redirect_chain(root)]

    ending = policy.all_qualifier()
    if ending == "-":
        out.append(
            finding(
                Status.PASS,
                "The SPF record tells receivers to reject mail from servers it does not list.",
                "all",
                evidence=[evidence(root.text)],
            )
        )
    elif ending == "~":
        out.append(
            finding(
                Status.WARN,
                "The SPF record ends in ~all (softfail): mail from unlisted servers is only "
                "marked as suspicious, which is fine when DMARC is set to quarantine or reject.",
                "all",
                severity=Severity.MEDIUM,
                evidence=[evidence(root.text)],
                actions=[A_SOFTFAIL],
            )
        )
    elif ending is not None:
        message = {
            "+": "The SPF record ends in +all, which lets every server in the world send "
            "email as the domain.",
            "?": "The SPF record ends in ?all (neutral), which tells receivers nothing about "
            "mail from servers it does not list.",
            "": "The SPF record has no 'all' at the end, so mail from servers it does not "
            "list gets a neutral result instead of a fail.",
        }[ending]
        out.append(
            finding(
                Status.FAIL,
                message,
                "all",
                severity=Severity.CRITICAL if ending == "+" else Severity.HIGH,
                evidence=[evidence(root.text)],
                actions=[A_HARDFAIL],
            )
        )

    lookups = policy.lookups
    if lookups > MAX_DNS_TERMS:
        # A walk cut at its node cap counted only the records it read: say so, and say
        # "at least", since the records not read need lookups of their own.
        counted = (
            f"at least {lookups} DNS lookups (the walk stopped after {MAX_NODES} records, "
            "so the rest were not counted)"
            if policy.truncated
            else f"{lookups} DNS lookups"
        )
        out.append(
            finding(
                Status.FAIL,
                f"The SPF record needs {counted}, more than the limit of "
                f"{MAX_DNS_TERMS}, so receivers treat it as an error (permerror).",
                "lookups",
                evidence=[evidence(tree, lookups=lookups, includes=policy.includes)],
                actions=[A_LOOKUPS],
            )
        )
    elif not policy.dns_errors and not policy.truncated and not has_loop(policy):
        out.append(
            finding(
                Status.PASS,
                f"The SPF record needs {lookups} of the {MAX_DNS_TERMS} DNS lookups allowed.",
                "lookups",
                evidence=[evidence(tree, lookups=lookups, includes=policy.includes)],
            )
        )

    broken = [n for n in policy.nodes if n.kind in ("none", "multiple", "syntax", "loop")]
    if broken:
        first = broken[0]
        out.append(
            finding(
                Status.FAIL,
                f"The SPF record points at {first.via}, which {_broken_reason(first)}, so "
                "receivers' SPF checks end in an error (permerror).",
                "targets",
                evidence=[evidence(tree, broken=[f"{n.via}: {n.problem}" for n in broken])],
                actions=[A_TARGETS],
            )
        )
    if len(policy.voids) > MAX_VOID_LOOKUPS:
        out.append(
            finding(
                Status.FAIL,
                f"The SPF record looks up {len(policy.voids)} names that do not exist, more "
                f"than the limit of {MAX_VOID_LOOKUPS}, so receivers may treat it as an error.",
                "void",
                evidence=[evidence("\n".join(policy.voids), void_lookups=policy.voids)],
                actions=[A_TARGETS],
            )
        )
    elif policy.voids:
        out.append(
            finding(
                Status.WARN,
                f"The SPF record mentions a name that does not exist ({policy.voids[0]}).",
                "void",
                severity=Severity.LOW,
                evidence=[evidence("\n".join(policy.voids), void_lookups=policy.voids)],
                actions=[A_TARGETS],
            )
        )
    if policy.mx_over_limit:
        out.append(
            finding(
                Status.FAIL,
                "The SPF record uses 'mx' on a domain with more than 10 mail servers, which "
                "receivers treat as an error (permerror).",
                "mx-limit",
                evidence=[evidence("\n".join(policy.mx_over_limit))],
                actions=[A_LOOKUPS],
            )
        )
    if any(m.name == "ptr" for n in own if n.record for m in n.record.mechanisms):
        out.append(
            finding(
                Status.WARN,
                "The SPF record uses 'ptr', which is slow, unreliable and deprecated; some "
                "receivers ignore it.",
                "ptr",
                severity=Severity.LOW,
                evidence=[evidence(root.text)],
                actions=[A_PTR],
            )
        )
    size = len(root.text.encode("utf-8"))
    if size > MAX_RECORD_BYTES:
        out.append(
            finding(
                Status.WARN,
                f"The SPF record is {size} bytes long; over {MAX_RECORD_BYTES} bytes some "
                "receivers cannot fetch it reliably.",
                "size",
                severity=Severity.LOW,
                evidence=[evidence(root.text, bytes=size)],
                actions=[A_SHORTEN],
            )
        )
    if record.has_macros or policy.dynamic:
        out.append(
            finding(
                Status.PASS,
                "The SPF record uses macros, so part of it depends on each message and "
                "could not be checked in advance.",
                "macros",
                severity=Severity.INFO,
                evidence=[evidence("\n".join(policy.dynamic) or root.text)],
            )
        )
    if root.strings:
        pieces = [s.decode("utf-8", "replace") for s in root.strings]
        out.append(
            finding(
                Status.PASS,
                f"The SPF record is split into {len(pieces)} strings, which receivers join "
                "without adding spaces.",
                "split",
                severity=Severity.INFO,
                evidence=[evidence(" | ".join(pieces), strings=pieces)],
            )
        )
    if policy.dns_errors or policy.truncated:
        cause = (
            policy.dns_errors[0]
            if policy.dns_errors
            else f"the include tree is too large (the walk stopped after {MAX_NODES} records)"
        )
        out.append(
            finding(
                Status.ERROR,
                f"Could not check every part of the SPF record: {cause}.",
                "lookups",
                evidence=[evidence(tree, errors=policy.dns_errors)],
            )
        )
    return out


def _broken_reason(node: SpfNode) -> str:
    return {
        "none": "has no SPF record",
        "multiple": "has more than one SPF record",
        "syntax": "has a mistake in its SPF record",
        "loop": "leads back to itself in a loop",
    }[node.kind]
