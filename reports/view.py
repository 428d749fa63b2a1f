"""What the human-readable writers share: plain-English labels, the masked report view,
and the neutralising of attacker-controlled text (control characters, terminal escapes).

Writers start from ``reports.json_report.report_dict`` (already masked) so that every
format shows the same facts and masks the same way.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

STATUS_LABEL = {
    "fail": "FAIL",
    "warn": "WARN",
    "pass": "PASS",
    "manual": "TO ANSWER",
    "error": "COULD NOT CHECK",
    "timeout": "COULD NOT CHECK (timeout)",
    "skipped": "NOT CHECKED",
}
STATUS_ORDER = ["fail", "warn", "error", "timeout", "manual", "skipped", "pass"]
SEVERITY_ORDER = ["critical", "high", "medium", "low", "info"]
ITEM_STATUS_LABEL = {
    "open": "to do",
    "done": "ticked as done",
    "dismissed": "dismissed",
    "verified": "verified fixed",
}
AREA_TITLES = {
    "exposure": "Personal details",
    "accounts": "Accounts",
    "email": "Email",
    "web": "Website",
    "domain": "Domain",
    "overall": "Overall",
}
MASKED_NOTE = (
    "Personal details (home address, phones, personal emails) are shown as [hidden]. "
    "Run the report with --reveal to show them."
)
MAX_SNIPPET = 300
MAX_FINDINGS_PER_ITEM = 8
_SAFE_URL = re.compile(r"^https?://[^\s<>\"'`()\\]+$")


def clean(text: object, *, one_line: bool = True) -> str:
    """Text with control characters (terminal escapes, NUL, bidi overrides) made visible
    as U+FFFD, so attacker-controlled strings cannot drive a terminal or hide text."""
    out = []
    for ch in str(text):
        if ch in "\n\t" and not one_line:
            out.append(ch)
        elif ch in "\n\t\r":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co") and ch != "\u200d":
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out)


def shorten(text: str, limit: int = MAX_SNIPPET) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def safe_url(url: str) -> str | None:
    """The URL when it is a plain http(s) address safe to put in a link, else None."""
    return url if _SAFE_URL.match(url) else None


def when(iso: str) -> str:
    """ "2026-05-01T09:00:00+00:00" -> "1 May 2026, 09:00 UTC" (the raw text if unparsable)."""
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return clean(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


def effort(minutes: int) -> str:
    if minutes < 60:
        return f"about {minutes} minutes"
    hours = round(minutes / 30) / 2
    text = f"{hours:g}"
    return f"about {text} hour" + ("" if hours == 1 else "s")


def area_title(category: str) -> str:
    return AREA_TITLES.get(category, category.capitalize())


def percent(score: dict[str, Any]) -> str:
    return "not checked" if score["percent"] is None else f"{score['percent']}%"


@dataclass(frozen=True)
class View:
    """The masked report dict with the lookups every writer needs."""

    data: dict[str, Any]
    findings: dict[str, dict[str, Any]]  # fingerprint -> masked finding dict
    titles: dict[str, str]  # check id -> title
    categories: dict[str, str]  # check id -> category

    @classmethod
    def of(cls, data: dict[str, Any]) -> View:
        findings = {f["fingerprint"]: f for r in data["results"] for f in r["findings"]}
        titles = {c["id"]: c["title"] for c in data["checks"]}
        categories = {c["id"]: c["category"] for c in data["checks"]}
        return cls(data, findings, titles, categories)

    @property
    def checklist(self) -> dict[str, Any] | None:
        checklist: dict[str, Any] | None = self.data["checklist"]
        return checklist

    def category(self, check_id: str) -> str:
        return self.categories.get(check_id, check_id.split(".", 1)[0])

    def title(self, check_id: str) -> str:
        return self.titles.get(check_id, check_id)

    def findings_by_category(self) -> list[tuple[str, list[dict[str, Any]]]]:
        groups: dict[str, list[dict[str, Any]]] = {}
        for finding in self.findings.values():
            groups.setdefault(self.category(finding["check_id"]), []).append(finding)
        return [
            (category, sorted(groups[category], key=finding_order)) for category in sorted(groups)
        ]

    def groups(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """Checklist groups in order, each with its items (empty groups left out)."""
        if self.checklist is None:
            return []
        items = {item["id"]: item for item in self.checklist["items"]}
        return [
            (group["title"], [items[i] for i in group["items"]])
            for group in self.checklist["groups"]
            if group["items"]
        ]


def finding_order(finding: dict[str, Any]) -> tuple[int, int, str]:
    return (
        STATUS_ORDER.index(str(finding["status"])),
        SEVERITY_ORDER.index(str(finding["severity"])),
        str(finding["check_id"]),
    )
