"""email.dkim against real zones on the loopback DNS server, with keys made in the test."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.demo.dns_server import DnsServer
from auditor.model import Status
from auditor.profile import Profile
from auditor.standards.email.providers import dkim_providers, load_mail_providers
from checks.email.dkim import DkimCheck, candidate_selectors
from tests.email_auth.conftest import add_zone, make_services, run_check
from tests.email_auth.keys import ed25519_p, rsa_p, txt

DOMAIN = "candidate.org.uk"
TENANT = "candidate.onmicrosoft.com"


def profile(*selectors: str) -> Profile:
    return Profile(name="Test Candidate", domains=(DOMAIN,), dkim_selectors=selectors)


async def test_keys_of_every_kind(dns_server: DnsServer) -> None:
    add_zone(
        dns_server,
        DOMAIN,
        [
            ("google._domainkey", "TXT", [txt(f"v=DKIM1; k=rsa; p={rsa_p(2048)}")]),
            (
                "selector1._domainkey",
                "CNAME",
                [f"selector1-candidate-org-uk._domainkey.{TENANT}."],
            ),
            ("campaign2026._domainkey", "TXT", [txt(f"v=DKIM1; k=ed25519; p={ed25519_p()}")]),
            ("k1._domainkey", "TXT", [txt(f"v=DKIM1; p={rsa_p(512)}")]),
            ("s1._domainkey", "TXT", [txt("v=DKIM1; k=rsa; p=")]),
            ("mail._domainkey", "TXT", [txt(f"v=DKIM1; t=y; p={rsa_p(2048)}")]),
            ("k2._domainkey", "TXT", [txt("v=DKIM1; p=AAAAB3NzaC1yc2E")]),
            ("fm1._domainkey", "TXT", [txt("v=DKIM1; p=abc; p=def")]),
        ],
    )
    add_zone(
        dns_server,
        TENANT,
        [("selector1-candidate-org-uk._domainkey", "TXT", [txt(f"v=DKIM1; p={rsa_p(1024)}")])],
    )
    outcome = await run_check(DkimCheck, DOMAIN, make_services(dns_server), profile("campaign2026"))
    statuses = outcome.statuses()
    assert statuses["selector:google"] is Status.PASS
    assert "2048-bit RSA" in outcome.by_subject("selector:google").message
    assert statuses["selector:selector1"] is Status.WARN  # 1024-bit, behind a CNAME
    assert "1024-bit" in outcome.by_subject("selector:selector1").message
    cname_evidence = outcome.by_subject("selector:selector1").evidence[0]
    assert cname_evidence.detail["cname_chain"] == [
        f"selector1-candidate-org-uk._domainkey.{TENANT}"
    ]
    assert statuses["selector:campaign2026"] is Status.PASS
    assert "ed25519" in outcome.by_subject("selector:campaign2026").message
    assert statuses["selector:k1"] is Status.FAIL
    assert outcome.by_subject("selector:k1").actions == ("email.dkim-stronger-key",)
    assert statuses["selector:s1"] is Status.WARN  # revoked
    assert "revoked" in outcome.by_subject("selector:s1").message
    assert statuses["selector:mail"] is Status.PASS
    assert statuses["testing:mail"] is Status.WARN
    assert statuses["selector:k2"] is Status.FAIL  # unreadable key material
    assert statuses["selector:fm1"] is Status.FAIL  # duplicate p= tag
    assert "discovery" not in statuses
    selectors = {s.split(":", 1)[1] for s in statuses if s.startswith("selector:")}
    assert selectors == {"google", "selector1", "campaign2026", "k1", "s1", "mail", "k2", "fm1"}
    assert "1024" in outcome.by_subject("selector:selector1").message
    assert "512" in outcome.by_subject("selector:k1").message


async def test_several_records_at_one_selector(dns_server: DnsServer) -> None:
    key = f"v=DKIM1; p={rsa_p(2048)}"
    add_zone(dns_server, DOMAIN, [("google._domainkey", "TXT", [txt(key), txt(key + " ")])])
    outcome = await run_check(DkimCheck, DOMAIN, make_services(dns_server))
    assert outcome.by_subject("selector:google").status is Status.FAIL


async def test_nothing_found_under_an_existing_domainkey_is_a_warning(
    dns_server: DnsServer,
) -> None:
    add_zone(dns_server, DOMAIN, [("unguessable._domainkey", "TXT", ['"v=DKIM1; p="'])])
    outcome = await run_check(DkimCheck, DOMAIN, make_services(dns_server))
    finding = outcome.by_subject("discovery")
    assert finding.status is Status.WARN  # never fail: selectors cannot be listed
    note = finding.evidence[-1].detail["note"]
    assert "no way to list DKIM selectors" in note
    assert "usually means some selector is published" in note
    assert "wrong in both directions" in note
    assert "Amazon SES" in note
    assert not [f for f in outcome.findings if f.subject.startswith("selector:")]


async def test_a_domain_that_sends_no_mail_needs_no_key(dns_server: DnsServer) -> None:
    add_zone(dns_server, DOMAIN, [("@", "TXT", ['"v=spf1 -all"']), ("@", "MX", ["0 ."])])
    outcome = await run_check(DkimCheck, DOMAIN, make_services(dns_server))
    finding = outcome.by_subject("discovery")
    assert finding.status is Status.PASS
    assert "sends no email" in finding.message
    # An SPF record that allows senders still gets the honest "nothing found" warning.
    dns_server.set_records(DOMAIN, "TXT", ['"v=spf1 mx -all"'])
    again = await run_check(DkimCheck, DOMAIN, make_services(dns_server))
    assert again.by_subject("discovery").status is Status.WARN


async def test_nothing_found_and_no_domainkey_name(dns_server: DnsServer) -> None:
    add_zone(dns_server, DOMAIN, [("@", "A", ["127.0.0.1"])])
    outcome = await run_check(DkimCheck, DOMAIN, make_services(dns_server))
    finding = outcome.by_subject("discovery")
    assert finding.status is Status.WARN
    note = finding.evidence[-1].detail["note"]
    assert "suggests no DKIM key" in note
    # Provider first: nothing exists under _domainkey (RFC 8020), so no selector was asked.
    asked = {q.qname for q in dns_server.queries}
    assert not any(name.endswith(f"._domainkey.{DOMAIN}") and "canary" not in name
                   for name in asked), asked  # fmt: skip
    assert "were not asked" in note and "RFC 8020" in note
    # The full sweep probes every provider selector and gives the same verdict.
    dns_server.clear_log()
    full = await run_check(DkimCheck, DOMAIN, make_services(dns_server, dkim_sweep="full"))
    assert full.by_subject("discovery").message == finding.message
    asked = {q.qname for q in dns_server.queries}
    assert {f"google._domainkey.{DOMAIN}", f"selector2._domainkey.{DOMAIN}"} <= asked
    assert f"protonmail3._domainkey.{DOMAIN}" in asked
    assert "were not asked" not in full.by_subject("discovery").evidence[-1].detail["note"]


async def test_wildcard_key_is_judged_once(dns_server: DnsServer) -> None:
    add_zone(dns_server, DOMAIN, [("*._domainkey", "TXT", [txt(f"v=DKIM1; p={rsa_p(1024)}")])])
    outcome = await run_check(DkimCheck, DOMAIN, make_services(dns_server), profile("mine"))
    assert outcome.statuses() == {"selector:*": Status.WARN}  # 1024-bit, once, not 40 times
    assert outcome.by_subject("selector:*").location == f"*._domainkey.{DOMAIN}"


async def test_revoking_wildcard_means_no_mail_is_signed(dns_server: DnsServer) -> None:
    add_zone(dns_server, DOMAIN, [("*._domainkey", "TXT", ['"v=DKIM1; p="'])])
    outcome = await run_check(DkimCheck, DOMAIN, make_services(dns_server), profile("news"))
    assert outcome.statuses() == {"discovery": Status.PASS}
    assert "revokes every DKIM selector" in outcome.by_subject("discovery").message


async def test_revoking_wildcard_beside_real_keys(dns_server: DnsServer) -> None:
    add_zone(
        dns_server,
        DOMAIN,
        [
            ("*._domainkey", "TXT", ['"v=DKIM1; p="']),
            ("google._domainkey", "TXT", [txt(f"v=DKIM1; p={rsa_p(2048)}")]),
        ],
    )
    outcome = await run_check(DkimCheck, DOMAIN, make_services(dns_server))
    assert outcome.statuses() == {"selector:google": Status.PASS}


async def test_listed_selector_missing_on_one_of_several_domains(dns_server: DnsServer) -> None:
    add_zone(dns_server, DOMAIN, [("@", "A", ["127.0.0.1"])])
    many = Profile(name="T", domains=(DOMAIN, "other.org.uk"), dkim_selectors=("gone",))
    outcome = await run_check(DkimCheck, DOMAIN, make_services(dns_server), many)
    assert outcome.statuses() == {"discovery": Status.WARN}
    assert "(gone) have no key here" in outcome.by_subject("discovery").evidence[-1].detail["note"]


async def test_listed_selector_without_key(dns_server: DnsServer) -> None:
    add_zone(dns_server, DOMAIN, [("google._domainkey", "TXT", [txt(f"p={rsa_p(2048)}")])])
    outcome = await run_check(DkimCheck, DOMAIN, make_services(dns_server), profile("gone"))
    assert outcome.by_subject("selector:gone").status is Status.WARN
    assert outcome.by_subject("selector:google").status is Status.PASS


@pytest.mark.parametrize("fault", ["servfail", "timeout"])
async def test_dns_failure_is_error_not_missing(dns_server: DnsServer, fault: str) -> None:
    add_zone(dns_server, DOMAIN, [("google._domainkey", "TXT", [txt(f"p={rsa_p(2048)}")])])
    dns_server.faults.set_suffix(f"_domainkey.{DOMAIN}", fault)
    outcome = await run_check(DkimCheck, DOMAIN, make_services(dns_server))
    finding = outcome.by_subject("discovery")
    assert finding.status is (Status.TIMEOUT if fault == "timeout" else Status.ERROR)
    assert "Could not check" in finding.message
    assert not any(f.status in (Status.WARN, Status.FAIL) for f in outcome.findings)


async def test_failed_profile_selector_is_its_own_error(dns_server: DnsServer) -> None:
    add_zone(dns_server, DOMAIN, [("google._domainkey", "TXT", [txt(f"p={rsa_p(2048)}")])])
    dns_server.faults.set(f"mine._domainkey.{DOMAIN}", "servfail")
    outcome = await run_check(DkimCheck, DOMAIN, make_services(dns_server), profile("mine"))
    assert outcome.by_subject("selector:mine").status is Status.ERROR
    assert outcome.by_subject("selector:google").status is Status.PASS


def test_shipped_provider_table() -> None:
    table = load_mail_providers()
    providers = {p.name: p.dkim for p in dkim_providers(table) if p.dkim}
    assert providers["Google Workspace"].selectors == ("google",)
    assert providers["Microsoft 365"].selectors == ("selector1", "selector2")
    assert {"k1", "k2", "k3"} <= set(providers["Mailchimp"].selectors)
    assert "Amazon SES" in providers and providers["Amazon SES"].note
    by_name = {p.name: p for p in table}
    assert "google.com" in by_name["Google Workspace"].sending_suffixes
    assert "mcsv.net" in by_name["Mailchimp"].senders
    assert by_name["iCloud Mail"].dkim is None  # a mail provider whose selectors we do not know
    assert len({p.key for p in table}) == len(table)
    for name, dkim in providers.items():
        assert dkim.source.startswith("https://")
        assert dkim.selectors or dkim.note, name


def test_candidates_profile_first_and_deduplicated() -> None:
    providers = dkim_providers(load_mail_providers())
    candidates = candidate_selectors(("Mine", "k1", "bad selector"), providers)
    assert list(candidates)[:2] == ["mine", "k1"]
    assert candidates["k1"][0] == "profile" and "Mailchimp" in candidates["k1"]
    assert "bad selector" not in candidates
    assert "Mailgun" in candidates["k1"]


HEAD = '[[provider]]\nkey = "x"\nname = "X"\n'
DKIM = '[provider.dkim]\nselectors = []\nsource = "https://x"\n'


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (HEAD + '[provider.dkim]\nselectors = ["ok"]\nsource = "http://x"\n', "https"),
        (HEAD + '[provider.dkim]\nselectors = ["a b"]\nsource = "https://x"\n', "selectors"),
        ('[[provider]]\nkey = "x"\n' + DKIM, "name"),
        ('[[provider]]\nname = "X"\n' + DKIM, "key"),
        (HEAD + "bad = 1\n" + DKIM, "unknown key"),
        (HEAD + DKIM + "bad = 1\n", "unknown dkim key"),
        (HEAD + "senders = [1]\n" + DKIM, "senders"),
        (HEAD + 'mx_suffixes = "google.com"\n', "mx_suffixes"),
    ],
)
def test_broken_provider_table(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "providers.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=problem):
        load_mail_providers(path)
