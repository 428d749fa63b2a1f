"""Remediation actions as data: load and validate the ``*.toml`` files of every package
registered in the entry-point group ``auditor.actions``.

Actions are plugin data, found like checks: an entry point names a package (the built-ins
register ``checks.data.actions`` in pyproject.toml exactly as a third-party plugin would) and
its TOML files are read with ``importlib.resources``, so they work from a wheel or a zip.
Each check family writes its own file; this module reads them all, checks every action
against the schema in the brief (and docs/report-format.md), and refuses duplicates across
files. A validation problem names the file and the action id, so whoever broke it can fix
it in one look. At run time a broken file is reported as a problem, never a traceback; the
lint test runs the same validation strictly.

Optional fields beyond the base schema:

- ``when``: "nomination" (tied to the nomination papers: home address form, imprint, agent
  address) or "ongoing" (monitoring and habits, which belong under "Keep doing").
- ``fallback_for``: a check category; the action stands in for any problem finding of that
  category that names no action of its own; "manual" does the same for the questions of
  manual checks (only general.toml uses it).
- ``standing``: true when the advice belongs in every checklist, found problem or not.
"""

from __future__ import annotations

import importlib.resources
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from importlib.resources.abc import Traversable
from typing import Any

from auditor.vocabulary import Category

ENTRY_POINT_GROUP = "auditor.actions"

WHO = ("candidate", "agent", "campaign IT volunteer", "registrar or host")
PRIORITIES = ("critical", "high", "medium", "low")
WHEN = ("nomination", "ongoing")
CATEGORIES = (*(c.value for c in Category), "general")  # "general": advice for every area
MANUAL = "manual"  # fallback_for: questions (manual checks) that name no action
MAX_WHY_SENTENCES = 2

_ID = re.compile(r"^[a-z][a-z0-9_]*\.[a-z0-9]+(?:-[a-z0-9]+)*$")
_KEYS = {"id", "title", "why", "steps", "who", "effort_minutes", "priority", "links"}
_OPTIONAL = {"when", "fallback_for", "standing"}
# A sentence ends at . ! or ? followed by a space and a capital or digit; "e.g. the" does not.
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z0-9\"“(])")


class ActionError(ValueError):
    """One problem with one action, naming the file and the action id."""

    def __init__(self, source: str, action_id: str, problem: str) -> None:
        self.source = source
        self.action_id = action_id
        self.problem = problem
        where = f"{source}: action {action_id!r}" if action_id else source
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Link:
    title: str
    url: str

    def to_dict(self) -> dict[str, str]:
        return {"title": self.title, "url": self.url}


@dataclass(frozen=True)
class Action:
    id: str
    title: str
    why: str
    steps: tuple[str, ...]
    who: str
    effort_minutes: int
    priority: str
    links: tuple[Link, ...]
    when: str = ""
    fallback_for: str = ""
    standing: bool = False
    source: str = ""

    @property
    def category(self) -> str:
        return self.id.split(".", 1)[0]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "why": self.why,
            "steps": list(self.steps),
            "who": self.who,
            "effort_minutes": self.effort_minutes,
            "priority": self.priority,
            "when": self.when,
            "links": [link.to_dict() for link in self.links],
        }


@dataclass(frozen=True)
class ActionSet:
    """All loaded actions by id, plus problems found while loading (lenient mode)."""

    actions: Mapping[str, Action]
    problems: tuple[str, ...] = ()

    def get(self, action_id: str) -> Action | None:
        return self.actions.get(action_id)

    def fallback(self, category: str) -> Action | None:
        for action in self.actions.values():
            if action.fallback_for == category:
                return action
        return None

    def standing(self) -> list[Action]:
        return [a for a in self.actions.values() if a.standing]

    @classmethod
    def of(cls, actions: Iterable[Action]) -> ActionSet:
        return cls({a.id: a for a in actions})


def count_sentences(text: str) -> int:
    stripped = text.strip()
    if not stripped:
        return 0
    return len(_SENTENCE_END.findall(stripped)) + 1


def parse_action(table: Any, source: str) -> Action:
    """One ``[[action]]`` table to an Action, or ActionError naming source and id."""
    if not isinstance(table, dict):
        raise ActionError(source, "", "each [[action]] must be a table")
    raw_id = table.get("id")
    action_id = raw_id if isinstance(raw_id, str) else ""

    def fail(problem: str) -> ActionError:
        return ActionError(source, action_id, problem)

    if not action_id or not _ID.match(action_id):
        raise fail('id must look like "<category>.<short-kebab-name>"')
    if action_id.split(".", 1)[0] not in CATEGORIES:
        raise fail(f"id must start with one of: {', '.join(CATEGORIES)}")
    unknown = sorted(set(table) - _KEYS - _OPTIONAL)
    if unknown:
        raise fail(f"unknown key(s): {', '.join(unknown)}")
    missing = sorted(k for k in _KEYS if k not in table)
    if missing:
        raise fail(f"missing key(s): {', '.join(missing)}")
    title, why = table["title"], table["why"]
    if not isinstance(title, str) or not title.strip():
        raise fail("title must be non-empty text")
    if not isinstance(why, str) or not why.strip():
        raise fail("why must be non-empty text")
    if count_sentences(why) > MAX_WHY_SENTENCES:
        raise fail(f"why must be at most {MAX_WHY_SENTENCES} sentences")
    steps = table["steps"]
    if (
        not isinstance(steps, list)
        or not steps
        or not all(isinstance(s, str) and s.strip() for s in steps)
    ):
        raise fail("steps must be a non-empty list of non-empty text")
    if table["who"] not in WHO:
        raise fail(f"who must be one of: {', '.join(WHO)}")
    effort = table["effort_minutes"]
    if not isinstance(effort, int) or isinstance(effort, bool) or effort <= 0:
        raise fail("effort_minutes must be a whole number above 0")
    if table["priority"] not in PRIORITIES:
        raise fail(f"priority must be one of: {', '.join(PRIORITIES)}")
    links = _parse_links(table["links"], fail)
    when = table.get("when", "")
    if when not in ("", *WHEN):
        raise fail(f"when must be one of: {', '.join(WHEN)}")
    fallback_for = table.get("fallback_for", "")
    if fallback_for not in ("", *CATEGORIES, MANUAL):
        raise fail(f"fallback_for must be one of: {', '.join((*CATEGORIES, MANUAL))}")
    standing = table.get("standing", False)
    if not isinstance(standing, bool):
        raise fail("standing must be true or false")
    return Action(
        id=action_id,
        title=title.strip(),
        why=why.strip(),
        steps=tuple(s.strip() for s in steps),
        who=table["who"],
        effort_minutes=effort,
        priority=table["priority"],
        links=links,
        when=when,
        fallback_for=fallback_for,
        standing=standing,
        source=source,
    )


