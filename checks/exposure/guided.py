"""exposure.guided: the places a home address is public that the tool cannot look at for
itself (ballot paper, notice of agents, registers, people-search sites, social media…), as
questions with a plain-English reason and official links. The answers live in the profile:
"yes" (done) passes, "no" warns, no answer yet asks (manual)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from auditor.check import Check, CheckContext, CheckMeta
from auditor.model import Confidence, Evidence, Finding, Severity, Status

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
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path.name}: question {table.get('id', '?')!r}: {exc}") from None
    return questions


class GuidedCheck(Check):
    meta = CheckMeta(
        id="exposure.guided",
        title="Guided: where your address may be public off your sites",
        category="exposure",
        target="person",
        severity=Severity.HIGH,
        guidance="https://www.electoralcommission.org.uk/i-am-a/candidate-or-agent",
        description=(
            "Questions about the ballot paper, the notice of election agents, the register "
            "of interests, the open register, people-search sites, search results, social "
            "media, the Land Registry and web archives, answered in your profile."
        ),
        timeout=10.0,
    )

    async def run(self, ctx: CheckContext) -> list[Finding]:
        return [answer_finding(ctx, q) for q in load_questions()]


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
