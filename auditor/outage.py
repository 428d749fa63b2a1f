"""No network: when the audit's DNS resolver gave no usable answer to any question, the
audit says so once, plainly ("No network: your computer could not reach its DNS resolver
10.0.0.1"), and what could not be checked is grouped under that one sentence instead of
one raw socket error per check. The raw errors stay in each finding (JSON, CSV) for the
IT volunteer.

Decided from what the DNS client saw over the whole audit (``auditor.net.dns.DnsHealth``):
no question answered, and every server either unreachable (no answer, refused, no route)
or answering only SERVFAIL/REFUSED. One answer anywhere means the network was there, and
each check's own "could not check" stands as it is. Pure apart from reading that record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from auditor.vocabulary import Status

if TYPE_CHECKING:
    from auditor.net.dns import DnsHealth

UNREACHABLE = "unreachable"  # no response at all from any resolver
NOT_RESOLVING = "not-resolving"  # a resolver answered, but only SERVFAIL or REFUSED

# Statuses a dead network explains. "skipped" has causes of its own (no key, no consent).
CAUSED_BY_OUTAGE = (Status.ERROR, Status.TIMEOUT)

_WHY = {
    "timeout": "nothing answered",
    "refused": "it refused the connection: no DNS server is listening there",
    "no-route": "there is no route to it: this computer does not seem to be connected to a network",
}
ADVICE = (
    "Check that this computer is connected to the internet (or that the server given with "
    "--nameserver is right), then run the audit again."
)


@dataclass(frozen=True)
class Outage:
    """The audit's DNS resolvers gave no usable answer: which, and why, in plain words."""

    kind: str  # UNREACHABLE or NOT_RESOLVING
    resolvers: tuple[str, ...]  # "10.0.0.1", or "127.0.0.1:5353" when not on port 53
    cause: str  # "timeout", "refused", "no-route", an rcode ("SERVFAIL"), or a short text

    @property
    def headline(self) -> str:
        servers = _and(list(self.resolvers))
        resolver = "resolver" if len(self.resolvers) == 1 else "resolvers"
        if self.kind == NOT_RESOLVING:
            return (
                f"No network: your computer's DNS {resolver} {servers} answered, but could not "
                f"look up any name (it said {self.cause}); this computer is probably offline."
            )
        why = _WHY.get(self.cause, self.cause)
        return f"No network: your computer could not reach its DNS {resolver} {servers} ({why})."

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "resolvers": list(self.resolvers), "cause": self.cause,
                "message": self.headline}  # fmt: skip

    @classmethod
    def from_dict(cls, data: Any) -> Outage | None:
        """The outage of a saved audit; None for anything that is not one (older audits)."""
        if not isinstance(data, dict) or data.get("kind") not in (UNREACHABLE, NOT_RESOLVING):
            return None
        resolvers = data.get("resolvers")
        if not isinstance(resolvers, list):
            return None
        return cls(str(data["kind"]), tuple(str(r)[:100] for r in resolvers[:10]),
                   str(data.get("cause", ""))[:200])  # fmt: skip


def outage_from(health: DnsHealth) -> Outage | None:
    """The outage the DNS client's record shows, or None when any question was answered."""
    if health.answered:
        return None
    if health.failing:
        servers = sorted({*health.failing, *health.unreachable})
        return Outage(NOT_RESOLVING, _shown(servers), health.failing[min(health.failing)])
    if health.unreachable:
        servers = sorted(health.unreachable)
        return Outage(UNREACHABLE, _shown(servers), health.unreachable[servers[0]])
    return None


def explained_by_outage(statuses: Iterable[Status]) -> bool:
    """True when an outage explains every could-not-check part of these statuses."""
    unread = [s for s in statuses if s.could_not_check]
    return bool(unread) and all(s in CAUSED_BY_OUTAGE for s in unread)


def _shown(servers: list[str]) -> tuple[str, ...]:
    return tuple(s.removesuffix(":53") if s.count(":") == 1 or s.startswith("[") else s
                 for s in servers)  # fmt: skip


def _and(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
