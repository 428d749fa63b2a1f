"""build_checklist: order, grouping, de-duplication, fallbacks, status and scores."""

from __future__ import annotations

from collections.abc import Callable

from auditor.actions import ActionSet
from auditor.checklist import (
    ChecklistState,
    Group,
    ItemStatus,
    Verified,
    build_checklist,
)
from auditor.model import Confidence, Report, Severity, Status
from auditor.scores import result_outcome

ReportFactory = Callable[..., Report]


def test_home_address_and_primary_email_without_2fa_come_first_with_official_links(
    make_report: ReportFactory, make_finding: Callable[..., object], actions: ActionSet
) -> None:
    f = make_finding
    report = make_report([
        f("web.headers", Status.WARN, Severity.LOW, actions=["web.add-headers"]),
        f("email.dmarc", Status.FAIL, Severity.HIGH, actions=["email.dmarc-enforce"]),
        f("exposure.pages", Status.FAIL, Severity.CRITICAL, kind="home-address",
          location="https://party.example/team", actions=["exposure.remove-home-address"]),
        f("accounts.twofactor", Status.FAIL, Severity.CRITICAL, kind="primary-email",
          subject="gmail", actions=["accounts.primary-email-2fa"]),
        f("exposure.pages", Status.WARN, Severity.MEDIUM, kind="phone",
          location="https://club.example/", actions=["exposure.remove-home-address"]),
    ])  # fmt: skip
    checklist = build_checklist(report, actions)
    top = checklist.items[:2]
    assert [i.id for i in top] == ["exposure.remove-home-address", "accounts.primary-email-2fa"]
    for item in top:
        assert item.group is Group.TODAY and item.status is ItemStatus.OPEN
        assert item.links and all(link.url.startswith("https://") for link in item.links)
    home = checklist.items[0]
    assert {x.kind for x in home.findings} == {"home-address", "phone"}
    assert home.severity is Severity.CRITICAL


def test_one_item_per_action_linking_every_finding(
    make_report: ReportFactory, make_finding: Callable[..., object], actions: ActionSet
) -> None:
    f = make_finding
    findings = [
        f("exposure.pages", Status.FAIL, Severity.HIGH, kind="postcode", location=f"https://s{i}/",
          actions=["exposure.remove-home-address"])
        for i in range(4)
    ]  # fmt: skip
    checklist = build_checklist(make_report(findings), actions)
    items = [i for i in checklist.items if i.id == "exposure.remove-home-address"]
    assert len(items) == 1
    assert len(items[0].findings) == 4
    assert set(items[0].fingerprints) == {x.fingerprint for x in findings}  # type: ignore[attr-defined]


def test_exposure_kind_then_certainty_breaks_severity_ties(
    make_report: ReportFactory, make_finding: Callable[..., object], actions: ActionSet
) -> None:
    f = make_finding
    report = make_report([
        f("email.dmarc", Status.FAIL, Severity.HIGH, actions=["email.dmarc-enforce"]),
        f("exposure.pages", Status.FAIL, Severity.HIGH, kind="home-address",
          confidence=Confidence.MEDIUM, actions=["exposure.remove-home-address"]),
    ])  # fmt: skip
    ids = [i.id for i in build_checklist(report, actions).items]
    assert ids.index("exposure.remove-home-address") < ids.index("email.dmarc-enforce")


def test_groups(
    make_report: ReportFactory, make_finding: Callable[..., object], actions: ActionSet
) -> None:
    f = make_finding
    report = make_report([
        f("email.dmarc", Status.FAIL, Severity.HIGH, actions=["email.dmarc-enforce"]),  # 30 min
        f("email.spf", Status.FAIL, Severity.HIGH, actions=["email.spf-fix"]),  # 90 min
        f("web.headers", Status.WARN, Severity.LOW, actions=["web.add-headers"]),
        f("exposure.pages", Status.FAIL, Severity.HIGH, kind="imprint",
          actions=["exposure.imprint-agent-address"]),
    ])  # fmt: skip
    checklist = build_checklist(report, actions)
    group = {i.id: i.group for i in checklist.items}
    assert group["email.dmarc-enforce"] is Group.TODAY
    assert group["email.spf-fix"] is Group.WEEK
    assert group["web.add-headers"] is Group.KEEP
    assert group["exposure.imprint-agent-address"] is Group.NOMINATION
    # standing advice is always there, and never in "Do today" when nothing led to it
    assert group["general.recheck-after-fixing"] is Group.KEEP
    assert group["general.minimise-public-info"] is Group.WEEK
    titles = [g.label for g, _ in checklist.groups()]
    assert titles == ["Do today", "Before nomination papers", "This week", "Keep doing"]


