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

from collections.abc import Iterator, Mapping
from typing import Any

from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Evidence, Finding, Severity, Status
from auditor.rules import Rule, RuleTable
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
from auditor.vocabulary import Category, TargetKind

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

# Every finding this check gives. The ids are stable (docs/findings.md lists them).
RULES = RuleTable(
    [
        Rule(
            "SPF001",
            Status.ERROR,
            "record",
            "Could not look up the SPF record of {domain}: {problem}.",
        ),
        Rule(
            "SPF002",
            Status.FAIL,
            "record",
            "{domain} has no SPF record, so anyone can send email that claims to come from it.",
            actions=(A_PUBLISH,),
        ),
        Rule(
            "SPF003",
            Status.FAIL,
            "record",
            "{domain} has more than one SPF record, which makes every receiver's SPF check "
            "end in an error (permerror).",
            actions=(A_ONE_RECORD,),
        ),
        Rule(
            "SPF004",
            Status.FAIL,
            "record",
            "The SPF record has a mistake in it, so receivers treat it as an error "
            "(permerror) and ignore it{hint}.",
            actions=(A_SYNTAX,),
        ),
        Rule(
            "SPF005",
            Status.PASS,
            "all",
            "The SPF record tells receivers to reject mail from servers it does not list.",
        ),
        Rule(
            "SPF006",
            Status.WARN,
            "all",
            "The SPF record ends in ~all (softfail): mail from unlisted servers is only "
            "marked as suspicious, which is fine when DMARC is set to quarantine or reject.",
            severity=Severity.MEDIUM,
            actions=(A_SOFTFAIL,),
        ),
        Rule(
            "SPF007",
            Status.FAIL,
            "all",
            "The SPF record ends in +all, which lets every server in the world send email "
            "as the domain.",
            severity=Severity.CRITICAL,
            actions=(A_HARDFAIL,),
        ),
        Rule(
            "SPF008",
            Status.FAIL,
            "all",
            "The SPF record ends in ?all (neutral), which tells receivers nothing about "
            "mail from servers it does not list.",
            severity=Severity.HIGH,
            actions=(A_HARDFAIL,),
        ),
        Rule(
            "SPF009",
            Status.FAIL,
            "all",
            "The SPF record has no 'all' at the end, so mail from servers it does not list "
            "gets a neutral result instead of a fail.",
            severity=Severity.HIGH,
            actions=(A_HARDFAIL,),
        ),
        Rule(
            "SPF010",
            Status.FAIL,
            "lookups",
            "The SPF record needs {counted}, more than the limit of {limit}, so receivers "
            "treat it as an error (permerror).",
            actions=(A_LOOKUPS,),
            when="counted across the whole include/redirect tree (RFC 7208 4.6.4)",
        ),
        Rule(
            "SPF011",
            Status.PASS,
            "lookups",
            "The SPF record needs {lookups} of the {limit} DNS lookups allowed.",
            when="only when the whole tree was read",
        ),
        Rule(
            "SPF012",
            Status.FAIL,
            "targets",
            "The SPF record points at {via}, which {reason}, so receivers' SPF checks end "
            "in an error (permerror).",
            actions=(A_TARGETS,),
        ),
        Rule(
            "SPF013",
            Status.FAIL,
            "void",
            "The SPF record looks up {count} names that do not exist, more than the limit "
            "of {limit}, so receivers may treat it as an error.",
            actions=(A_TARGETS,),
        ),
        Rule(
            "SPF014",
            Status.WARN,
            "void",
            "The SPF record mentions a name that does not exist ({name}).",
            severity=Severity.LOW,
            actions=(A_TARGETS,),
        ),
        Rule(
            "SPF015",
            Status.FAIL,
            "mx-limit",
            "The SPF record uses 'mx' on a domain with more than 10 mail servers, which "
            "receivers treat as an error (permerror).",
            actions=(A_LOOKUPS,),
        ),
        Rule(
            "SPF016",
            Status.WARN,
            "ptr",
            "The SPF record uses 'ptr', which is slow, unreliable and deprecated; some "
            "receivers ignore it.",
            severity=Severity.LOW,
            actions=(A_PTR,),
        ),
        Rule(
            "SPF017",
            Status.WARN,
            "size",
            "The SPF record is {size} bytes long; over {limit} bytes some receivers cannot "
            "fetch it reliably.",
            severity=Severity.LOW,
            actions=(A_SHORTEN,),
        ),
        Rule(
            "SPF018",
            Status.PASS,
            "macros",
            "The SPF record uses macros, so part of it depends on each message and could "
            "not be checked in advance.",
            severity=Severity.INFO,
        ),
        Rule(
            "SPF019",
            Status.PASS,
            "split",
            "The SPF record is split into {count} strings, which receivers join without "
            "adding spaces.",
            severity=Severity.INFO,
        ),
        Rule(
            "SPF020",
            Status.ERROR,
            "lookups",
            "Could not check every part of the SPF record: {cause}.",
            when="a DNS failure in the tree, or a tree too large to walk",
        ),
    ]
)
_ENDINGS = {"-": "SPF005", "~": "SPF006", "+": "SPF007", "?": "SPF008", "": "SPF009"}
_BROKEN_REASONS = {
    "none": "has no SPF record",
    "multiple": "has more than one SPF record",
    "syntax": "has a mistake in its SPF record",
    "loop": "leads back to itself in a loop",
}


