"""The fault matrix: the FULL demo audit with one fault switched on at a time.

For every fault the affected checks must end in a clear finding that names the cause (an
``error``/``timeout`` for "could not check"; a ``fail`` only where the fault is itself a
definite, visible misconfiguration, such as an expired certificate or an SPF include loop),
they must not newly claim that something is missing, and every other check keeps the kind of
verdict it has without the fault. Huge bodies and gzip bombs must cost bounded memory.
docs/fault-matrix.md records the matrix and the results observed.

Set HARDENING_MATRIX_OUT=path.json to write every observed finding of the affected checks
(the docs table is made from it).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import threading
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import dns.name
import pytest

from auditor.audit import run_audit
from auditor.demo import candidate as c
from auditor.demo.content import zones as z
from auditor.demo.web_server import Response, gzip_bomb_bytes, html, huge_body, redirect
from auditor.demo.world import DemoWorld
from auditor.model import CheckResult, Report, Status
from auditor.net.connect import ConnectRule

D = c.DOMAIN
P = c.PARKED_DOMAIN
W = f"www.{D}"
SITE = c.WEBSITE
ME = c.NAME
RDAP = "rdap.services.example"
MEMORY_LIMIT = 150 * 1024 * 1024  # bytes: the fetch cap is 5 MB, so this is generous

# Short timeouts so the matrix runs in about two minutes (2 s, not 1 s: on a loaded 2-core CI
# machine a healthy answer took over a second and a case failed); 40 lookalike names instead of
# the default 1500 keep every check in the audit while the lookalike probe stays quick.
OPTIONS: dict[str, Any] = {
    "dns_timeout": 2.0,
    "dns_attempts": 2,
    "http_timeout": 2.0,
    "smtp_timeout": 2.0,
    "lookalikes": 40,
    "audit_deadline": 60.0,
}

COULD_NOT = frozenset({Status.ERROR, Status.TIMEOUT})
# A fault must never turn into a claim that something is absent.
ABSENCE = re.compile(r"\b(no|missing|not found|does not exist|has no|is not set)\b", re.I)

Pair = tuple[str, str]


@dataclass(frozen=True)
class Expect:
    check: str
    target: str
    cause: str  # regex, searched case-insensitively in the message of a matching finding
    statuses: frozenset[Status] = COULD_NOT

    @property
    def pair(self) -> Pair:
        return (self.check, self.target)


@dataclass(frozen=True)
class Case:
    id: str
    fault: str  # what is switched on, for the docs table
    setup: Callable[[DemoWorld], None] = lambda world: None
    expect: tuple[Expect, ...] = ()
    spill: tuple[Pair, ...] = ()  # also affected, without a claim on how
    options: Callable[[DemoWorld], dict[str, Any]] = lambda world: {}
    memory: bool = False
    same_as_baseline: tuple[Pair, ...] = ()  # must end exactly as without the fault
    after: Callable[[DemoWorld, Report], None] = lambda world, report: None


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens there once the socket is closed: connections are refused


Options = Callable[[DemoWorld], dict[str, Any]]


def rules_first(*extra: Callable[[DemoWorld], ConnectRule]) -> Options:
    def options(world: DemoWorld) -> dict[str, Any]:
        return {"connect_to": (*(rule(world) for rule in extra), *world.connect_rules())}

    return options


def cname_loop(world: DemoWorld) -> None:
    world.dns.set_records(f"_dmarc.{D}", "TXT", [])
    world.dns.set_records(f"_dmarc.{D}", "CNAME", [f"loop.{D}."])
    world.dns.set_records(f"loop.{D}", "CNAME", [f"_dmarc.{D}."])


def spf_include_loop(world: DemoWorld) -> None:
    world.dns.set_records(D, "TXT", [f'"v=spf1 include:loop.{D} ~all"'])
    world.dns.set_records(f"loop.{D}", "TXT", [f'"v=spf1 include:{D} -all"'])


BIG_TXT = "x" * 4096


def big_txt(world: DemoWorld) -> None:
    spf = (
        f"v=spf1 mx a include:_spf.{z.MAILHOST} include:spf.{z.MAILSHOT} "
        f"include:_spf.{c.PARTY_DOMAIN} ~all"
    )
    world.dns.set_records(D, "TXT", [z.txt(spf), z.txt(BIG_TXT)])


def apex_nxdomain(world: DemoWorld) -> None:
    """Remove the campaign zone and its delegation: the domain no longer exists."""
    zones = world.dns.zoneset.zones
    zones.pop(dns.name.from_text(D))
    parent = zones[dns.name.from_text("example")]
    parent.delete_node(dns.name.from_text(D))
    parent.delete_node(dns.name.from_text(f"ns1.{D}"))


def redirect_chain(world: DemoWorld) -> None:
    world.web.route(W, "/", redirect("/hop/1"))
    for hop in range(1, 12):
        world.web.route(W, f"/hop/{hop}", redirect(f"/hop/{hop + 1}"))
    world.web.route(W, "/hop/12", html("<p>the end of a long chain</p>"))


def used_tcp_for_apex(world: DemoWorld, report: Report) -> None:
    tcp = [q for q in world.dns.queries if q.qname == D and q.transport == "tcp"]
    assert tcp, "the truncated answers were not retried over TCP"


# What a fault on the campaign website reaches: the site checks, the shared crawl, the 2FA
# inventory (reads the site's links) and the BIMI logo (served by the same host).
SITE_FAILS = ("web.https", "web.headers")
CRAWL_CHECKS = ("exposure.documents", "exposure.photos", "exposure.imprint", "exposure.pages")
SITE_SPILL: tuple[Pair, ...] = (
    ("accounts.inventory", ME),
    ("email.bimi", D),
    *((check, ME) for check in CRAWL_CHECKS),
    *((check, SITE) for check in SITE_FAILS),
)


def site_unreachable(cause: str, *, https: str = "") -> tuple[Expect, ...]:
    """The site checks and the crawl all say they could not check, naming ``cause``."""
    web_https = (
        Expect("web.https", SITE, https, frozenset({Status.FAIL}))
        if https
        else Expect("web.https", SITE, cause)
    )
    return (
        web_https,
        Expect("web.headers", SITE, cause),
        *(Expect(check, ME, cause) for check in CRAWL_CHECKS),
        Expect("accounts.inventory", ME, cause),
        Expect("email.bimi", D, cause),
    )


CASES = (
    # -- DNS ---------------------------------------------------------------------------------
    Case(
        "dns-timeout",
        f"DNS: no answer at all for _dmarc.{D}",
        lambda w: w.dns.faults.set(f"_dmarc.{D}", "timeout"),
        (Expect("email.dmarc", D, r"no answer"), Expect("email.bimi", D, r"no answer")),
    ),
    Case(
        "dns-servfail",
        f"DNS: SERVFAIL for the apex {D}",
        lambda w: w.dns.faults.set(D, "servfail"),
        (
            Expect("email.mx", D, "SERVFAIL"),
            Expect("email.spf", D, "SERVFAIL"),
            Expect("domain.caa", D, "SERVFAIL"),
            Expect("email.starttls", D, "SERVFAIL"),
            Expect("email.mta_sts", D, "SERVFAIL"),
            Expect("accounts.inventory", ME, "SERVFAIL"),
        ),
        # The BIMI logo's URL comes from DNS: the guard judges it by the apex, which cannot be
        # resolved, so the logo is not fetched (naming the SERVFAIL).
        spill=(("email.dane", D), ("domain.dnssec", D), ("email.bimi", D)),
    ),
    Case(
        "dns-refused",
        f"DNS: REFUSED for _mta-sts.{D}",
        lambda w: w.dns.faults.set(f"_mta-sts.{D}", "refused"),
        (Expect("email.mta_sts", D, "refused"),),
    ),
    Case(
        "dns-truncated",
        f"DNS: every UDP answer for {D} truncated (TC), forcing TCP",
        lambda w: w.dns.faults.set(D, "truncate-always"),
        same_as_baseline=(("email.spf", D), ("email.mx", D), ("domain.caa", D)),
        after=used_tcp_for_apex,
    ),
    Case(
        "dns-truncated-over-tcp",
        f"DNS: every answer for the apex {D} truncated (TC, no records), over UDP and TCP",
        lambda w: w.dns.faults.set(D, "truncate-tcp"),
        (
            Expect("email.mx", D, "truncated"),
            Expect("email.spf", D, "truncated"),
            Expect("domain.caa", D, "truncated"),
            Expect("email.starttls", D, "truncated"),
            Expect("email.mta_sts", D, "truncated"),
            Expect("accounts.inventory", ME, "truncated"),
        ),
        spill=(("email.dane", D), ("domain.dnssec", D), ("email.bimi", D)),
        after=used_tcp_for_apex,
    ),
    *(
        Case(
            f"dns-root-{mode}",
            f"DNS: the resolver answers {shown} for the root DNSKEY (an "
            "authoritative-only server), with the IANA root anchors",
            lambda w, mode=mode: w.dns.faults.set_global(f"{mode}-root"),  # type: ignore[misc]
            (
                Expect("domain.dnssec", D, r"127\.0\.0\.1:\d+ answered"),
                Expect("domain.dnssec", P, r"127\.0\.0\.1:\d+ answered"),
            ),
            spill=(("email.dane", D), ("email.dane", P)),
            options=lambda w: {"trust_anchors": None},
        )
        for mode, shown in (
            ("nodata", "NODATA"),
            ("nxdomain", "NXDOMAIN"),
            ("referral", "with a referral"),
        )
    ),
    Case(
        "dns-4kb-txt",
        f"DNS: a 4 KB TXT record next to the SPF record at {D}",
        big_txt,
        same_as_baseline=(("email.spf", D),),
        after=used_tcp_for_apex,
    ),
    Case(
        "dns-cname-loop",
        f"DNS: _dmarc.{D} is a CNAME loop",
        cname_loop,
        (Expect("email.dmarc", D, "CNAME loop"), Expect("email.bimi", D, "CNAME loop")),
    ),
    Case(
        "spf-include-loop",
        f"DNS: the SPF record of {D} includes a record that includes it back",
        spf_include_loop,
        # A loop is the record's own permanent error (RFC 7208 permerror): a definite fail.
        (Expect("email.spf", D, "loop", frozenset({Status.FAIL})),),
    ),
    Case(
        "dns-apex-nxdomain",
        f"DNS: NXDOMAIN for the apex {D} (the domain has lapsed)",
        apex_nxdomain,
        (
            # NXDOMAIN is a definite answer: the domain does not exist; that is the finding.
            Expect("email.mx", D, "does not exist", frozenset({Status.FAIL})),
            *(e for e in site_unreachable("no address") if e.check != "email.bimi"),
            # Every other check of the domain says why it did not run, never "no record".
            *(
                Expect(check, D, "does not exist", frozenset({Status.SKIPPED}))
                for check in (
                    "email.spf",
                    "email.dmarc",
                    "email.dkim",
                    "email.bimi",
                    "email.starttls",
                    "email.mta_sts",
                    "email.tls_rpt",
                    "email.dane",
                    "domain.caa",
                    "domain.dnssec",
                    "exposure.rdap",
                )
            ),
        ),
        spill=(("domain.lookalikes", D),),
    ),
    # -- HTTP --------------------------------------------------------------------------------
    Case(
        "http-refused",
        f"HTTP: connection refused on {W}:443 and :80",
        expect=site_unreachable("could not connect"),
        options=rules_first(
            lambda w: ConnectRule(W, 443, "127.0.0.1", closed_port()),
            lambda w: ConnectRule(W, 80, "127.0.0.1", closed_port()),
        ),
    ),
    Case(
        "http-hang",
        f"HTTP: {W} accepts and never answers",
        lambda w: w.web.faults.set(W, "hang"),
        site_unreachable("no answer"),
    ),
    Case(
        "http-trickle",
        f"HTTP: {W}/ sends one byte every 0.2 s",
        lambda w: w.web.faults.set(W, "trickle", path="/"),
        (
            Expect("web.https", SITE, "too slow"),
            Expect("web.headers", SITE, "too slow"),
            Expect("accounts.inventory", ME, "too slow"),
            *(Expect(check, ME, "too slow") for check in CRAWL_CHECKS),
        ),
        spill=SITE_SPILL,
    ),
    Case(
        "http-redirect-loop",
        f"HTTP: every URL on {W} redirects to itself",
        lambda w: w.web.faults.set(W, "redirect-loop"),
        # A site that loops is broken for visitors too: web.https says so (a fail).
        site_unreachable("redirect loop", https="redirect loop"),
    ),
    Case(
        "http-redirect-chain",
        f"HTTP: {W}/ starts a chain of 12 redirects",
        redirect_chain,
        (
            Expect("web.headers", SITE, "more than 10 redirects"),
            Expect("accounts.inventory", ME, "more than 10 redirects"),
            *(Expect(check, ME, "more than 10 redirects") for check in CRAWL_CHECKS),
        ),
        spill=SITE_SPILL,
    ),
    Case(
        "http-huge-pdf",
        f"HTTP: {W}'s leaflet PDF is a 200 MB body",
        lambda w: w.web.route(
            W, "/leaflets/spring-leaflet.pdf", huge_body(200 * 1024 * 1024, "application/pdf")
        ),
        (Expect("exposure.documents", ME, "could not read this PDF"),),
        spill=(("exposure.imprint", ME),),
        memory=True,
    ),
    Case(
        "http-huge-site",
        f"HTTP: every URL on {W} answers with a 200 MB body",
        lambda w: w.web.faults.set(W, "huge-body"),
        spill=SITE_SPILL,
        memory=True,
    ),
    Case(
        "http-gzip-bomb-site",
        f"HTTP: every URL on {W} answers with a gzip bomb (64 KB → 64 MB)",
        lambda w: w.web.faults.set(W, "gzip-bomb"),
        spill=SITE_SPILL,
        memory=True,
    ),
    *(
        Case(
            f"http-encoding-chain-bomb-{'-'.join(c.strip() for c in codings.split(','))}",
            f"HTTP: every URL on {W} answers with a gzip bomb under "
            f"Content-Encoding: {codings} (a few hundred bytes to 64 MB)",
            lambda w, codings=codings: w.web.faults.set(  # type: ignore[misc]
                W, "encoding-chain-bomb", codings=codings
            ),
            spill=SITE_SPILL,
            memory=True,
        )
        for codings in ("gzip, gzip", "identity, gzip")
    ),
    Case(
        "http-unrequested-encoding",
        f"HTTP: every URL on {W} answers with Content-Encoding: br (never asked for)",
        lambda w: w.web.faults.set(W, "unrequested-encoding", coding="br"),
        site_unreachable("does not decode"),
    ),
    Case(
        "http-gzip-bomb-photo",
        f"HTTP: {W}'s photo is a gzip bomb served as image/jpeg",
        lambda w: w.web.route(
            W,
            "/images/canvassing.jpg",
            Response(
                200,
                (("Content-Type", "image/jpeg"), ("Content-Encoding", "gzip")),
                gzip_bomb_bytes(),
            ),
        ),
        (Expect("exposure.photos", ME, "could not read this image"),),
        memory=True,
    ),
    Case(
        "http-wrong-content-type",
        f"HTTP: the MTA-STS policy of {D} served as application/octet-stream",
        lambda w: w.web.faults.set(f"mta-sts.{D}", "wrong-content-type"),
        # RFC 8461 §3.2: a policy not served as text/plain is invalid (a definite fail).
        (Expect("email.mta_sts", D, "text/plain", frozenset({Status.FAIL})),),
    ),
    *(
        Case(
            f"tls-{variant}",
            f"TLS: {W} presents an {variant} certificate",
            lambda w, v=variant: w.web.cert_variants.__setitem__(W, v),  # type: ignore[misc]
            site_unreachable("certificate", https="certificate"),
        )
        for variant in ("expired", "wrong-host", "untrusted")
    ),
    # -- SMTP --------------------------------------------------------------------------------
    Case(
        "smtp-no-banner",
        f"SMTP: {z.MX_HOSTS[0]} accepts and never sends a banner",
        expect=(Expect("email.starttls", D, "answer"),),
        spill=(("email.dane", D),),
        options=rules_first(
            lambda w: ConnectRule(z.MX_HOSTS[0], 25, "127.0.0.1", w.smtp.port_for("silent"))
        ),
    ),
    Case(
        "smtp-starttls-broken",
        f"SMTP: {z.MX_HOSTS[0]} offers STARTTLS, then the handshake fails",
        # The server's own broken TLS is what a sender meets too: a definite fail.
        expect=(Expect("email.starttls", D, "could not be set up", frozenset({Status.FAIL})),),
        spill=(("email.dane", D),),
        options=rules_first(
            lambda w: ConnectRule(z.MX_HOSTS[0], 25, "127.0.0.1", w.smtp.port_for("broken-tls"))
        ),
    ),
    # -- RDAP and APIs -----------------------------------------------------------------------
    Case(
        "rdap-429",
        "RDAP: 429 Too Many Requests with Retry-After: 120",
        lambda w: w.web.faults.set(RDAP, "429"),
        (Expect("exposure.rdap", D, r"rate-limit.*120"), Expect("exposure.rdap", P, "rate-limit")),
    ),
    Case(
        "rdap-5xx",
        "RDAP: HTTP 503",
        lambda w: w.web.faults.set(RDAP, "5xx"),
        (Expect("exposure.rdap", D, "server error"), Expect("exposure.rdap", P, "server error")),
    ),
    Case(
        "rdap-html-for-json",
        "RDAP: an HTML page where JSON was expected",
        lambda w: w.web.faults.set(RDAP, "html-for-json"),
        (Expect("exposure.rdap", D, "web page"), Expect("exposure.rdap", P, "web page")),
    ),
    Case(
        "rdap-bootstrap-html",
        "RDAP bootstrap (IANA dns.json): an HTML page where JSON was expected",
        lambda w: w.web.faults.set("data.services.example", "html-for-json"),
        (Expect("exposure.rdap", D, "web page"), Expect("exposure.rdap", P, "web page")),
    ),
)


async def audit(case: Case | None) -> tuple[Report, DemoWorld, int]:
    # The hostile servers run on their own loop in a thread, as real servers would: a fault
    # that costs the audit CPU (a bomb to inflate) must not also stall the DNS server and
    # turn every other answer into a timeout on a busy machine.
    world = await asyncio.to_thread(DemoWorld.run_in_thread)
    try:
        watch = case is not None and case.memory
        # tracemalloc makes every allocation several times slower: with the short timeouts
        # above, a loaded machine then times out healthy answers. The memory cases measure
        # memory, not speed, so they get patient timeouts.
        # 15 s: at the floors (older pypdf) a 5 MB hostile PDF held the GIL long enough for a
        # 6 s SMTP conversation to time out on a loaded 2-core machine.
        patient = {"dns_timeout": 15.0, "http_timeout": 15.0, "smtp_timeout": 15.0} if watch else {}
        chosen = {**OPTIONS, **patient, **(case.options(world) if case else {})}
        options = world.audit_options(**chosen)
        if case is not None:
            case.setup(world)
        if watch:
            tracemalloc.start()
        try:
            report = await asyncio.wait_for(run_audit(world.profile, options), 90)
            peak = tracemalloc.get_traced_memory()[1] if watch else 0
        finally:
            if watch:
                tracemalloc.stop()
        if case is not None:
            case.after(world, report)
        return report, world, peak
    finally:
        await asyncio.to_thread(world.stop_thread)


@cache
def baseline() -> dict[Pair, CheckResult]:
    """The audit without faults (run once, in its own thread and event loop)."""
    box: list[Report] = []
    thread = threading.Thread(target=lambda: box.append(asyncio.run(audit(None))[0]))
    thread.start()
    thread.join(120)
    assert box, "the baseline audit did not finish"
    return {(r.check_id, r.target): r for r in box[0].results}


def by_pair(report: Report) -> dict[Pair, CheckResult]:
    return {(r.check_id, r.target): r for r in report.results}


def record(case: Case, results: dict[Pair, CheckResult], peak: int) -> None:
    out = os.environ.get("HARDENING_MATRIX_OUT")
    if not out:
        return
    pairs = {e.pair for e in case.expect} | set(case.spill) | set(case.same_as_baseline)
    rows = [
        {
            "case": case.id,
            "fault": case.fault,
            "check": pair[0],
            "target": pair[1],
            "status": results[pair].status.value,
            "findings": [[f.status.value, f.message] for f in results[pair].findings],
        }
        for pair in sorted(pairs)
        if pair in results
    ]
    entry = {"case": case.id, "fault": case.fault, "peak_mb": round(peak / 2**20, 1), "rows": rows}
    with open(out, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_fault(case: Case) -> None:
    before = baseline()
    report, _world, peak = await audit(case)
    results = by_pair(report)
    record(case, results, peak)

    # Every planned check ran to an end: nothing hung, nothing went missing.
    assert set(results) == set(before)

    for expect in case.expect:
        result = results[expect.pair]
        cause = re.compile(expect.cause, re.I)
        named = [
            f for f in result.findings if f.status in expect.statuses and cause.search(f.message)
        ]
        shown = [(f.status.value, f.message) for f in result.findings]
        wanted = sorted(s.value for s in expect.statuses)
        assert named, f"{expect.pair}: no {wanted} finding naming {expect.cause!r}: {shown}"
        assert result.status is not Status.PASS, shown
        if expect.statuses <= COULD_NOT:
            # "Could not check" must not also be read as "missing" by a new problem finding.
            old = {f.message for f in before[expect.pair].findings}
            invented = [
                f.message
                for f in result.findings
                if f.status.is_problem and f.message not in old and ABSENCE.search(f.message)
            ]
            assert not invented, f"{expect.pair}: a fault reported as absence: {invented}"

    for pair in case.same_as_baseline:
        assert results[pair].status is before[pair].status, (pair, results[pair].findings)

    # The rest of the audit still reaches verdicts where it did without the fault.
    touched = {e.pair for e in case.expect} | set(case.spill)
    lost = [
        (pair, [f.message for f in results[pair].findings])
        for pair, old in before.items()
        if pair not in touched
        and not old.status.could_not_check
        and results[pair].status.could_not_check
    ]
    assert not lost, f"checks outside the fault lost their verdict: {lost}"

    if case.memory:
        assert peak < MEMORY_LIMIT, f"peak traced memory {peak / 2**20:.0f} MB"


def test_the_matrix_covers_every_fault_family() -> None:
    ids = {case.id for case in CASES}
    for needed in (
        "dns-timeout", "dns-servfail", "dns-refused", "dns-truncated", "dns-4kb-txt",
        "dns-cname-loop", "dns-truncated-over-tcp", "dns-root-nodata", "dns-root-nxdomain",
        "dns-root-referral", "spf-include-loop", "dns-apex-nxdomain", "http-refused", "http-hang",
        "http-trickle", "http-redirect-loop", "http-redirect-chain", "http-huge-pdf",
        "http-gzip-bomb-site", "http-wrong-content-type", "tls-expired", "tls-wrong-host",
        "tls-untrusted", "smtp-no-banner", "smtp-starttls-broken", "rdap-429", "rdap-5xx",
        "rdap-html-for-json",
    ):  # fmt: skip
        assert needed in ids
