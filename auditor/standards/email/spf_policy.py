"""The SPF include/redirect tree of one domain, fetched as a receiver would without a
client address (RFC 7208).

``inspect_policy(dns, domain)`` fetches the domain's SPF record and every record it
includes or redirects to, and returns an ``SpfPolicy``: the tree of ``SpfNode``s (each with
its DNS answer, parsed record or the reason it is unusable: no record, several records,
syntax error, loop, DNS failure), the terms that cost a DNS lookup (``lookups``), the
``a``/``mx``/``exists`` targets that found nothing (void lookups), ``mx`` sets over 10
names, DNS failures and terms with macros that were not followed. Work is bounded: at most
MAX_NODES records and MAX_NAME_CHECKS void-lookup checks per tree. No findings here; the
check (checks/email/spf.py) judges the policy.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from auditor.net.dns import DnsAnswer, DnsClient
from auditor.standards.email.spf_eval import MAX_MX_NAMES, query_name
from auditor.standards.email.spf_record import (
    SpfRecord,
    SpfSyntaxError,
    is_spf_record,
    parse_record,
)

MAX_NODES = 60  # records fetched for one tree at most (bounds work on hostile trees)
# a:/mx:/exists: targets checked for void lookups at most. Silent on purpose: a tree with
# more than 10 DNS-querying terms is already a permerror (RFC 7208 §4.6.4) reported as such,
# so the names past 50 cannot change the verdict.
MAX_NAME_CHECKS = 50


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
        # (where in the tree, text): sorted at the end, so the lists read in tree order
        # (a record's own checks in term order, then its includes) however answers arrive.
        self.voids: list[tuple[tuple[int, ...], str]] = []
        self.mx_over: list[tuple[tuple[int, ...], str]] = []
        self.errors: list[tuple[tuple[int, ...], str]] = []
        self.dynamic: list[str] = []
        self.truncated = False
        self.name_checks = 0

    async def node(
        self, domain: str, via: str, path: tuple[str, ...], at: tuple[int, ...] = ()
    ) -> SpfNode:
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
            self.errors.append((at, answer.describe()))
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
        await self.follow(node, (*path, domain), at)
        return node

    async def follow(self, node: SpfNode, path: tuple[str, ...], at: tuple[int, ...]) -> None:
        record = node.record
        assert record is not None
        children: list[tuple[str, str]] = []
        checks = []
        for index, mechanism in enumerate(record.mechanisms):
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
                checks.append(
                    self.void_check(mechanism.name, target, mechanism.text, (*at, 0, index))
                )
        redirect = record.redirect
        if redirect is not None and record.all_mechanism is None:
            if redirect.has_macros:
                self.dynamic.append(f"redirect={redirect} in {node.domain}")
            elif (target := query_name(redirect.text)) is not None:
                children.append((target, f"redirect={target}"))
        # One level at once: the a/mx/exists checks of this record and the records it
        # includes or redirects to are asked together, not one after the other. The
        # lookup count is the tree's (SpfNode.lookups), so the order does not change it.
        found = await asyncio.gather(
            *checks,
            *(self.node(t, via, path, (*at, 1, i)) for i, (t, via) in enumerate(children)),
        )
        node.children = [n for n in found[len(checks) :] if isinstance(n, SpfNode)]

    async def void_check(self, name: str, target: str, term: str, at: tuple[int, ...]) -> None:
        if name == "mx":
            answer = await self.dns.query(target, "MX")
            if answer.ok and len(answer.records) > MAX_MX_NAMES:
                self.mx_over.append((at, f"{term} ({target} has {len(answer.records)} MX records)"))
            answers = [answer]
        elif name == "a":
            _, answers = await self.dns.addresses(target)
        else:
            answers = [await self.dns.query(target, "A")]
        failed = [a for a in answers if a.could_not_check]
        if failed:
            self.errors.extend((at, a.describe()) for a in failed)
        elif all(a.absent for a in answers):
            self.voids.append((at, f"{term} ({answers[0].describe()})"))


def _strings_of(answer: DnsAnswer, text: str) -> tuple[bytes, ...]:
    """The TXT strings that make up ``text`` (when it was split into several)."""
    for rdata in answer.rdata:
        strings = tuple(getattr(rdata, "strings", ()))
        if len(strings) > 1 and b"".join(strings).decode("utf-8", "replace") == text:
            return strings
    return ()


async def inspect_policy(dns: DnsClient, domain: str) -> SpfPolicy:
    """Fetch the SPF record of ``domain`` and everything it includes or redirects to."""
    walker = _Walker(dns)
    root = await walker.node(domain, "", ())
    return SpfPolicy(
        root,
        _in_tree_order(walker.voids),
        _in_tree_order(walker.mx_over),
        _in_tree_order(walker.errors),
        walker.dynamic,
        walker.truncated,
    )


def _in_tree_order(items: list[tuple[tuple[int, ...], str]]) -> list[str]:
    return [text for _at, text in sorted(items, key=lambda item: item[0])]


def has_loop(policy: SpfPolicy) -> bool:
    """Whether some include or redirect in the tree leads back to a record above it."""
    return any(node.kind == "loop" for node in policy.nodes)


def redirect_chain(node: SpfNode) -> list[SpfNode]:
    """The records ``node`` redirects to, in order (stopping at a loop)."""
    chain: list[SpfNode] = []
    current = node
    while True:
        nxt = next((c for c in current.children if c.via.startswith("redirect=")), None)
        if nxt is None or nxt in chain:
            return chain
        chain.append(nxt)
        current = nxt
