"""RFC 7208 ``check_host()`` over the project's DnsClient.

``check_host(dns, ip, domain, sender, helo)`` evaluates the SPF policy of ``domain`` for a
message from ``ip`` and returns an ``SpfVerdict``: one of the seven results, why, which
term decided it, the ``exp=`` explanation for a fail, the lookups used and a trace.
``check_mail_from`` picks the domain and sender from a MAIL FROM (or HELO) as §2.4 says.

Honest DNS: SERVFAIL, REFUSED and timeouts make ``temperror`` (never ``none``); only
NXDOMAIN and NODATA mean "no record". The processing limits of §4.6.4 are enforced across
include and redirect: 10 terms that cost a DNS lookup, 2 void lookups, 10 MX names per
``mx``, 10 PTR names per ``ptr`` or ``%{p}``, and an overall time limit.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import dns.exception
import dns.name
import dns.reversename

from auditor.net.dns import DnsAnswer, DnsClient
from auditor.standards.email.spf_record import (
    MacroString,
    Mechanism,
    SpfRecord,
    SpfSyntaxError,
    expand,
    is_spf_record,
    parse_explanation,
    parse_record,
    truncate_domain,
)

MAX_DNS_TERMS = 10
MAX_VOID_LOOKUPS = 2
MAX_MX_NAMES = 10
MAX_PTR_NAMES = 10
DEFAULT_TIME_LIMIT = 20.0  # seconds for one whole check_host() (RFC 7208 §4.6.4)
MAX_TRACE_LINES = 300

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class SpfResult(StrEnum):
    NONE = "none"
    NEUTRAL = "neutral"
    PASS = "pass"
    FAIL = "fail"
    SOFTFAIL = "softfail"
    TEMPERROR = "temperror"
    PERMERROR = "permerror"


@dataclass(frozen=True)
class SpfVerdict:
    result: SpfResult
    domain: str
    ip: str
    sender: str
    helo: str
    reason: str  # one line: why this result
    matched: str = ""  # the term that decided, as written ("" when none did)
    matched_in: str = ""  # the domain whose record held that term
    explanation: str = ""  # for a fail: the exp= text, or the default explanation
    lookups: int = 0  # terms that cost a DNS lookup (limit 10)
    void_lookups: int = 0  # lookups that found nothing (limit 2)
    trace: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "result": self.result.value,
            "domain": self.domain,
            "ip": self.ip,
            "sender": self.sender,
            "helo": self.helo,
            "reason": self.reason,
            "matched": self.matched,
            "matched_in": self.matched_in,
            "explanation": self.explanation,
            "lookups": self.lookups,
            "void_lookups": self.void_lookups,
            "trace": list(self.trace),
        }


class _Stop(Exception):
    """Ends the evaluation with temperror or permerror."""

    def __init__(self, result: SpfResult, reason: str) -> None:
        super().__init__(reason)
        self.result = result
        self.reason = reason


def _perm(reason: str) -> _Stop:
    return _Stop(SpfResult.PERMERROR, reason)


def _temp(reason: str) -> _Stop:
    return _Stop(SpfResult.TEMPERROR, reason)


@dataclass(frozen=True)
class _Outcome:
    result: SpfResult
    domain: str
    record: SpfRecord | None
    matched: str = ""


def valid_domain(name: str) -> bool:
    """A fully qualified name check_host() may start from (RFC 7208 §4.3)."""
    name = name[:-1] if name.endswith(".") else name
    if not name or len(name) > 253 or name.startswith("["):
        return False
    labels = name.split(".")
    if len(labels) < 2:
        return False
    if any(not 0 < len(label) <= 63 for label in labels):
        return False
    if labels[-1].isascii() and labels[-1].isdigit():
        # An address written without brackets ("192.0.2.1" as a HELO name): no TLD is
        # all-numeric (RFC 3696 2), so this is a literal, not a multi-label domain name.
        return False
    return all("!" <= c <= "~" for c in name) and query_name(name) is not None


def query_name(name: str) -> str | None:
    """``name`` as something DnsClient can ask about, or None when no query can be made.

    Names that macro expansion stretched past 253 characters lose labels on the left
    (§7.3); names with an empty or over-long label are treated as non-existent.
    """
    name = truncate_domain(name)
    bare = name[:-1] if name.endswith(".") else name
    if not bare or not bare.isascii() or "\\" in bare:
        return None
    if any(not 0 < len(label) <= 63 for label in bare.split(".")):
        return None
    try:
        dns.name.from_text(bare)
    except (dns.exception.DNSException, ValueError, UnicodeError):
        return None
    return bare.lower()


def parse_ip(text: str) -> IpAddress:
    """The client address; an IPv4-mapped IPv6 address is its IPv4 address (§5)."""
    address = ipaddress.ip_address(text.strip())
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def macro_ip(address: IpAddress) -> str:
    """The ``%{i}`` value: dotted quad, or 32 dot-separated hex nibbles for IPv6 (§7.3)."""
    if isinstance(address, ipaddress.IPv4Address):
        return str(address)
    return ".".join(address.exploded.replace(":", "").upper())


class _Evaluation:
    def __init__(
        self,
        dns_client: DnsClient,
        ip: IpAddress,
        sender: str,
        helo: str,
        receiver: str,
        clock: Callable[[], float],
    ) -> None:
        self.dns = dns_client
        self.ip = ip
        local, _, sender_domain = sender.rpartition("@")
        self.local = local or "postmaster"
        self.sender_domain = sender_domain
        self.sender = f"{self.local}@{sender_domain}"
        self.helo = helo
        self.receiver = receiver
        self.clock = clock
        self.lookups = 0
        self.voids = 0
        self.trace: list[str] = []
        self._validated: dict[str, list[str]] = {}

    # -- bookkeeping ------------------------------------------------------------------------

    def note(self, line: str) -> None:
        if len(self.trace) < MAX_TRACE_LINES:
            self.trace.append(line)
        elif len(self.trace) == MAX_TRACE_LINES:
            self.trace.append("... (trace truncated)")

    def count_lookup(self, term: str, domain: str) -> None:
        self.lookups += 1
        if self.lookups > MAX_DNS_TERMS:
            raise _perm(
                f"more than {MAX_DNS_TERMS} DNS-lookup terms (at {term!r} in {domain}): "
                "the RFC 7208 limit was exceeded"
            )

    def count_void(self, answer: DnsAnswer) -> None:
        self.voids += 1
        self.note(f"  void lookup {self.voids}/{MAX_VOID_LOOKUPS}: {answer.describe()}")
        if self.voids > MAX_VOID_LOOKUPS:
            raise _perm(f"more than {MAX_VOID_LOOKUPS} lookups found nothing (void lookups)")

    # -- macros -----------------------------------------------------------------------------

    async def values(self, spec: MacroString, domain: str, *, exp: bool = False) -> dict[str, str]:
        letters = spec.letters()
        values = {
            "s": self.sender,
            "l": self.local,
            "o": self.sender_domain,
            "d": domain,
            "i": macro_ip(self.ip),
            "v": "in-addr" if self.ip.version == 4 else "ip6",
            "h": self.helo,
        }
        if exp:
            values["c"] = str(self.ip)
            values["r"] = self.receiver or "unknown"
            values["t"] = str(int(self.clock()))
        if "p" in letters:
            values["p"] = await self.validated_name(domain)
        return values

    async def target(self, spec: MacroString | None, domain: str) -> str | None:
        """The expanded target name of a term, or None if it cannot be queried."""
        if spec is None:
            return domain
        text = expand(spec, await self.values(spec, domain))
        name = query_name(text)
        if name is None:
            self.note(f"  target {text[:120]!r} is not a name DNS can look up")
        return name

    # -- DNS ---------------------------------------------------------------------------------

    async def ask(self, name: str, rdtype: str) -> DnsAnswer:
        answer = await self.dns.query(name, rdtype)
        if answer.could_not_check:
            raise _temp(f"DNS lookup failed: {answer.describe()}")
        return answer

    async def addresses(self, name: str, *, void: bool) -> list[IpAddress] | None:
        """Addresses of ``name`` in the client's family; None when the lookup failed."""
        answer = await self.dns.query(name, "A" if self.ip.version == 4 else "AAAA")
        if answer.could_not_check:
            return None
        if answer.absent:
            if void:
                self.count_void(answer)
            return []
        found: list[IpAddress] = []
        for text in answer.records:
            try:
                found.append(ipaddress.ip_address(text))
            except ValueError:
                continue
        return found

    def in_cidr(self, addresses: list[IpAddress], mechanism: Mechanism) -> bool:
        v4 = self.ip.version == 4
        length = mechanism.cidr4 if v4 else mechanism.cidr6
        if length is None:
            length = 32 if v4 else 128
        for address in addresses:
            if address.version != self.ip.version:
                continue
            network = ipaddress.ip_network(f"{address}/{length}", strict=False)
            if self.ip in network:
                return True
        return False

    async def validated_names(self) -> list[str]:
        """PTR names of the client whose own addresses include it (at most 10 tried)."""
        key = str(self.ip)
        if key in self._validated:
            return self._validated[key]
        reverse = dns.reversename.from_address(str(self.ip)).to_text(omit_final_dot=True)
        answer = await self.dns.query(reverse, "PTR")
        names: list[str] = []
        if answer.ok:
            for rdata in answer.rdata[:MAX_PTR_NAMES]:
                name = query_name(rdata.target.to_text(omit_final_dot=True))  # type: ignore[attr-defined]
                if name is None:
                    continue
                found = await self.addresses(name, void=False)
                if found and self.ip in found:
                    names.append(name)
        self._validated[key] = names
        return names

    async def validated_name(self, domain: str) -> str:
        """The ``%{p}`` value: a validated name, preferring ``domain`` or its subdomains."""
        names = await self.validated_names()
        domain = domain.lower().rstrip(".")
        for name in names:
            if name == domain:
                return name
        for name in names:
            if name.endswith("." + domain):
                return name
        return names[0] if names else "unknown"

    # -- check_host -----------------------------------------------------------------------------

    async def record(self, domain: str) -> SpfRecord | None:
        answer = await self.dns.txt(domain)
        if answer.could_not_check:
            raise _temp(f"could not look up the SPF record: {answer.describe()}")
        spf = [r for r in answer.records if is_spf_record(r)]
        if not spf:
            self.note(f"{domain}: no SPF record ({answer.describe()})")
            return None
        if len(spf) > 1:
            raise _perm(f"{domain} has {len(spf)} SPF records; exactly one is allowed")
        self.note(f"{domain}: {spf[0]}")
        try:
            return parse_record(spf[0])
        except SpfSyntaxError as exc:
            raise _perm(f"syntax error in the SPF record of {domain}: {exc}") from None

    async def check(self, domain: str) -> _Outcome:
        record = await self.record(domain)
        if record is None:
            return _Outcome(SpfResult.NONE, domain, None)
        for mechanism in record.mechanisms:
            if mechanism.counts_lookup:
                self.count_lookup(mechanism.text, domain)
            matched = await self.match(mechanism, domain)
            self.note(
                f"  {mechanism.text}: {'match' if matched else 'no match'}"
                + (f" (lookups {self.lookups}/{MAX_DNS_TERMS})" if mechanism.counts_lookup else "")
            )
            if matched:
                result = SpfResult(mechanism.qualifier.result)
                return _Outcome(result, domain, record, mechanism.text)
        if record.redirect is not None:
            self.count_lookup(f"redirect={record.redirect}", domain)
            target = await self.target(record.redirect, domain)
            self.note(f"  redirect={record.redirect} -> {target}")
            if target is None:
                raise _perm(f"redirect={record.redirect} in {domain} is not a valid domain")
            outcome = await self.check(target)
            if outcome.result is SpfResult.NONE:
                raise _perm(f"redirect={target} in {domain} points at a name with no SPF record")
            return outcome
        return _Outcome(SpfResult.NEUTRAL, domain, record)

    async def match(self, mechanism: Mechanism, domain: str) -> bool:
        name = mechanism.name
        if name == "all":
            return True
        if name in ("ip4", "ip6"):
            network = mechanism.network
            return (
                network is not None and self.ip.version == network.version and (self.ip in network)
            )
        target = await self.target(mechanism.domain, domain)
        if name == "include":
            if target is None:
                raise _perm(f"{mechanism.text} in {domain} does not name a valid domain")
            inner = await self.check(target)
            if inner.result is SpfResult.NONE:
                raise _perm(f"{mechanism.text} in {domain} points at a name with no SPF record")
            return inner.result is SpfResult.PASS
        if target is None:
            return False
        if name == "a":
            found = await self.addresses(target, void=True)
            if found is None:
                raise _temp(f"could not look up the addresses of {target} for {mechanism.text}")
            return self.in_cidr(found, mechanism)
        if name == "mx":
            return await self.match_mx(mechanism, target)
        if name == "ptr":
            return await self.match_ptr(target)
        # exists: an A lookup whatever the client's address family (§5.7)
        answer = await self.ask(target, "A")
        if answer.absent:
            self.count_void(answer)
            return False
        return True

    async def match_mx(self, mechanism: Mechanism, target: str) -> bool:
        answer = await self.ask(target, "MX")
        if answer.absent or not answer.rdata:
            self.count_void(answer)
            return False
        exchanges = [rdata.exchange.to_text(omit_final_dot=True) for rdata in answer.rdata]  # type: ignore[attr-defined]
        if len(exchanges) > MAX_MX_NAMES:
            raise _perm(f"{target} has {len(exchanges)} MX records; at most 10 may be checked")
        for exchange in exchanges:
            host = query_name(exchange)
            if host is None:  # the null MX "." and unusable names
                continue
            found = await self.addresses(host, void=False)
            if found is None:
                raise _temp(f"could not look up the addresses of MX host {host}")
            if self.in_cidr(found, mechanism):
                return True
        return False

    async def match_ptr(self, target: str) -> bool:
        reverse = dns.reversename.from_address(str(self.ip)).to_text(omit_final_dot=True)
        answer = await self.dns.query(reverse, "PTR")
        if answer.absent:
            self.count_void(answer)
            return False
        if answer.could_not_check:
            return False  # §5.5: a failed PTR lookup makes the mechanism not match
        target = target.lower().rstrip(".")
        return any(
            name == target or name.endswith("." + target) for name in await self.validated_names()
        )

    async def explanation(self, outcome: _Outcome, default: str) -> str:
        record = outcome.record
        if record is None or record.explanation is None:
            return default
        spec = record.explanation
        name = query_name(expand(spec, await self.values(spec, outcome.domain)))
        if name is None:
            return default
        answer = await self.dns.txt(name)
        if not answer.ok or len(answer.records) != 1:
            self.note(f"exp={spec}: ignored ({answer.describe()})")
            return default
        try:
            text = parse_explanation(answer.records[0])
            return expand(text, await self.values(text, outcome.domain, exp=True))
        except SpfSyntaxError as exc:
            self.note(f"exp={spec}: ignored, the explanation is not valid ({exc})")
            return default