def test_finding_without_action_gets_its_category_fallback(
    make_report: ReportFactory, make_finding: Callable[..., object], actions: ActionSet
) -> None:
    f = make_finding
    report = make_report([
        f("email.spf", Status.FAIL, Severity.MEDIUM),
        f("exposure.pages", Status.FAIL, Severity.HIGH, kind="street", actions=["exposure.nope"]),
        f("plugin.thing", Status.WARN, Severity.MEDIUM),
    ])  # fmt: skip
    checklist = build_checklist(report, actions)
    email = checklist.item("general.review-email-finding")
    assert email is not None and email.fallback and email.findings[0].check_id == "email.spf"
    assert "https://www.rfc-editor.org/rfc/rfc7208" in {link.url for link in email.links}
    exposure = checklist.item("general.review-exposure-finding")
    assert exposure is not None and exposure.findings[0].kind == "street"
    assert any("exposure.nope" in p for p in checklist.problems)
    plugin = checklist.item("general.review-plugin-finding")
    assert plugin is not None and plugin.links


def test_passes_and_could_not_check_make_no_items(
    make_report: ReportFactory, make_finding: Callable[..., object], actions: ActionSet
) -> None:
    f = make_finding
    report = make_report([
        f("email.dmarc", Status.PASS, Severity.INFO, actions=["email.dmarc-enforce"]),
        f("email.spf", Status.TIMEOUT, Severity.HIGH, actions=["email.spf-fix"]),
    ])  # fmt: skip
    checklist = build_checklist(report, actions)
    assert checklist.item("email.dmarc-enforce") is None
    assert checklist.item("email.spf-fix") is None
    assert [x.check_id for x in checklist.not_checked] == ["email.spf"]


def test_manual_checks_carry_their_questions_and_answers(
    make_report: ReportFactory, make_finding: Callable[..., object], actions: ActionSet
) -> None:
    question = make_finding(
        "exposure.guided", Status.MANUAL, Severity.INFO, subject="electoral-register",
        message="Have you opted out of the open electoral register?",
    )  # fmt: skip
    report = make_report([question])
    checklist = build_checklist(report, actions)
    item = checklist.item("general.answer-questions")
    assert item is not None
    assert [q.text for q in item.questions] == [
        "Have you opted out of the open electoral register?"
    ]
    state = ChecklistState(answers={question.fingerprint: "yes"})  # type: ignore[attr-defined]
    answered = build_checklist(report, actions, state).item("general.answer-questions")
    assert answered is not None and answered.questions[0].answer == "yes"


def test_tick_dismiss_and_verified_status(
    make_report: ReportFactory, make_finding: Callable[..., object], actions: ActionSet
) -> None:
    f = make_finding
    dmarc = f("email.dmarc", Status.FAIL, Severity.HIGH, actions=["email.dmarc-enforce"])
    headers = f("web.headers", Status.WARN, Severity.LOW, actions=["web.add-headers"])
    report = make_report([dmarc, headers])
    state = ChecklistState(
        ticked={"email.dmarc-enforce": "2026-04-30T10:00:00Z"},
        dismissed={headers.fingerprint: "2026-04-30"},  # type: ignore[attr-defined]
        verified={"exposure.remove-home-address": Verified("2026-04-29T09:00:00Z", ("abc",))},
    )
    checklist = build_checklist(report, actions, state)
    done = checklist.item("email.dmarc-enforce")
    assert done is not None and done.status is ItemStatus.DONE and done.ticked_but_still_found
    dismissed = checklist.item("web.add-headers")
    assert dismissed is not None and dismissed.status is ItemStatus.DISMISSED
    assert not dismissed.findings and len(dismissed.dismissed_findings) == 1
    verified = checklist.item("exposure.remove-home-address")
    assert verified is not None and verified.status is ItemStatus.VERIFIED
    # settled items sort after what is still to do
    open_positions = [n for n, i in enumerate(checklist.items) if i.status is ItemStatus.OPEN]
    settled = [n for n, i in enumerate(checklist.items) if i.status is not ItemStatus.OPEN]
    assert max(open_positions) < min(settled)


def test_a_verified_action_found_again_is_open(
    make_report: ReportFactory, make_finding: Callable[..., object], actions: ActionSet
) -> None:
    report = make_report(
        [make_finding("email.dmarc", Status.FAIL, actions=["email.dmarc-enforce"])]
    )
    state = ChecklistState(verified={"email.dmarc-enforce": Verified("2026-04-01T00:00:00Z")})
    item = build_checklist(report, actions, state).item("email.dmarc-enforce")
    assert item is not None and item.status is ItemStatus.OPEN


