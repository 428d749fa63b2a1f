"""exposure.rdap, exposure.companies_house and exposure.guided against loopback fixtures."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from auditor.actions import parse_actions_file
from auditor.demo.web_server import json_response
from auditor.engine import Engine
from auditor.model import Report, Severity, Status
from auditor.profile import ManualAnswer
from checks.exposure.companies_house import CompaniesHouseCheck, name_words
from checks.exposure.guided import GuidedCheck, load_questions
from checks.exposure.rdap import RdapCheck

RDAP = "https://rdap.leaks.example/"
API = "https://api.leaks.example/"
ACTIONS = Path(__file__).resolve().parents[2] / "checks" / "data" / "actions" / "exposure.toml"


def jcard(*props: list[Any]) -> list[Any]:
    return ["vcard", [["version", {}, "text", "4.0"], *props]]


def rdap_domain(name: str, contact: list[Any], redacted: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "objectClassName": "domain",
        "ldhName": name,
        "entities": [
            {"objectClassName": "entity", "roles": ["registrar"], "vcardArray": jcard()},
            {"objectClassName": "entity", "roles": ["registrant"], "vcardArray": contact},
        ],
    }
    if redacted:
        data["redacted"] = [{"name": {"type": "Registrant Name"}, "method": "removal"}]
    return data


OPEN = jcard(
    ["fn", {}, "text", "Alex Example"],
    ["adr", {}, "text", ["", "", "12 Acacia Avenue", "Ashcombe", "", "AB1 2CD", "GB"]],
    ["tel", {"type": "voice"}, "uri", "tel:+44.7700900123"],
    ["email", {}, "text", "alex.home@example.net"],
)
HIDDEN = jcard(
    ["fn", {}, "text", "REDACTED FOR PRIVACY"],
    ["adr", {"label": "Data Protected"}, "text", ["", "", "", "", "", "", ""]],
    ["email", {}, "text", "Please query the RDDS service of the Registrar of Record"],
)


async def run(world: Any, corpus: Any, check: type, profile: Any = None, **opts: Any) -> Report:
    endpoints = {
        "rdap_uk": RDAP + "uk/",
        "rdap_bootstrap": RDAP + "dns.json",
        "companies_house": API,
    }
    async with world.services(endpoints=endpoints, **opts) as services:
        profile = profile or corpus.corpus_profile(domains=("alex.org.uk", "alex.example"))
        return await Engine.from_checks([check]).run(profile, services)


async def test_rdap_open_record_is_found_and_redacted_passes(world: Any, corpus: Any) -> None:
    web = world.web
    web.route("rdap.leaks.example", "/uk/domain/alex.org.uk", json_response(
        rdap_domain("alex.org.uk", OPEN), content_type="application/rdap+json"
    ))  # fmt: skip
    web.route("rdap.leaks.example", "/dns.json", json_response(
        {"version": "1.0", "services": [[["example"], [RDAP + "example/"]]]}
    ))  # fmt: skip
    web.route("rdap.leaks.example", "/example/domain/alex.example", json_response(
        rdap_domain("alex.example", HIDDEN, redacted=True)
    ))  # fmt: skip
    report = await run(world, corpus, RdapCheck)
    by_target = {r.target: r for r in report.results}
    open_record = by_target["alex.org.uk"].findings
    kinds = {f.subject.split(":")[-1]: f for f in open_record}
    assert kinds["home-address"].severity is Severity.CRITICAL
    assert kinds["phone"].status is Status.FAIL and kinds["email"].status is Status.WARN
    assert all(f.actions == ("exposure.domain-privacy",) for f in open_record)
    assert "12 Acacia Avenue" in kinds["home-address"].evidence[0].sensitive[0]
    hidden = by_target["alex.example"].findings
    assert [f.status for f in hidden] == [Status.PASS] and "redacted" in hidden[0].message


async def test_an_rdap_record_with_contacts_past_the_cap_is_partly_checked_not_clean(
    world: Any, corpus: Any
) -> None:
    # 120 redacted contacts, then the open one: the check reads the first 100 and must say so.
    data = rdap_domain("alex.org.uk", HIDDEN)
    hidden = {"objectClassName": "entity", "roles": ["technical"], "vcardArray": HIDDEN}
    data["entities"] = [hidden] * 120 + [
        {"objectClassName": "entity", "roles": ["registrant"], "vcardArray": OPEN}
    ]
    world.web.route("rdap.leaks.example", "/uk/domain/alex.org.uk", json_response(data))
    profile = corpus.corpus_profile(domains=("alex.org.uk",))
    report = await run(world, corpus, RdapCheck, profile)
    (finding,) = report.findings
    assert finding.status is Status.ERROR and finding.subject == "partly-checked"
    assert "the contacts after the first 100 could not be read" in finding.message


@pytest.mark.parametrize(
    ("fault", "words"),
    [("429", "rate-limiting"), ("5xx", "server error"), ("html-for-json", "web page")],
)
async def test_rdap_trouble_is_could_not_check(
    world: Any, corpus: Any, fault: str, words: str
) -> None:
    world.web.route("rdap.leaks.example", "/uk/domain/alex.org.uk", json_response({}))
    world.web.faults.set("rdap.leaks.example", fault)
    profile = corpus.corpus_profile(domains=("alex.org.uk",))
    report = await run(world, corpus, RdapCheck, profile)
    (finding,) = report.findings
    assert finding.status is Status.ERROR and words in finding.message
    if fault == "429":
        assert "120 seconds" in finding.message


OFFICERS = {
    "items": [
        {
            "title": "Alex EXAMPLE",
            "address_snippet": "12 Acacia Avenue, Ashcombe, AB1 2CD",
            "links": {"self": "/officers/abc123/appointments"},
        },
        {
            "title": "Alex EXAMPLE",
            "address_snippet": "40 Acacia Avenue, Ashcombe, AB1 2CE",
            "links": {"self": "/officers/def456/appointments"},
        },
        {"title": "Alexandra EXAMPLE-JONES", "address_snippet": "12 Acacia Avenue, AB1 2CD"},
    ]
}


async def test_companies_house_needs_consent_and_key(world: Any, corpus: Any) -> None:
    no_consent = await run(world, corpus, CompaniesHouseCheck, companies_house_key="k")
    no_key = await run(world, corpus, CompaniesHouseCheck, allow_personal_lookups=True)
    for report, words in ((no_consent, "--allow-personal-lookups"), (no_key, "API key")):
        (finding,) = report.findings
        assert finding.status is Status.SKIPPED and words in finding.message
    assert not world.web.requests_to("api.leaks.example")


async def test_companies_house_home_service_address(world: Any, corpus: Any) -> None:
    world.web.route("api.leaks.example", "/search/officers", json_response(OFFICERS))
    report = await run(
        world, corpus, CompaniesHouseCheck, allow_personal_lookups=True, companies_house_key="k3y"
    )
    problems = [f for f in report.findings if f.status.is_problem]
    assert len(problems) == 1 and problems[0].severity is Severity.CRITICAL
    assert problems[0].location.endswith("/officers/abc123/appointments")
    (request,) = world.web.requests_to("api.leaks.example")
    assert request.header("authorization") == "Basic " + base64.b64encode(b"k3y:").decode()
    # The name is what this opt-in check sends; never the address, phone or email.
    assert "Alex" in request.query and "Acacia" not in request.query
    assert name_words("EXAMPLE, Mr Alex") == name_words("alex example")


async def test_guided_answers(world: Any, corpus: Any) -> None:
    questions = load_questions()
    assert len(questions) >= 9
    action_ids = {a.id for a in parse_actions_file(ACTIONS)}
    for question in questions:
        assert question.action in action_ids
        assert all(url.startswith("https://") for _title, url in question.links)
    answers = {
        "exposure.guided.open-register": ManualAnswer("yes", "2025-03-01"),
        "exposure.guided.ballot-address": ManualAnswer("no", "2025-03-02"),
    }
    profile = corpus.corpus_profile(answers=answers)
    report = await run(world, corpus, GuidedCheck, profile)
    status = {f.subject: f.status for f in report.findings}
    assert status.pop("exposure.guided.open-register") is Status.PASS
    assert status.pop("exposure.guided.ballot-address") is Status.WARN
    assert set(status.values()) == {Status.MANUAL}
    assert not world.web.requests


def test_every_action_the_checks_name_is_defined() -> None:
    import auditor.exposure as common
    import checks.exposure.documents as documents
    import checks.exposure.imprint as imprint
    import checks.exposure.photos as photos

    defined = {a.id for a in parse_actions_file(ACTIONS)}
    named = {a for actions in common.ACTIONS.values() for a in actions}
    named |= {*documents.DOCUMENT_ACTIONS, *photos.PHOTO_ACTIONS, *imprint.IMPRINT_ACTIONS}
    named |= {"exposure.domain-privacy", "exposure.companies-house-address"}
    assert named <= defined, named - defined
