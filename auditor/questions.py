"""The questions only the person can answer, and where their answers live in the profile.

A question's finding names it: the guided questions (exposure.guided, kind "guided") by their
id in ``subject``, the others (accounts.messaging) by a location "profile answers: NAME". The
name is the key of ``[answers."NAME"]`` in the profile TOML that the app and ``auditor scan``
read. ``answer_key`` reads the name back, for the app and the reports alike; ``with_answer``
gives the profile with one answer set and dated (what the app saves to the profile file).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from auditor.model import Finding
from auditor.profile import ManualAnswer, Profile

PROFILE_ANSWERS = "profile answers: "
MAX_ANSWER = 4000  # the profile loader's limit for one answer
# (the word saved, what the person is shown)
ANSWER_CHOICES = (
    ("yes", "Yes, done"),
    ("no", "No, not yet"),
    ("not-applicable", "Does not apply to me"),
)


def answer_key(finding: Finding) -> str | None:
    """The name of the question a finding asks (its key in the profile's answers), or None."""
    if finding.kind == "guided" and finding.subject:
        return finding.subject
    if finding.location.startswith(PROFILE_ANSWERS):
        return finding.location[len(PROFILE_ANSWERS) :].strip() or None
    return None


def answers_heading(key: str) -> str:
    """The profile TOML heading that holds the answer: [answers."exposure.guided.x"]."""
    return f'[answers."{key}"]'


def with_answer(profile: Profile, key: str, answer: str, on: date, note: str = "") -> Profile:
    """The profile with ``answer`` (yes, no, not-applicable or the person's own words) for the
    question ``key``, dated ``on``; ValueError with a plain reason if there is no answer."""
    text = " ".join(answer.split())
    if not key.strip():
        raise ValueError("This question has no name, so its answer cannot be saved.")
    if not text:
        raise ValueError("Write an answer first, or choose yes, no or does not apply.")
    if len(text) > MAX_ANSWER:
        raise ValueError(f"That answer is too long: keep it under {MAX_ANSWER} characters.")
    answers = dict(profile.answers)
    answers[key] = ManualAnswer(answer=text, answered_on=on.isoformat(), note=note)
    return replace(profile, answers=answers)


def answer_words(answer: ManualAnswer) -> str:
    """An answer as the person reads it: "yes (answered 2026-04-02)"."""
    shown = dict(ANSWER_CHOICES).get(answer.answer, f"“{answer.answer}”")
    return shown + (f" (answered {answer.answered_on})" if answer.answered_on else "")