class SpfCheck(Check):
    meta = CheckMeta(
        id="email.spf",
        title="SPF: who may send email as the domain",
        category=Category.EMAIL,
        target=TargetKind.DOMAIN,
        severity=Severity.HIGH,
        guidance="https://www.ncsc.gov.uk/collection/email-security-and-anti-spoofing",
        description="Reads the domain's SPF record and its include/redirect tree: one valid "
        "record, at most 10 DNS lookups and 2 void lookups, no broken includes, and an "
        "ending of -all (or ~all) rather than ?all, +all or nothing.",
        timeout=30.0,
    )
    rules = RULES

    async def run(self, ctx: CheckContext) -> list[Finding]:
        domain = ctx.target
        policy = await inspect_policy(ctx.services.dns, domain)
        root = policy.root
        fetched_at = ctx.services.clock().isoformat(timespec="seconds")
        location = f"{domain} TXT"

        def evidence(snippet: str, **detail: Any) -> Evidence:
            return Evidence("dns", location, snippet[:4000], fetched_at, detail=detail)

        answer = root.answer
        records = "\n".join(answer.records) if answer else ""
        if root.kind == "dns":
            return [
                _found(ctx, "SPF001", evidence(root.problem), domain=domain, problem=root.problem)
            ]
        if root.kind == "none":
            return [_found(ctx, "SPF002", evidence(records or root.problem), domain=domain)]
        if root.kind == "multiple":
            return [_found(ctx, "SPF003", evidence(records), domain=domain)]
        if root.kind == "syntax":
            return [
                _found(
                    ctx, "SPF004", evidence(root.text, error=root.problem), hint=_split_hint(root)
                )
            ]
        return [
            _found(ctx, rule_id, evidence(snippet, **detail), **facts)
            for rule_id, snippet, detail, facts in _judge(policy)
        ]


def _found(ctx: CheckContext, rule_id: str, evidence: Evidence, **facts: object) -> Finding:
    return ctx.by_rule(RULES[rule_id], facts, location=f"{ctx.target} TXT", evidence=[evidence])


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


Judgement = tuple[str, str, dict[str, Any], Mapping[str, object]]


def _judge(policy: SpfPolicy) -> Iterator[Judgement]:
    """Which rules apply to a record that was read: (rule id, evidence snippet, evidence
    detail, the facts its message names), in the order the report shows them."""
    root = policy.root
    record = root.record
    assert record is not None
    tree = policy.tree_text()
    own = [root, *redirect_chain(root)]

    ending = policy.all_qualifier()
    if ending is not None:
        yield _ENDINGS[ending], root.text, {}, {}

    lookups = policy.lookups
    lookup_detail: dict[str, Any] = {"lookups": lookups, "includes": policy.includes}
    if lookups > MAX_DNS_TERMS:
        # A walk cut at its node cap counted only the records it read: say so, and say
        # "at least", since the records not read need lookups of their own.
        counted = (
            f"at least {lookups} DNS lookups (the walk stopped after {MAX_NODES} records, "
            "so the rest were not counted)"
            if policy.truncated
            else f"{lookups} DNS lookups"
        )
        yield "SPF010", tree, lookup_detail, {"counted": counted, "limit": MAX_DNS_TERMS}
    elif not policy.dns_errors and not policy.truncated and not has_loop(policy):
        yield "SPF011", tree, lookup_detail, {"lookups": lookups, "limit": MAX_DNS_TERMS}

    broken = [n for n in policy.nodes if n.kind in _BROKEN_REASONS]
    if broken:
        first = broken[0]
        detail = {"broken": [f"{n.via}: {n.problem}" for n in broken]}
        yield "SPF012", tree, detail, {"via": first.via, "reason": _BROKEN_REASONS[first.kind]}
    voids = "\n".join(policy.voids)
    if len(policy.voids) > MAX_VOID_LOOKUPS:
        facts = {"count": len(policy.voids), "limit": MAX_VOID_LOOKUPS}
        yield "SPF013", voids, {"void_lookups": policy.voids}, facts
    elif policy.voids:
        yield "SPF014", voids, {"void_lookups": policy.voids}, {"name": policy.voids[0]}
    if policy.mx_over_limit:
        yield "SPF015", "\n".join(policy.mx_over_limit), {}, {}
    if any(m.name == "ptr" for n in own if n.record for m in n.record.mechanisms):
        yield "SPF016", root.text, {}, {}
    size = len(root.text.encode("utf-8"))
    if size > MAX_RECORD_BYTES:
        yield "SPF017", root.text, {"bytes": size}, {"size": size, "limit": MAX_RECORD_BYTES}
    if record.has_macros or policy.dynamic:
        yield "SPF018", "\n".join(policy.dynamic) or root.text, {}, {}
    if root.strings:
        pieces = [s.decode("utf-8", "replace") for s in root.strings]
        yield "SPF019", " | ".join(pieces), {"strings": pieces}, {"count": len(pieces)}
    if policy.dns_errors or policy.truncated:
        cause = (
            policy.dns_errors[0]
            if policy.dns_errors
            else f"the include tree is too large (the walk stopped after {MAX_NODES} records)"
        )
        yield "SPF020", tree, {"errors": policy.dns_errors}, {"cause": cause}
