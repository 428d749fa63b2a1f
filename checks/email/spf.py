"""SPF (RFC 7208): which servers may send email as the campaign domain.

The check reads the domain's SPF record and walks its include/redirect tree without a
client address, as a receiver would have to: it counts the terms that cost a DNS lookup
(the limit is 10 across the whole tree), the lookups that find nothing (limit 2), MX
sets over 10 names, include targets without a record and loops. Then it judges how the
record ends (``-all`` good, ``~all`` acceptable, ``?all``/``+all``/nothing a fail).
DNS failures anywhere are "could not check", never a fail. Facts for other checks go to
``ctx.publish("spf", {...})``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Evidence, Finding, Severity, Status
from auditor.net.dns import DnsAnswer, DnsClient
from checks.email.spf_eval import MAX_DNS_TERMS, MAX_MX_NAMES, MAX_VOID_LOOKUPS, query_name
from checks.email.spf_record import SpfRecord, SpfSyntaxError, is_spf_record, parse_record

MAX_RECORD_BYTES = 450  # RFC 7208 §3.4: keep answers within one UDP datagram
MAX_NODES = 60  # records fetched for one tree at most (bounds work on hostile trees)
MAX_NAME_CHECKS = 50  # a:/mx:/exists: targets checked for void lookups at most

A_PUBLISH = "email.spf-publish"
A_SYNTAX = "email.spf-fix-syntax"
A_ONE_RECORD = "email.spf-single-record"
A_LOOKUPS = "email.spf-reduce-lookups"
A_TARGETS = "email.spf-fix-targets"
A_HARDFAIL = "email.spf-end-with-fail"
A_SOFTFAIL = "email.spf-review-softfail"
A_PTR = "email.spf-remove-ptr"
A_SHORTEN = "email.spf-shorten"


@dataclass
class SpfNode:
    """One record in the include/redirect tree."""

    domain: str
    via: str  # "" for the domain itself, else "include:x" or "redirect=x"
    answer: DnsAnswer | None = None
    text: str = ""
    record: SpfRecord | None = None
    strings: tuple[bytes, ...] = ()  # the TXT strings of the record, when split
    problem: str = ""  # why the node is unusable ("" when fine)
    kind: str = ""  # "", "dns", "none", "multiple", "syntax", "loop"
    children: list[SpfNode] = field(default_factory=list)

    @property
    def lookups(self) -> int:
        """DNS-lookup terms of this record; a redirect only counts when no 'all' hides it."""
        if self.record is None:
            return 0
        own = sum(1 for m in self.record.mechanisms if m.counts_lookup)
        redirect = self.record.redirect is not None and self.record.all_mechanism is None
        return own + (1 if redirect else 0)

    def walk(self) -> list[SpfNode]:
        return [self, *(n for child in self.children for n in child.walk())]


@dataclass
class SpfPolicy:
    root: SpfNode
    voids: list[str] = field(default_factory=list)  # "a:name (NXDOMAIN)"
    mx_over_limit: list[str] = field(default_factory=list)
    dns_errors: list[str] = field(default_factory=list)
    dynamic: list[str] = field(default_factory=list)  # terms with macros, not followed
    truncated: bool = False

    @property
    def nodes(self) -> list[SpfNode]:
        return self.root.walk()

    @property
    def lookups(self) -> int:
        return sum(node.lookups for node in self.nodes)

    @property
    def includes(self) -> list[str]:
        return [n.domain for n in self.nodes if n.via.startswith("include:")]

    def all_qualifier(self) -> str | None:
        """How the policy ends for everyone else: "-", "~", "?", "+", "" (no all), None
        (unknown: a redirect target could not be read)."""
        node: SpfNode | None = self.root
        while node is not None and node.record is not None:
            found = node.record.all_mechanism
            if found is not None:
                return found.qualifier.value
            if node.record.redirect is None:
                return ""
            node = next((c for c in node.children if c.via.startswith("redirect=")), None)
        return None

    def tree_text(self) -> str:
        lines: list[str] = []

        def add(node: SpfNode, depth: int) -> None:
            label = node.via or node.domain
            state = node.problem or node.text
            count = f"{node.lookups} lookup{'' if node.lookups == 1 else 's'}"
            lines.append(f"{'  ' * depth}{label} [{count}]: {state}"[:300])
            for child in node.children:
                add(child, depth + 1)

        add(self.root, 0)
        return "\n".join(lines)


class _Walker:
    def __init__(self, dns: DnsClient) -> None:
        self.dns = dns
        self.fetched = 0
        self.policy: SpfPolicy | None = None
        self.voids: list[str] = []
        self.mx_over: list[str] = []
        self.errors: list[str] = []
        self.dynamic: list[str] = []
        self.truncated = False
        self.name_checks = 0

    async def node(self, domain: str, via: str, path: tuple[str, ...]) -> SpfNode:
        node = SpfNode(domain, via)
        if domain in path:
            node.kind, node.problem = "loop", f"loop: {' -> '.join((*path, domain))}"
            return node
        if self.fetched >= MAX_NODES:
            self.truncated = True
            node.kind, node.problem = "dns", "not followed (the tree is too large)"
            return node
        self.fetched += 1
        answer = node.answer = await self.dns.txt(domain)
        if answer.could_not_check:
            node.kind, node.problem = "dns", answer.describe()
            self.errors.append(answer.describe())
            return node
        found = [r for r in answer.records if is_spf_record(r)]
        if not found:
            node.kind, node.problem = "none", f"no SPF record ({answer.describe()})"
            return node
        if len(found) > 1:
            node.kind, node.problem = "multiple", f"{len(found)} SPF records"
            return node
        node.text = found[0]
        node.strings = _strings_of(answer, found[0])
        try:
            node.record = parse_record(found[0])
        except SpfSyntaxError as exc:
            node.kind, node.problem = "syntax", f"syntax error: {exc}"
            return node
        await self.follow(node, (*path, domain))
        return node

    async def follow(self, node: SpfNode, path: tuple[str, ...]) -> None:
        record = node.record
        assert record is not None
        children: list[tuple[str, str]] = []
        checks = []
        for mechanism in record.mechanisms:
            spec = mechanism.domain
            if spec is not None and spec.has_macros:
                self.dynamic.append(f"{mechanism.text} in {node.domain}")
                continue
            target = node.domain if spec is None else query_name(spec.text)
            if target is None:
                continue
            if mechanism.name == "include":
                children.append((target, f"include:{target}"))
            elif mechanism.name in ("a", "mx", "exists") and self.name_checks < MAX_NAME_CHECKS:
                self.name_checks += 1
                checks.append(self.void_check(mechanism.name, target, mechanism.text))
        redirect = record.redirect
        if redirect is not None and record.all_mechanism is None:
            if redirect.has_macros:
                self.dynamic.append(f"redirect={redirect} in {node.domain}")
            elif (target := query_name(redirect.text)) is not None:
                children.append((target, f"redirect={target}"))
        await asyncio.gather(*checks)
        node.children = list(
            await asyncio.gather(*(self.node(t, via, path) for t, via in children))
        )

    async def void_check(self, name: str, target: str, term: str) -> None:
        if name == "mx":
            answer = await self.dns.query(target, "MX")
            if answer.ok and len(answer.records) > MAX_MX_NAMES:
                self.mx_over.append(f"{term} ({target} has {len(answer.records)} MX records)")
            answers = [answer]
        elif name == "a":
            _, answers = await self.dns.addresses(target)
        else:
            answers = [await self.dns.query(target, "A")]
        failed = [a for a in answers if a.could_not_check]
        if failed:
            self.errors.extend(a.describe() for a in failed)
        elif all(a.absent for a in answers):
            self.voids.append(f"{term} ({answers[0].describe()})")


def _strings_of(answer: DnsAnswer, text: str) -> tuple[bytes, ...]:
    """The TXT strings that make up ``text`` (when it was split into several)."""
    if answer.rrset is None:
        return ()
    for rdata in answer.rrset:
        strings = tuple(getattr(rdata, "strings", ()))
        if len(strings) > 1 and b"".join(strings).decode("utf-8", "replace") == text:
            return strings
    return ()


async def inspect_policy(dns: DnsClient, domain: str) -> SpfPolicy:
    """Fetch the SPF record of ``domain`` and everything it includes or redirects to."""
    walker = _Walker(dns)
    root = await walker.node(domain, "", ())
    return SpfPolicy(
        root, walker.voids, walker.mx_over, walker.errors, walker.dynamic, walker.truncated
    )


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

        ctx.publish("spf", _facts(domain, policy))
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


def _facts(domain: str, policy: SpfPolicy) -> dict[str, Any]:
    root = policy.root
    state = {"": "ok", "dns": "error"}.get(root.kind, root.kind)
    return {
        "domain": domain,
        "state": state,  # ok | error | none | multiple | syntax
        "record": root.text or None,
        "all": policy.all_qualifier() if root.record else None,
        "lookups": policy.lookups if root.record else 0,
        "includes": policy.includes,  # every include target in the tree
        "direct_includes": [  # the includes written in the domain's own record (or redirect)
            c.domain
            for n in [root, *_redirect_chain(root)]
            for c in n.children
            if c.via.startswith("include:")
        ],
        "redirect": next((c.domain for c in root.children if c.via.startswith("redirect=")), None),
        "complete": not policy.dns_errors and not policy.truncated,
    }


def _record_findings(policy: SpfPolicy, domain: str, finding: Any, evidence: Any) -> list[Finding]:
    root = policy.root
    record = root.record
    assert record is not None
    out: list[Finding] = []
    tree = policy.tree_text()
    own = [root, *_redirect_chain(root)]

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
        out.append(
            finding(
                Status.FAIL,
                f"The SPF record needs {lookups} DNS lookups, more than the limit of "
                f"{MAX_DNS_TERMS}, so receivers treat it as an error (permerror).",
                "lookups",
                evidence=[evidence(tree, lookups=lookups, includes=policy.includes)],
                actions=[A_LOOKUPS],
            )
        )
    elif not policy.dns_errors and not policy.truncated and not _has_loop(policy):
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
        cause = policy.dns_errors[0] if policy.dns_errors else "the include tree is too large"
        out.append(
            finding(
                Status.ERROR,
                f"Could not check every part of the SPF record: {cause}.",
                "lookups",
                evidence=[evidence(tree, errors=policy.dns_errors)],
            )
        )
    return out


def _has_loop(policy: SpfPolicy) -> bool:
    return any(node.kind == "loop" for node in policy.nodes)


def _redirect_chain(node: SpfNode) -> list[SpfNode]:
    chain: list[SpfNode] = []
    current = node
    while True:
        nxt = next((c for c in current.children if c.via.startswith("redirect=")), None)
        if nxt is None or nxt in chain:
            return chain
        chain.append(nxt)
        current = nxt


def _broken_reason(node: SpfNode) -> str:
    return {
        "none": "has no SPF record",
        "multiple": "has more than one SPF record",
        "syntax": "has a mistake in its SPF record",
        "loop": "leads back to itself in a loop",
    }[node.kind]
