"""exposure.guided: the places a home address is public that the tool cannot look at for
itself (ballot paper, notice of agents, registers, people-search sites, social media…), as
questions with a plain-English reason and official links. The answers live in the profile:
"yes" (done) passes, "no" warns, no answer yet asks (manual)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Confidence, Evidence, Finding, Severity, Status
from auditor.vocabulary import Category, TargetKind

GUIDED_FILE = files("checks.data") / "guided.toml"
DONE = frozenset({"yes", "done", "not-applicable"})


@dataclass(frozen=True)
class Question:
    id: str
    title: str
    question: str
    why: str
    action: str
    severity: Severity
    links: tuple[tuple[str, str], ...]
    automated_by: str = ""  # a check that does part of this for the person
    checked: str = ""  # what that check looked at
    remaining: str = ""  # what is left for the person once it has run


def load_questions(path: Traversable = GUIDED_FILE) -> list[Question]:
    """The questions in guided.toml; ValueError naming the question on a malformed entry."""
    data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    questions: list[Question] = []
    for table in data.get("question", []):
        try:
            questions.append(
                Question(
                    id=str(table["id"]),
                    title=str(table["title"]),
                    question=str(table["question"]),
                    why=str(table["why"]),
                    action=str(table["action"]),
                    severity=Severity.parse(str(table["severity"])),
                    links=tuple((str(k["title"]), str(k["url"])) for k in table["links"]),
                    automated_by=str(table.get("automated_by", "")),
                    checked=str(table.get("checked", "")),
                    remaining=str(table.get("remaining", "")),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path.name}: question {table.get('id', '?')!r}: {exc}") from None
    return questions


class GuidedCheck(Check):
    meta = CheckMeta(
        id="exposure.guided",
        title="Guided: where your address may be public off your sites",
        category=Category.EXPOSURE,
        target=TargetKind.PERSON,
        severity=Severity.HIGH,
        guidance="https://www.electoralcommission.org.uk/i-am-a/candidate-or-agent",
        description=(
            "Questions about the ballot paper, the notice of election agents, the register "
            "of interests, the open register, people-search sites, search results, social "
            "media, the Land Registry and web archives, answered in your profile; where "
            "exposure.archives or exposure.search ran, only what they cannot do is asked."
        ),
        # The automated checks run first, so that a question says what they already did.
        requires=("exposure.archives", "exposure.search"),
        timeout=240.0,
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        ran = {
            check_id for check_id in self.meta.requires if await _reached_verdicts(ctx, check_id)
        }
        return [answer_finding(ctx, narrowed(q, ran)) for q in load_questions()]


async def _reached_verdicts(ctx: CheckContext, check_id: str) -> bool:
    """True when the check ran and looked (not skipped, not only "could not check")."""
    results = await ctx.requirement(check_id)
    return any(not f.status.could_not_check for r in results for f in r.findings)


def narrowed(question: Question, ran: set[str]) -> Question:
    """The question as asked once its automated part is done: what was checked, and only
    what is left for the person."""
    if not question.automated_by or question.automated_by not in ran or not question.remaining:
        return question
    return replace(question, question=question.remaining, why=f"{question.checked} {question.why}")


def answer_finding(ctx: CheckContext, question: Question) -> Finding:
    answer = ctx.profile.answers.get(question.id)
    evidence = [
        Evidence(
            source="attested" if answer else "guided",
            location=url,
            snippet=title,
            detail={"question": question.question, "why": question.why},
        )
        for title, url in question.links
    ]
    common: dict[str, Any] = {
        "location": question.id,
        "kind": "guided",
        "subject": question.id,
        "evidence": evidence,
        "actions": (question.action,),
    }
    if answer is None:
        return ctx.finding(
            Status.MANUAL,
            f"{question.question} {question.why}",
            severity=question.severity,
            confidence=Confidence.LOW,
            **common,
        )
    when = f" (answered {answer.answered_on})" if answer.answered_on else ""
    word = answer.answer.strip().lower()
    if word in DONE:
        return ctx.finding(Status.PASS, f"{question.title}: you said this is done{when}.", **common)
    if word == "no":
        return ctx.finding(
            Status.WARN,
            f"{question.title}: not done yet{when}. {question.why}",
            severity=question.severity,
            confidence=Confidence.MEDIUM,
            **common,
        )
    return ctx.finding(
        Status.MANUAL,
        f"{question.title}: your answer {answer.answer[:80]!r}{when} is not yes or no; "
        f"{question.question}",
        severity=question.severity,
        confidence=Confidence.LOW,
        **common,
    )