def _parse_links(value: Any, fail: Any) -> tuple[Link, ...]:
    if not isinstance(value, list) or not value:
        raise fail("links must list at least one { title, url }")
    links: list[Link] = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"title", "url"}:
            raise fail("each link must be exactly { title = ..., url = ... }")
        title, url = item["title"], item["url"]
        if not isinstance(title, str) or not title.strip():
            raise fail("each link needs a title")
        if not isinstance(url, str) or not re.match(r"^https://[^\s/]+\.[^\s/]+(/\S*)?$", url):
            raise fail(f"link {url!r} must be an https:// address")
        links.append(Link(title.strip(), url))
    return tuple(links)


def parse_actions_file(path: Traversable) -> list[Action]:
    """Every action in one TOML file (a Path or a package resource); ActionError at the first
    problem."""
    source = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ActionError(source, "", f"cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ActionError(source, "", f"not valid TOML: {exc}") from None
    if set(data) - {"action"}:
        raise ActionError(source, "", "only [[action]] tables are allowed at the top level")
    tables = data.get("action", [])
    if not isinstance(tables, list):
        raise ActionError(source, "", "use [[action]] (an array of tables)")
    return [parse_action(table, source) for table in tables]


def registered_folders(group: str = ENTRY_POINT_GROUP) -> tuple[list[Traversable], list[str]]:
    """The action packages registered in ``group`` (sorted by entry-point name), and a problem
    line for each one that cannot be found (a broken plugin must not stop the others)."""
    folders: list[Traversable] = []
    problems: list[str] = []
    for point in sorted(entry_points(group=group), key=lambda p: p.name):
        try:
            folder = importlib.resources.files(point.value.strip())
            if not folder.is_dir():
                raise NotADirectoryError("not a package folder")
        except Exception as exc:
            line = str(exc).strip().splitlines()
            why = f"{type(exc).__name__}: {line[0]}" if line else type(exc).__name__
            problems.append(f"actions {point.name!r} ({point.value}) could not be read: {why}")
            continue
        folders.append(folder)
    return folders, problems


def _toml_files(folders: Iterable[Traversable]) -> Iterator[Traversable]:
    for folder in folders:
        if folder.is_dir():
            yield from sorted(
                (f for f in folder.iterdir() if f.name.endswith(".toml") and f.is_file()),
                key=lambda f: f.name,
            )


def _folders(directory: Traversable | None) -> tuple[list[Traversable], list[str]]:
    return registered_folders() if directory is None else ([directory], [])


def lint_actions(directory: Traversable | None = None) -> list[str]:
    """Every problem in every file (not just the first), for the lint test and CI; every
    registered package when ``directory`` is None."""
    folders, problems = _folders(directory)
    seen: dict[str, str] = {}
    fallbacks: dict[str, str] = {}
    for path in _toml_files(folders):
        try:
            actions = parse_actions_file(path)
        except ActionError as exc:
            problems.append(str(exc))
            continue
        for action in actions:
            if action.id in seen:
                problems.append(
                    str(
                        ActionError(
                            path.name, action.id, f"id already defined in {seen[action.id]}"
                        )
                    )
                )
            else:
                seen[action.id] = path.name
            if action.fallback_for:
                if action.fallback_for in fallbacks:
                    problems.append(
                        str(ActionError(path.name, action.id, "a second fallback for category "
                                        f"{action.fallback_for!r}"))
                    )  # fmt: skip
                fallbacks[action.fallback_for] = action.id
    return problems


def load_actions(directory: Traversable | None = None, *, strict: bool = False) -> ActionSet:
    """All actions of every registered package (or of ``directory`` alone).

    Lenient (the default, for running audits): a broken file or package is skipped and named
    in ``problems``; a duplicate id keeps the first definition. Strict: raise ActionError.
    """
    actions: dict[str, Action] = {}
    folders, problems = _folders(directory)
    if strict and problems:
        raise ActionError(ENTRY_POINT_GROUP, "", problems[0])
    for path in _toml_files(folders):
        try:
            loaded = parse_actions_file(path)
        except ActionError as exc:
            if strict:
                raise
            problems.append(str(exc))
            continue
        for action in loaded:
            if action.id in actions:
                error = ActionError(
                    path.name, action.id, f"id already defined in {actions[action.id].source}"
                )
                if strict:
                    raise error
                problems.append(str(error))
                continue
            actions[action.id] = action
    return ActionSet(actions, tuple(problems))
