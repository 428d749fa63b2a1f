"""Answer a question only the person can answer (yes, no, does not apply, or own words).

The dialog returns (question name, answer); the app dates it and saves it to the profile
file under [answers."NAME"], the same place ``auditor scan --profile`` reads it from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from auditor.model import Finding
from auditor.profile import ManualAnswer, Profile
from auditor.questions import (
    ANSWER_CHOICES,
    MAX_ANSWER,
    answer_key,
    answer_words,
    answers_heading,
)
from auditor.tui.text import plain


@dataclass(frozen=True)
class AskedQuestion:
    key: str  # its name in the profile's answers
    text: str  # the question as the report asks it (masked copy)
    current: ManualAnswer | None = None
    fingerprint: str = ""  # of the finding that asks it


def asked(finding: Finding, profile: Profile | None) -> AskedQuestion | None:
    """The question a finding asks, with the profile's answer so far; None if it asks none."""
    key = answer_key(finding)
    if key is None:
        return None
    current = profile.answers.get(key) if profile else None
    return AskedQuestion(key, finding.message, current, finding.fingerprint)


class AnswerDialog(ModalScreen[tuple[str, str] | None]):
    """One question (or a choice of several): returns (name, answer) or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("y", "choose('yes')", "Yes", show=False),
        Binding("n", "choose('no')", "No", show=False),
        Binding("x", "choose('not-applicable')", "Does not apply", show=False),
    ]

    def __init__(self, questions: list[AskedQuestion]) -> None:
        super().__init__(classes="dialog-screen")
        self.questions = questions
        unanswered = [i for i, q in enumerate(questions) if q.current is None]
        self.index = unanswered[0] if unanswered else 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog answer-dialog"):
            yield Label("Answer this question", classes="dialog-title")
            if len(self.questions) > 1:
                yield Select(
                    [(plain(q.key), i) for i, q in enumerate(self.questions)],
                    value=self.index,
                    allow_blank=False,
                    id="answer-which",
                )
            with VerticalScroll(classes="answer-body"):
                yield Static(id="answer-question", classes="dialog-body")
                yield Static(id="answer-where", classes="dialog-body")
            with Horizontal(classes="dialog-buttons answer-choices"):
                for word, label in ANSWER_CHOICES:
                    key = {"yes": "y", "no": "n", "not-applicable": "x"}[word]
                    yield Button(f"{label} ({key})", id=f"answer-{word}")
            yield Label("Or in your own words (Enter saves):", classes="field-label")
            yield Input(id="answer-own", max_length=MAX_ANSWER)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save my words", variant="primary", id="answer-save")
                yield Button("Cancel (Esc)", id="answer-cancel")

    def on_mount(self) -> None:
        self._show()
        self.query_one("#answer-yes", Button).focus()

    def _show(self) -> None:
        question = self.questions[self.index]
        self.query_one("#answer-question", Static).update(plain(question.text, limit=1200))
        where = (
            f"Question name: {question.key}. Your answer is saved, with today's date, in your "
            f"profile under {answers_heading(question.key)}, and counts from the next audit."
        )
        if question.current is not None:
            where += f" Your answer so far: {answer_words(question.current)}."
        self.query_one("#answer-where", Static).update(plain(where))

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if isinstance(event.value, int):
            self.index = event.value
            self._show()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        button = event.button.id or ""
        if button == "answer-cancel":
            self.dismiss(None)
        elif button == "answer-save":
            self._own_words()
        elif button.startswith("answer-"):
            self.action_choose(button.removeprefix("answer-"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._own_words()

    def _own_words(self) -> None:
        text = self.query_one("#answer-own", Input).value.strip()
        if not text:
            self.notify("Write your answer first, or choose one of the buttons.")
            return
        self.dismiss((self.questions[self.index].key, text))

    def action_choose(self, word: str) -> None:
        if isinstance(self.focused, Input):  # typing an answer: the letter is part of it
            return
        self.dismiss((self.questions[self.index].key, word))

    def action_cancel(self) -> None:
        self.dismiss(None)
