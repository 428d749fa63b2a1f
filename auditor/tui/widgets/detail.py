"""The detail of a finding or a checklist item, as plain rich Text (never markup).

Every string from outside (messages, locations, snippets, titles) passes through
``auditor.tui.text.plain``. The findings and items shown here come from the masked copy of the
audit (``auditor.masking.masked_audit``, the one the writers render), so the app hides exactly
what the written reports hide.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text

from auditor.actions import Action, ActionSet
from auditor.checklist import ChecklistItem
from auditor.model import Finding, Report, Status
from auditor.profile import ManualAnswer
from auditor.questions import answer_words, answers_heading
from auditor.tui.text import STATUS_STYLE, plain
from auditor.wording import (
    DETAILS_HEADING,
    URGENCY_WORDS,
    details_for_volunteer,
    evidence_in_words,
    status_with_symbol,
    urgency_in_words,
)

if TYPE_CHECKING:
    from auditor.tui.screens.answer import AskedQuestion

MAX_EVIDENCE = 5


def _section(out: Text, title: str) -> None:
    """A heading with one blank line above it, whatever came before."""
    out.rstrip()
    out.append("\n\n")
    out.append(title, style="bold underline")
    out.append("\n")


def _links(action: Action | None, guidance: str) -> Text:
    out = Text(end="")
    seen: set[str] = set()
    pairs = [(link.title, link.url) for link in action.links] if action else []
    if guidance:
        pairs.append(("Guidance for this check", guidance))
    for title, url in pairs:
        if url in seen:
            continue
        seen.add(url)
        out.append(plain(f"• {title}: "))
        out.append(plain(url, style="underline"))
        out.append("\n")
    return out


def _answer_section(out: Text, key: str, current: ManualAnswer | None) -> None:
    _section(out, "Your answer")
    if current is not None:
        out.append(plain(f"You answered: {answer_words(current)}."))
        out.append("\n")
    out.append(plain("Press a to answer here.", style="bold"))
    out.append(plain(" Your answer is saved in your profile and counts from the next audit."))


def finding_detail(
    finding: Finding,
    report: Report,
    actions: ActionSet,
    dismissed: bool,
    question: tuple[str, ManualAnswer | None] | None = None,
) -> Text:
    info = next((c for c in report.checks if c.id == finding.check_id), None)
    out = Text(end="")
    out.append(status_with_symbol(finding.status), style=STATUS_STYLE[finding.status])
    problem = finding.status.is_problem
    words = urgency_in_words(finding.severity, finding.confidence, problem=problem)
    out.append(f"   {words}")
    if dismissed:
        out.append("   dismissed as a false positive", style="italic")
    out.append("\n")
    out.append(plain(finding.message, style="bold"))
    out.append("\n")
    out.append(plain(f"Check: {info.title if info else finding.check_id}"))
    out.append("\n")
    out.append(plain(f"On: {finding.target}"))
    if finding.location and question is None:  # a question's location is only its name
        out.append("\n")
        out.append(plain(f"Where: {finding.location}"))
    if question is not None:
        _answer_section(out, *question)
    if finding.evidence:
        # a question found nothing: its evidence is the advice it is asked from
        _section(out, "Where this question comes from" if question else "What was found")
        for evidence in finding.evidence[:MAX_EVIDENCE]:
            seen = evidence_in_words(evidence.source, evidence.location)
            out.append(
                plain(f"• {seen[0].upper()}{seen[1:]}" if question else f"• Found in {seen}")
            )
            out.append("\n")
            if evidence.snippet:
                out.append(plain(f"  “{evidence.snippet}”", style="italic", limit=600))
                out.append("\n")
        hidden = len(finding.evidence) - MAX_EVIDENCE
        if hidden > 0:
            out.append(plain(f"… and {hidden} more in the exported report\n"))
    known = [a for a in (actions.get(i) for i in finding.actions) if a is not None]
    action = known[0] if known else None
    if finding.status.could_not_check:
        _section(out, "Why it matters")
        out.append(
            plain(
                "This could not be checked, so it is neither a pass nor a problem. "
                "Run the audit again later, or ask your IT volunteer."
            )
        )
    elif action is not None and finding.status is not Status.PASS:
        _section(out, "Why it matters")
        out.append(plain(action.why))
        _section(out, "How to fix it")
        for number, step in enumerate(action.steps, 1):
            out.append(plain(f"{number}. {step}"))
            out.append("\n")
        out.append(plain(f"Who: {action.who}. About {action.effort_minutes} minutes."))
    links = _links(action, info.guidance if info else "")
    if links:
        _section(out, "Official advice")
        out.append(links)
    _section(out, DETAILS_HEADING)
    details: tuple[str, ...] = details_for_volunteer(
        finding.check_id, finding.severity, finding.confidence, finding.fingerprint
    )
    if question is not None:  # where a volunteer finds the answer in the profile file
        key = question[0]
        details = (*details, f"question: {key}, saved in the profile under {answers_heading(key)}")
    for number, line in enumerate(details):
        out.append("\n" if number else "")
        out.append(plain(line, style="dim"))
    return out


def item_detail(item: ChecklistItem, asked: Sequence[AskedQuestion] = ()) -> Text:
    action = item.action
    out = Text(end="")
    out.append(item.status.mark, style="bold")
    out.append(f"   {item.group.label}. {URGENCY_WORDS[item.severity]}.")
    out.append("\n")
    out.append(plain(action.title, style="bold"))
    out.append("\n")
    out.append(plain(f"Who: {action.who}. About {action.effort_minutes} minutes."))
    if item.ticked_but_still_found:
        out.append("\n")
        out.append(plain("You ticked this, but the last audit still found it.", style="italic"))
    _section(out, "Why")
    out.append(plain(action.why))
    _section(out, "Steps")
    for number, step in enumerate(action.steps, 1):
        out.append(plain(f"{number}. {step}"))
        out.append("\n")
    if item.findings:
        _section(out, "Because the audit found")
        for finding in item.findings[:MAX_EVIDENCE]:
            out.append(plain(f"• {finding.message}"))
            out.append("\n")
    if item.questions:
        _section(out, "Questions only you can answer")
        named = {q.fingerprint: q for q in asked}
        for question in item.questions:
            out.append(plain(f"• {question.text}"))
            out.append("\n")
            mine = named.get(question.fingerprint)
            if mine is not None:
                said = (
                    f"you answered {answer_words(mine.current)}"
                    if mine.current is not None
                    else "no answer yet"
                )
                out.append(plain(f"  Question name {mine.key}: {said}.", style="italic"))
                out.append("\n")
            elif question.answer:
                out.append(plain(f"  Your answer: {question.answer}", style="italic"))
                out.append("\n")
        if asked:
            out.append(plain("Press a to answer here (saved in your profile).", style="bold"))
            out.append("\n")
    links = Text(end="")
    for link in item.links:
        links.append(plain(f"• {link.title}: "))
        links.append(plain(link.url, style="underline"))
        links.append("\n")
    if links:
        _section(out, "Official advice")
        out.append(links)
    return out