async def check_host(
    dns_client: DnsClient,
    ip: str,
    domain: str,
    sender: str,
    helo: str = "",
    *,
    receiver: str = "unknown",
    default_explanation: str = "",
    time_limit: float = DEFAULT_TIME_LIMIT,
    clock: Callable[[], float] = time.time,
) -> SpfVerdict:
    """Evaluate the SPF policy of ``domain`` for mail from ``ip`` (RFC 7208 §4).

    ``sender`` is ``local@domain`` (a missing local part means "postmaster"); ``ip`` must
    be a valid address (``parse_ip`` raises ValueError otherwise).
    """
    address = parse_ip(ip)
    state = _Evaluation(dns_client, address, sender, helo, receiver, clock)
    name = domain[:-1] if domain.endswith(".") else domain

    def verdict(result: SpfResult, reason: str, **extra: Any) -> SpfVerdict:
        return SpfVerdict(
            result,
            name,
            str(address),
            state.sender,
            helo,
            reason,
            lookups=state.lookups,
            void_lookups=state.voids,
            trace=tuple(state.trace),
            **extra,
        )

    if not valid_domain(name):
        return verdict(
            SpfResult.NONE,
            f"{name[:80]!r} is not a valid multi-label domain name (malformed or an address "
            "literal), so check_host() returns none without a DNS lookup (RFC 7208 4.3)",
        )
    try:
        async with asyncio.timeout(time_limit):
            outcome = await state.check(name.lower())
            explanation = ""
            if outcome.result is SpfResult.FAIL:
                explanation = await state.explanation(outcome, default_explanation)
    except _Stop as stop:
        state.note(f"{stop.result.value}: {stop.reason}")
        return verdict(stop.result, stop.reason)
    except TimeoutError:
        reason = f"the evaluation took longer than {time_limit:g} seconds"
        return verdict(SpfResult.TEMPERROR, reason)
    if outcome.result is SpfResult.NONE:
        reason = f"{name} publishes no SPF record"
    elif outcome.matched:
        reason = f"{outcome.matched} in the record of {outcome.domain} matched {address}"
    else:
        reason = f"no term in the record of {outcome.domain} matched {address}"
    return verdict(
        outcome.result,
        reason,
        matched=outcome.matched,
        matched_in=outcome.domain if outcome.matched else "",
        explanation=explanation,
    )


async def check_mail_from(
    dns_client: DnsClient,
    ip: str,
    mail_from: str,
    helo: str,
    **options: Any,
) -> SpfVerdict:
    """check_host() for a MAIL FROM identity; an empty one uses postmaster@HELO (§2.4)."""
    sender = mail_from or f"postmaster@{helo}"
    if "@" not in sender:
        sender = f"postmaster@{sender}"
    domain = sender.rpartition("@")[2]
    return await check_host(dns_client, ip, domain, sender, helo, **options)
