"""Rule tables: every finding a check can give, each with a stable id (bandit's ``B113``).

A long judgement ladder reads better as a table: one ``Rule`` per possible finding, with
its id, verdict, severity, subject, wording and actions, and the check's code left to say
*when* each applies. The id never changes when the wording does, so scripts, dismissals in
other tools and docs/findings.md can name a finding exactly ("SPF004: ends in ~all").

Pure data: the core and checks import it; it imports only the vocabulary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from string import Formatter

from auditor.vocabulary import Severity, Status

__all__ = ["Rule", "RuleTable"]

_ID = re.compile(r"[A-Z]{2,8}[0-9]{3}")


@dataclass(frozen=True)
class Rule:
    """One possible finding of one check.

    ``message`` (and ``subject``, when one rule covers several things, such as each report
    destination) is a ``str.format`` template over the facts the check passes
    (``"needs {lookups} DNS lookups"``); ``severity`` None means the check's default for
    a problem and info otherwise, as ``CheckContext.finding`` decides.
    """

    id: str
    status: Status
    subject: str
    message: str
    severity: Severity | None = None
    actions: tuple[str, ...] = ()
    # One line for docs/findings.md when the template alone does not say when it applies.
    when: str = ""

    def __post_init__(self) -> None:
        if not _ID.fullmatch(self.id):
            raise ValueError(f"rule id {self.id!r} is not letters then three digits (SPF004)")

    @property
    def fields(self) -> frozenset[str]:
        """The facts the message and subject templates need."""
        parsed = [*Formatter().parse(self.message), *Formatter().parse(self.subject)]
        return frozenset(name for _, name, _, _ in parsed if name)

    def text(self, **facts: object) -> str:
        self._needs(facts)
        return self.message.format(**facts)

    def subject_of(self, **facts: object) -> str:
        self._needs(facts)
        return self.subject.format(**facts)

    def _needs(self, facts: dict[str, object]) -> None:
        missing = self.fields - facts.keys()
        if missing:
            raise KeyError(f"rule {self.id} needs {', '.join(sorted(missing))}")


class RuleTable:
    """A check's rules by id; ids are unique and share one prefix."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules: dict[str, Rule] = {}
        for rule in rules:
            if rule.id in self.rules:
                raise ValueError(f"rule id {rule.id} is used twice")
            self.rules[rule.id] = rule
        prefixes = {rule.id.rstrip("0123456789") for rule in self.rules.values()}
        if len(prefixes) > 1:
            raise ValueError(f"one rule table, one prefix: {sorted(prefixes)}")

    def __getitem__(self, rule_id: str) -> Rule:
        return self.rules[rule_id]

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules.values())

    def __len__(self) -> int:
        return len(self.rules)
