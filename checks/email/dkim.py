"""email.dkim: find the domain's DKIM keys and judge each one.

DNS cannot list DKIM selectors, so discovery admits its limits: it probes the selectors
of the providers UK campaigns use (the ``dkim`` tables of the one provider table,
auditor/standards/data/mail_providers.toml), the selectors the profile names (for instance
from ``auditor dkim-selectors`` on a sent message), and reads the ``_domainkey``
empty-non-terminal hint. "No selector found" is a warning with that explanation, never a
failure.

Provider first (the default, ``dkim_sweep="providers"``): the first round asks the hint,
a wildcard canary and the profile's selectors, reads the MX hosts email.mx published (it
requires email.mx) and the SPF record (which email.spf asks too: one cached lookup). The
providers those name (the ``mx_suffixes`` and ``senders`` of the table, matched against the
MX hosts and the SPF include and redirect targets) have their selectors probed next. The
rest of the table is probed only when that cannot settle the answer; the sweep stops when

- ``_domainkey.<domain>`` and the canary are NXDOMAIN: nothing exists under that name
  (RFC 8020), so every other selector would be NXDOMAIN too;
- the domain names a provider and a key was found under a named provider's or the
  profile's selector: the senders it names are the ones that sign its mail;
- the domain names no provider and its SPF record allows no sender (``v=spf1 -all``).

Any failed lookup, a provider named without a key found, or nothing known at all, runs
the full sweep. ``dkim_sweep="full"`` always does (``--dkim-sweep full``).
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import replace
from typing import Any

from auditor.answers import dns_evidence
from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Confidence, Evidence, Finding, Severity, Status
from auditor.net.dns import DnsAnswer, DnsOutcome
from auditor.standards.email.discovery import lookup_spf
from auditor.standards.email.dkim_record import (
    DkimKey,
    DkimSyntaxError,
    key_strength,
    looks_like_dkim_key,
    parse_dkim_key,
    valid_selector,
)
from auditor.standards.email.providers import (
    MailProvider,
    dkim_providers,
    load_mail_providers,
    sending_providers,
    spf_targets,
)
from auditor.vocabulary import Category, TargetKind

PROFILE = "profile"


SWEEP_PROVIDERS = "providers"
SWEEP_FULL = "full"
SWEEP_MODES = (SWEEP_PROVIDERS, SWEEP_FULL)


def candidate_selectors(
    profile_selectors: tuple[str, ...], providers: list[MailProvider]
) -> dict[str, list[str]]:
    """selector -> where it came from ("profile" or provider names), profile first."""
    candidates: dict[str, list[str]] = {}
    for selector in profile_selectors:
        candidates.setdefault(selector.strip().lower(), []).append(PROFILE)
    for provider in providers:
        for selector in provider.dkim.selectors if provider.dkim else ():
            origins = candidates.setdefault(selector, [])
            if provider.name not in origins:
                origins.append(provider.name)
    return {s: o for s, o in candidates.items() if valid_selector(s)}


class DkimCheck(Check):
    meta = CheckMeta(
        id="email.dkim",
        title="DKIM signing keys",
        category=Category.EMAIL,
        target=TargetKind.DOMAIN,
        severity=Severity.MEDIUM,
        guidance="https://www.rfc-editor.org/rfc/rfc6376#section-3.6",
        description="Looks for the domain's DKIM public keys under common provider selectors "
        "and the ones the profile names, and checks each key's type, length and flags.",
        requires=("email.mx",),  # the MX hosts name the providers whose selectors go first
        timeout=30.0,
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        domain = ctx.target
        providers = dkim_providers(load_mail_providers())
        candidates = candidate_selectors(ctx.profile.dkim_selectors, providers)
        canary = f"auditor-canary-{secrets.token_hex(4)}"
        if ctx.services.options.dkim_sweep == SWEEP_FULL:
            hint, canary_answer, probed = await self._full_sweep(ctx, candidates, canary)
            stop = ""
        else:
            hint, canary_answer, probed, stop = await self._provider_sweep(
                ctx, candidates, providers, canary
            )
        answers = {s: probed[s] for s in candidates if s in probed}  # the table's order
        fetched_at = ctx.now_iso()
        wildcard = {r for r in canary_answer.records if looks_like_dkim_key(r)}
        findings: list[Finding] = []
        keys: list[dict[str, Any]] = []
        errors: list[DnsAnswer] = []
        missing_listed: list[str] = []
        # A profile selector is per person, not per domain: with several campaign domains a
        # selector missing at one of them is expected, so only say so for a single domain.
        one_domain = len(ctx.profile.domains) <= 1
        for selector, answer in answers.items():
            origins = candidates[selector]
            from_profile = PROFILE in origins
            if answer.could_not_check:
                errors.append(answer)
                if from_profile:
                    findings.append(
                        ctx.could_not_check(
                            answer,
                            f"the DKIM selector {selector}",
                            subject=f"selector:{selector}",
                        )
                    )
                continue
            records = [r for r in answer.records if looks_like_dkim_key(r)]
            if wildcard and records and set(records) <= wildcard:
                continue  # the wildcard answers every name: judged once below, not per name
            if not records:
                if from_profile:
                    missing_listed.append(selector)
                    if one_domain:
                        findings.append(_listed_selector_missing(ctx, selector, answer, fetched_at))
                continue
            findings.extend(
                _key_findings(ctx, selector, origins, answer, records, keys, fetched_at)
            )
        if wildcard:
            findings.extend(_wildcard_findings(ctx, canary_answer, keys, fetched_at))
        if keys:
            return findings
        if errors and not any(f.status.could_not_check for f in findings):
            findings.append(
                ctx.could_not_check(
                    errors[0],
                    f"DKIM: {len(errors)} of {len(answers)} selector lookups failed",
                    subject="discovery",
                )
            )
            return findings
        if not errors and not findings:
            spf = await lookup_spf(ctx.services.dns, domain)  # cached: the SPF check asked the same
            if spf.denies_all:
                # A domain whose SPF allows no sender sends no mail, so it has nothing to
                # sign: "no key found" would be noise on a correctly parked domain.
                findings.append(
                    ctx.finding(
                        Status.PASS,
                        f"{domain} says it sends no email (SPF v=spf1 -all), so it needs no "
                        "DKIM key.",
                        subject="discovery",
                        evidence=[dns_evidence(spf.answer, fetched_at)],
                    )
                )
                return findings
        if not errors and not any(f.subject == "discovery" for f in findings):
            findings.append(
                _nothing_found(
                    ctx,
                    domain,
                    candidates,
                    list(answers),
                    stop,
                    providers,
                    hint,
                    canary_answer,
                    missing_listed,
                    fetched_at,
                )
            )
        return findings

    async def _full_sweep(
        self, ctx: CheckContext, candidates: dict[str, list[str]], canary: str
    ) -> tuple[DnsAnswer, DnsAnswer, dict[str, DnsAnswer]]:
        dns, domain = ctx.services.dns, ctx.target
        hint, canary_answer, *answers = await asyncio.gather(
            dns.query(f"_domainkey.{domain}", "TXT"),
            dns.txt(f"{canary}._domainkey.{domain}"),
            *(dns.txt(f"{s}._domainkey.{domain}") for s in candidates),
        )
        return hint, canary_answer, dict(zip(candidates, answers, strict=True))

    async def _provider_sweep(
        self,
        ctx: CheckContext,
        candidates: dict[str, list[str]],
        providers: list[MailProvider],
        canary: str,
    ) -> tuple[DnsAnswer, DnsAnswer, dict[str, DnsAnswer], str]:
        """The selectors of the profile and of the providers the domain names first; the
        rest only when they cannot settle the answer. Returns why it stopped ("" when it
        swept the whole table)."""
        dns, domain = ctx.services.dns, ctx.target

        async def probe(selectors: list[str]) -> dict[str, DnsAnswer]:
            found = await asyncio.gather(*(dns.txt(f"{s}._domainkey.{domain}") for s in selectors))
            return dict(zip(selectors, found, strict=True))

        listed = [s for s, origins in candidates.items() if PROFILE in origins]
        hint, canary_answer, mx, spf, probed = await asyncio.gather(
            dns.query(f"_domainkey.{domain}", "TXT"),
            dns.txt(f"{canary}._domainkey.{domain}"),
            ctx.mx_facts(),  # email.mx's reading; none (it did not finish) names no provider
            lookup_spf(dns, domain),  # email.spf asks the same: cached
            probe(listed),
        )
        hosts = list(mx.hosts) if mx is not None else []
        named = sending_providers(hosts + spf_targets(spf.records), providers)
        theirs = [
            s
            for p in named
            for s in (p.dkim.selectors if p.dkim else ())
            if s in candidates and s not in probed
        ]
        probed |= await probe(list(dict.fromkeys(theirs)))
        stop = _why_stop(hint, canary_answer, probed, bool(named), spf.denies_all)
        if not stop:
            probed |= await probe([s for s in candidates if s not in probed])
        return hint, canary_answer, probed, stop


def _why_stop(
    hint: DnsAnswer,
    canary: DnsAnswer,
    probed: dict[str, DnsAnswer],
    named_provider: bool,
    denies_all: bool,
) -> str:
    """Why the selectors not yet probed cannot change the answer ("" when they might)."""
    if any(a.could_not_check for a in (hint, canary, *probed.values())):
        return ""  # a failed lookup: the full sweep says how many failed
    if hint.outcome is DnsOutcome.NXDOMAIN and canary.outcome is DnsOutcome.NXDOMAIN:
        return "nxdomain"
    wildcard = {r for r in canary.records if looks_like_dkim_key(r)}
    keys = [
        records
        for records in ([r for r in a.records if looks_like_dkim_key(r)] for a in probed.values())
        if records and not set(records) <= wildcard
    ]
    if named_provider and keys:
        return "providers"
    if not named_provider and denies_all:
        return "no-sender"
    return ""


def _wildcard_findings(
    ctx: CheckContext, canary: DnsAnswer, keys: list[dict[str, Any]], fetched_at: str
) -> list[Finding]:
    """A ``*._domainkey`` record answers for every selector. An empty (revoked) one is the
    parked-domain practice of saying "nothing here signs mail"; a real key is judged once."""
    records = [r for r in canary.records if looks_like_dkim_key(r)]
    domain = ctx.target
    try:
        revoked = len(records) == 1 and parse_dkim_key(records[0]).revoked
    except DkimSyntaxError:
        revoked = False
    if not revoked:
        wildcard_answer = replace(canary, name=f"*._domainkey.{domain}")
        return _key_findings(ctx, "*", ["wildcard"], wildcard_answer, records, keys, fetched_at)
    if keys:
        return []  # real keys exist beside the wildcard: it only revokes the other names
    return [
        ctx.finding(
            Status.PASS,
            f"A wildcard record revokes every DKIM selector of {domain}, so no mail can pass "
            "DKIM as this domain (right for a domain that sends no email).",
            location=f"*._domainkey.{domain}",
            subject="discovery",
            evidence=[dns_evidence(canary, fetched_at)],
        )
    ]


def _listed_selector_missing(
    ctx: CheckContext, selector: str, answer: DnsAnswer, fetched_at: str
) -> Finding:
    return ctx.finding(
        Status.WARN,
        f"The DKIM selector {selector} named in the profile has no key at {answer.name}, so "
        "mail signed with it fails DKIM.",
        location=answer.name,
        subject=f"selector:{selector}",
        evidence=[dns_evidence(answer, fetched_at)],
        actions=["email.dkim-fix-record"],
    )


def _key_findings(
    ctx: CheckContext,
    selector: str,
    origins: list[str],
    answer: DnsAnswer,
    records: list[str],
    keys: list[dict[str, Any]],
    fetched_at: str,
) -> list[Finding]:
    name = answer.name
    subject = f"selector:{selector}"
    evidence = [dns_evidence(answer, fetched_at)]
    where = "listed in the profile" if PROFILE in origins else f"used by {', '.join(origins)}"
    if len(records) > 1:
        return [
            ctx.finding(
                Status.FAIL,
                f"{name} has {len(records)} DKIM key records; receivers may pick any of them, "
                "so signatures fail at random.",
                location=name,
                subject=subject,
                evidence=evidence,
                actions=["email.dkim-fix-record"],
            )
        ]
    raw = records[0]
    try:
        key = parse_dkim_key(raw)
    except DkimSyntaxError as exc:
        keys.append({"selector": selector, "name": name, "valid": False})
        return [_unreadable(ctx, name, subject, evidence, str(exc))]
    info: dict[str, Any] = {
        "selector": selector,
        "name": name,
        "valid": True,
        "key_type": key.key_type,
        "revoked": key.revoked,
        "testing": key.testing,
        "cname_chain": list(answer.cname_chain),
        "origins": list(origins),
    }
    keys.append(info)
    findings: list[Finding] = []
    if key.revoked:
        findings.append(
            ctx.finding(
                Status.WARN,
                f"The DKIM key at selector {selector} has been revoked (left empty); that is "
                "normal during a key change, but mail signed with it now fails DKIM.",
                severity=Severity.LOW,
                location=name,
                subject=subject,
                evidence=evidence,
                actions=["email.dkim-remove-revoked"],
            )
        )
    else:
        try:
            strength = key_strength(key)
        except DkimSyntaxError as exc:
            info["valid"] = False
            return [_unreadable(ctx, name, subject, evidence, str(exc))]
        info["bits"] = strength.bits
        info["verdict"] = strength.verdict
        findings.append(
            _strength_finding(
                ctx,
                selector,
                name,
                subject,
                evidence,
                key,
                strength.describe(),
                strength.verdict,
                where,
            )
        )
    if key.testing:
        findings.append(
            ctx.finding(
                Status.WARN,
                f"The DKIM key at selector {selector} is marked as a test (t=y), so receivers "
                "may treat failed signatures as unsigned mail.",
                severity=Severity.LOW,
                location=name,
                subject=f"testing:{selector}",
                evidence=evidence,
                actions=["email.dkim-finish-testing"],
            )
        )
    return findings


def _strength_finding(
    ctx: CheckContext,
    selector: str,
    name: str,
    subject: str,
    evidence: list[Evidence],
    key: DkimKey,
    described: str,
    verdict: str,
    where: str,
) -> Finding:
    if verdict == "weak":
        return ctx.finding(
            Status.FAIL,
            f"The DKIM key at selector {selector} is a {described}, too short to trust: "
            "receivers ignore it and it can be broken.",
            severity=Severity.HIGH,
            location=name,
            subject=subject,
            evidence=evidence,
            actions=["email.dkim-stronger-key"],
        )
    if verdict == "short":
        return ctx.finding(
            Status.WARN,
            f"The DKIM key at selector {selector} is a {described}; 2048 bits is the current "
            "minimum advice.",
            location=name,
            subject=subject,
            evidence=evidence,
            actions=["email.dkim-stronger-key"],
        )
    return ctx.finding(
        Status.PASS,
        f"DKIM key found at selector {selector} ({where}): a {described}.",
        location=name,
        subject=subject,
        evidence=evidence,
    )


def _unreadable(
    ctx: CheckContext, name: str, subject: str, evidence: list[Evidence], reason: str
) -> Finding:
    return ctx.finding(
        Status.FAIL,
        f"The DKIM key record at {name} cannot be read, so signatures made with it fail.",
        location=name,
        subject=subject,
        evidence=[*evidence, Evidence(source="analysis", location=name, detail={"error": reason})],
        actions=["email.dkim-fix-record"],
    )


def _nothing_found(
    ctx: CheckContext,
    domain: str,
    candidates: dict[str, list[str]],
    probed: list[str],
    stop: str,
    providers: list[MailProvider],
    hint: DnsAnswer,
    canary: DnsAnswer,
    missing_listed: list[str],
    fetched_at: str,
) -> Finding:
    if hint.exists:
        hint_text = (
            f"_domainkey.{domain} exists, which usually means some selector is published "
            "under it that we did not guess."
        )
    elif hint.outcome is DnsOutcome.NXDOMAIN:
        hint_text = (
            f"_domainkey.{domain} does not exist, which suggests no DKIM key is published at all."
        )
    else:
        hint_text = f"the lookup of _domainkey.{domain} gave no usable hint ({hint.describe()})."
    if missing_listed:
        hint_text += f" The profile's selectors ({', '.join(missing_listed)}) have no key here."
    unguessable = [p.name for p in providers if p.dkim is not None and not p.dkim.selectors]
    tried = f"Tried {len(probed)}: {', '.join(probed)}."
    if stop == "nxdomain" and len(probed) < len(candidates):
        tried += (
            f" The other {len(candidates) - len(probed)} were not asked: as _domainkey.{domain} "
            "does not exist, no name under it can (RFC 8020)."
        )
    note = (
        "DNS has no way to list DKIM selectors, so the audit can only try known names. "
        f"{tried} Hint: {hint_text} Wildcard records "
        "and some DNS servers make that hint wrong in both directions. Providers whose "
        f"selectors cannot be guessed: {', '.join(unguessable)}. Run `auditor dkim-selectors` "
        "on a message the campaign sent and add the selector to dkim_selectors in the profile."
    )
    return ctx.finding(
        Status.WARN,
        f"No DKIM key was found for {domain} under the {len(candidates)} common selectors; "
        "selectors cannot be listed, so tell the audit which one your mail uses.",
        location=f"_domainkey.{domain}",
        subject="discovery",
        confidence=Confidence.MEDIUM if hint.exists else Confidence.HIGH,
        evidence=[
            dns_evidence(hint, fetched_at),
            dns_evidence(canary, fetched_at),
            Evidence(source="analysis", location=f"_domainkey.{domain}", detail={"note": note}),
        ],
        actions=["email.dkim-enable"],
    )