def test_scores_like_internet_nl(
    make_report: ReportFactory, make_finding: Callable[..., object], actions: ActionSet
) -> None:
    f = make_finding
    report = make_report([
        f("email.dmarc", Status.PASS, Severity.INFO, target="a.org"),
        f("email.spf", Status.WARN, Severity.MEDIUM, target="a.org"),
        f("email.dmarc", Status.FAIL, Severity.HIGH, target="b.org"),
        f("email.spf", Status.ERROR, Severity.HIGH, target="b.org"),
        f("web.headers", Status.TIMEOUT, Severity.LOW),
        f("exposure.guided", Status.MANUAL, Severity.INFO),
        f("exposure.pages", Status.PASS, Severity.INFO),
    ])  # fmt: skip
    checklist = build_checklist(report, actions)
    scores = {s.category: s for s in checklist.scores}
    email = scores["email"]
    assert (email.passed, email.warned, email.failed, email.not_checked) == (1, 1, 1, 1)
    assert email.percent == 50  # (1 + 0.5 + 0) / 3
    assert scores["web"].percent is None and scores["web"].not_checked == 1
    assert scores["exposure"].percent == 100 and scores["exposure"].to_answer == 1
    overall = checklist.overall
    assert overall.checked == 4 and overall.percent == 63  # 2.5 / 4 = 62.5, rounded half up
    assert overall.not_checked == 2 and overall.to_answer == 1


def test_result_outcome_rules() -> None:
    assert result_outcome([Status.PASS, Status.FAIL, Status.TIMEOUT]) == "fail"
    assert result_outcome([Status.PASS, Status.TIMEOUT]) == "not-checked"
    assert result_outcome([Status.PASS, Status.MANUAL]) == "manual"
    assert result_outcome([]) == "not-checked"
    assert result_outcome([Status.PASS, Status.PASS]) == "pass"


def test_checklist_to_dict_round_trips_through_json(
    make_report: ReportFactory, make_finding: Callable[..., object], actions: ActionSet
) -> None:
    import json

    report = make_report([make_finding("email.dmarc", actions=["email.dmarc-enforce"])])
    data = json.loads(json.dumps(build_checklist(report, actions).to_dict()))
    assert data["items"][0]["id"] == "email.dmarc-enforce"
    assert data["groups"][0]["title"] == "Do today"
    assert data["overall"]["percent"] == 0


def test_a_checks_main_fix_comes_before_its_follow_ups(
    make_report: ReportFactory, make_finding: Callable[..., object], actions: ActionSet
) -> None:
    f = make_finding
    follow_up, main = "general.recheck-after-fixing", "exposure.remove-home-address"
    report = make_report([
        f("exposure.pages", Status.FAIL, Severity.CRITICAL, kind="home-address",
          location=f"https://s{i}.example/", actions=[main, follow_up])
        for i in range(3)
    ] + [
        f("exposure.pages", Status.FAIL, Severity.CRITICAL, kind="home-address",
          location="https://t.example/", actions=[follow_up])
    ])  # fmt: skip
    ids = [i.id for i in build_checklist(report, actions).items]
    assert ids.index(main) < ids.index(follow_up)


def test_do_today_stays_doable(
    make_report: ReportFactory, make_finding: Callable[..., object], actions: ActionSet
) -> None:
    """Critical always stays; quick high fixes fill two hours, then wait for this week."""
    f = make_finding
    report = make_report([
        f("exposure.pages", Status.FAIL, Severity.CRITICAL, kind="home-address",
          actions=["exposure.remove-home-address"]),  # 20 min
        f("accounts.twofactor", Status.FAIL, Severity.CRITICAL, kind="primary-email",
          actions=["accounts.primary-email-2fa"]),  # 15 min
        f("email.dmarc", Status.FAIL, Severity.HIGH, actions=["email.dmarc-enforce"]),  # 30
        f("web.headers", Status.FAIL, Severity.HIGH, actions=["web.add-headers"]),  # 30
        f("exposure.pages", Status.FAIL, Severity.HIGH, kind="street",
          location="https://x.example/", actions=["general.high-risk-individual"]),  # 45
        f("exposure.pages", Status.FAIL, Severity.CRITICAL, kind="imprint",
          location="https://y.example/", actions=["exposure.imprint-agent-address"]),
    ])  # fmt: skip
    checklist = build_checklist(report, actions)
    today = [i.id for i in checklist.group(Group.TODAY)]
    assert today[:2] == ["exposure.remove-home-address", "accounts.primary-email-2fa"]
    assert sum(i.action.effort_minutes for i in checklist.group(Group.TODAY)) <= 120
    assert today[2:] == ["general.high-risk-individual", "email.dmarc-enforce"]  # 35+45+30
    item = checklist.item("web.add-headers")
    assert item is not None and item.group is Group.WEEK
    # tied to the nomination papers: that is its deadline, even when critical
    imprint = checklist.item("exposure.imprint-agent-address")
    assert imprint is not None and imprint.group is Group.NOMINATION
