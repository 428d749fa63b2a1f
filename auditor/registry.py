"""Finding checks: the ``auditor.checks`` entry-point group, read without importing.

Harlequin-style: the built-in checks in ``checks/`` are registered in pyproject.toml exactly
as a third-party plugin would be. Listing reads each check's ``meta = CheckMeta(...)``
literal from its source with ``ast``; only running a check imports its module. A plugin
that cannot be found or loaded is reported by name and the others carry on.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
from dataclasses import dataclass
from enum import Enum
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from auditor.check import Check, CheckMeta
from auditor.model import Severity
from auditor.vocabulary import Category, TargetKind

ENTRY_POINT_GROUP = "auditor.checks"


@dataclass(frozen=True)
class CheckEntry:
    """A registered check as known before import: where it lives and its metadata."""

    id: str
    module: str
    attr: str
    meta: CheckMeta

    @property
    def value(self) -> str:
        return f"{self.module}:{self.attr}"


@dataclass(frozen=True)
class Catalogue:
    entries: tuple[CheckEntry, ...]
    problems: tuple[str, ...]  # "plugin X could not be loaded: why"

    def ids(self) -> list[str]:
        return [e.id for e in self.entries]

    def get(self, check_id: str) -> CheckEntry | None:
        return next((e for e in self.entries if e.id == check_id), None)


def discover(group: str = ENTRY_POINT_GROUP) -> Catalogue:
    entries: list[CheckEntry] = []
    problems: list[str] = []
    seen: set[str] = set()
    for point in sorted(entry_points(group=group), key=lambda p: p.name):
        if point.name in seen:
            problems.append(f"check {point.name!r} is registered twice; the second was ignored")
            continue
        try:
            entry = entry_from_point(point)
        except Exception as exc:  # a broken plugin must not stop the others
            problems.append(f"check {point.name!r} ({point.value}) could not be read: {_line(exc)}")
            continue
        seen.add(point.name)
        entries.append(entry)
    return Catalogue(tuple(entries), tuple(problems))


def entry_from_point(point: EntryPoint) -> CheckEntry:
    module, _, attr = point.value.partition(":")
    if not attr:
        raise ValueError("the entry point must name module:Class")
    meta = read_meta_without_import(module.strip(), attr.strip())
    if meta is None:
        meta = load_check(module.strip(), attr.strip()).meta
    if meta.id != point.name:
        raise ValueError(f"its meta.id is {meta.id!r}, not the registered name")
    return CheckEntry(point.name, module.strip(), attr.strip(), meta)


def read_meta_without_import(module: str, attr: str) -> CheckMeta | None:
    """Parse ``meta = CheckMeta(...)`` from the class body; None if not a plain literal."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        if spec is None:
            raise ModuleNotFoundError(f"no module named {module!r}")
        return None
    with open(spec.origin, encoding="utf-8") as handle:
        tree = ast.parse(handle.read(), filename=spec.origin)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == attr:
            return _meta_from_class(node)
    raise AttributeError(f"{module} has no class {attr}")


def _meta_from_class(node: ast.ClassDef) -> CheckMeta | None:
    for statement in node.body:
        value: ast.expr | None = None
        if (
            isinstance(statement, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "meta" for t in statement.targets)
        ) or (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and statement.target.id == "meta"
        ):
            value = statement.value
        if isinstance(value, ast.Call) and _call_name(value) == "CheckMeta" and not value.args:
            try:
                kwargs = {kw.arg: _literal(kw.value) for kw in value.keywords if kw.arg}
                return CheckMeta(**kwargs)
            except (ValueError, TypeError):
                return None
    return None


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


_META_ENUMS: dict[str, type[Enum]] = {
    "Severity": Severity,
    "Category": Category,
    "TargetKind": TargetKind,
}


def _literal(node: ast.expr) -> Any:
    # Severity.HIGH, Category.EMAIL, TargetKind.DOMAIN: the non-literals the metadata may use.
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        enum = _META_ENUMS.get(node.value.id)
        if enum is None or node.attr not in enum.__members__:
            raise ValueError("not a literal")
        return enum[node.attr]
    value = ast.literal_eval(node)
    return tuple(value) if isinstance(value, list) else value


def load_check(module: str, attr: str) -> type[Check]:
    loaded = getattr(importlib.import_module(module), attr)
    if not (isinstance(loaded, type) and issubclass(loaded, Check)):
        raise TypeError(f"{module}:{attr} is not a Check subclass")
    return loaded


def matches(check_id: str, prefixes: list[str]) -> bool:
    """``email`` matches email.spf and email.dmarc; ``email.spf`` matches itself."""
    return any(check_id == p or check_id.startswith(p.rstrip(".") + ".") for p in prefixes)


def select(
    catalogue: Catalogue, select: list[str] | None = None, ignore: list[str] | None = None
) -> list[CheckEntry]:
    """Entries chosen by id prefix, plus whatever they require (transitively).

    An ignored check that sends something about the person (``sends_personal_data``) is
    never pulled back in by another's requirement: ``--ignore exposure.search`` sends no
    search. The check that required it gets no results for it, as when it did not run."""
    chosen = [
        e
        for e in catalogue.entries
        if (not select or matches(e.id, select)) and not (ignore and matches(e.id, ignore))
    ]
    by_id = {e.id: e for e in catalogue.entries}
    kept_out = {
        e.id for e in catalogue.entries
        if ignore and matches(e.id, ignore) and e.meta.sends_personal_data
    }  # fmt: skip
    wanted = {e.id for e in chosen}
    pending = list(chosen)
    while pending:
        entry = pending.pop()
        for required in entry.meta.requires:
            if required not in wanted and required in by_id and required not in kept_out:
                wanted.add(required)
                pending.append(by_id[required])
    return [e for e in catalogue.entries if e.id in wanted]


def find_cycle(entries: list[CheckEntry]) -> list[str] | None:
    """A dependency cycle among ``entries`` (as a path of ids), or None."""
    graph = {e.id: [r for r in e.meta.requires] for e in entries}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt in graph and state.get(nxt) is None:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in graph:
        if state.get(node) is None:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def _line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
