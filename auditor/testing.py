"""The public harness for checks, for the project's tests and a plugin's alike.

- ``run_check`` runs one check as the engine would (its ``requires`` run first, their
  results handed over through the context), but directly, so that a bug raises in the test
  instead of becoming an "internal error" finding;
- ``loopback_dns``, ``loopback_options`` and ``loopback_services``: a real DNS server on
  127.0.0.1 serving the zones a test writes, and the audit's options and services pointed at
  it and, when given, at a loopback web server (never the machine's resolver or network);
- ``make_profile`` and ``make_context``: the person audited, and a check's context for
  testing a helper that takes one;
- ``assert_finding`` (the one finding about a subject, with the status, rule and words
  expected) and ``assert_well_formed`` (what every finding must carry: the check's id, a
  message, evidence, and actions for a problem).

docs/architecture.md ("Testing a check") shows a plugin's test written with them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from auditor.check import Check, CheckContext
from auditor.demo.dns_server import DnsServer
from auditor.demo.web_server import WebServer
from auditor.model import CheckResult, Finding, Status
from auditor.net.connect import ConnectRule
from auditor.net.dns import Nameserver
from auditor.profile import Profile
from auditor.registry import discover, load_check
from auditor.services import AuditOptions, Services

TEST_PERSON = "Test Candidate"


def make_profile(
    *domains: str, name: str = TEST_PERSON, websites: Sequence[str] = (), **fields: Any
) -> Profile:
    """A profile of a fictional person with these campaign domains (and websites); any other
    Profile field by keyword (``dkim_selectors=("mine",)``)."""
    return Profile(name=name, domains=tuple(domains), websites=tuple(websites), **fields)


def loopback_dns(*zones: str) -> DnsServer:
    """A DNS server on 127.0.0.1 serving ``zones`` (zone-file texts with an ``$ORIGIN``),
    on a free port: ``async with loopback_dns(ZONE) as dns:`` starts and stops it, and
    ``dns.port`` is its port. ``dns.faults.set(name, "servfail")`` makes a name fail."""
    return DnsServer(list(zones))


def loopback_options(dns_port: int, web: WebServer | None = None, **options: Any) -> AuditOptions:
    """Audit options asking only the DNS server on 127.0.0.1:``dns_port``, with short time
    limits; with ``web``, every https and http name connects to that loopback web server
    and its CA is trusted. Any other AuditOptions field by keyword."""
    settings: dict[str, Any] = {"dns_timeout": 0.5, "dns_attempts": 1, "http_timeout": 3.0}
    if web is not None:
        settings["connect_to"] = (
            ConnectRule("", 443, "127.0.0.1", web.https_port),
            ConnectRule("", 80, "127.0.0.1", web.http_port),
        )
        settings["ca_pem"] = web.ca_pem
    settings.update(options)
    return AuditOptions(nameservers=(Nameserver("127.0.0.1", dns_port),), **settings)


def loopback_services(dns_port: int, web: WebServer | None = None, **options: Any) -> Services:
    """The audit's services with ``loopback_options``. ``async with`` closes them."""
    return Services(loopback_options(dns_port, web, **options))


def make_context(
    check: type[Check],
    target: str,
    services: Services,
    profile: Profile | None = None,
    *,
    requirements: Mapping[str, Sequence[CheckResult]] | None = None,
) -> CheckContext:
    """The context ``check`` would get on ``target``; ``requirements`` are the results it
    reads of the checks it requires (a check it asks for that is not given raises)."""
    given = dict(requirements or {})
    profile = profile or make_profile(target, websites=(target,))

    async def lookup(check_id: str) -> list[CheckResult]:
        if check_id not in given:
            raise LookupError(f"{check.meta.id} asked for {check_id}: pass its results")
        return list(given[check_id])

    return CheckContext(check.meta, target, profile, services, lookup)


async def run_check(
    check: type[Check],
    target: str,
    services: Services,
    profile: Profile | None = None,
    *,
    provided: Iterable[type[Check]] = (),
) -> CheckResult:
    """The findings and published facts of ``check`` on ``target``. Checks it requires are
    taken from ``provided`` or else from the ``auditor.checks`` entry points, and run first on
    the same target (each once). The caller closes ``services``."""
    profile = profile or make_profile(target, websites=(target,))
    classes = {c.meta.id: c for c in provided}
    done: dict[str, CheckResult] = {}

    def resolve(check_id: str) -> type[Check]:
        if check_id not in classes:
            entry = discover().get(check_id)
            if entry is None:
                raise LookupError(f"{check.meta.id} requires {check_id}, which is not registered")
            classes[check_id] = load_check(entry.module, entry.attr)
        return classes[check_id]

    async def run_one(current: type[Check]) -> CheckResult:
        for required in current.meta.requires:
            if required not in done:
                done[required] = await run_one(resolve(required))

        async def lookup(check_id: str) -> list[CheckResult]:
            return [done[check_id]]

        ctx = CheckContext(current.meta, target, profile, services, lookup)
        findings: list[Finding] = list(await current().run(ctx))
        return CheckResult(
            current.meta.id, target, tuple(findings), ctx.now_iso(), 0.0, facts=dict(ctx.facts)
        )

    return await run_one(check)


def _listed(findings: Sequence[Finding]) -> str:
    return "; ".join(f"{f.subject or '-'}: {f.status.value} {f.message!r}" for f in findings)


def assert_finding(
    found: CheckResult | Sequence[Finding],
    subject: str,
    status: Status | None = None,
    *,
    rule: str | None = None,
    says: str | None = None,
) -> Finding:
    """The one finding about ``subject``, checked to have ``status``, ``rule`` (its stable
    id, "SPF006") and to say ``says`` when given; an AssertionError listing every finding
    otherwise."""
    findings = list(found.findings if isinstance(found, CheckResult) else found)
    matches = [f for f in findings if f.subject == subject]
    if len(matches) != 1:
        raise AssertionError(
            f"{len(matches)} findings about {subject!r} (want 1); found {_listed(findings)}"
        )
    finding = matches[0]
    if status is not None and finding.status is not status:
        raise AssertionError(
            f"{subject!r} is {finding.status.value}, not {status.value}: {finding.message!r}"
        )
    if rule is not None and finding.rule != rule:
        raise AssertionError(f"{subject!r} came from rule {finding.rule!r}, not {rule!r}")
    if says is not None and says not in finding.message:
        raise AssertionError(f"{subject!r} says {finding.message!r}, not {says!r}")
    return finding


def assert_well_formed(result: CheckResult) -> None:
    """What the reports rely on in every finding: the check's own id, a message, evidence
    that shows where it was seen, and at least one action for a problem (warn or fail)."""
    for finding in result.findings:
        where = f"{result.check_id} {finding.subject or '-'}"
        if finding.check_id != result.check_id:
            raise AssertionError(f"{where}: a finding of {finding.check_id}")
        if not finding.message.strip():
            raise AssertionError(f"{where}: no message")
        if not finding.evidence:
            raise AssertionError(f"{where}: no evidence ({finding.message!r})")
        if finding.status.is_problem and not finding.actions:
            raise AssertionError(f"{where}: a problem with no action ({finding.message!r})")
