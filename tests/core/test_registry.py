"""The registry lists checks from entry points without importing them, and every
registered check's metadata passes the lint below (bandit-style: a test can read it)."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from importlib.metadata import EntryPoint
from pathlib import Path
from typing import Any

import pytest

from auditor.check import Check, CheckMeta
from auditor.model import Severity
from auditor.registry import (
    Catalogue,
    CheckEntry,
    discover,
    entry_from_point,
    load_check,
    matches,
    read_meta_without_import,
    select,
)
from auditor.vocabulary import Category, TargetKind

ID_PATTERN = re.compile(r"^[a-z]+\.[a-z0-9_]+$")


def loadable_entries() -> list[CheckEntry]:
    return list(discover().entries)


def test_listing_does_not_import_check_modules() -> None:
    code = textwrap.dedent(
        """
        import sys
        from auditor.registry import discover
        catalogue = discover()
        assert catalogue.entries, "no checks registered"
        loaded = [m for m in sys.modules if m.startswith("checks.") and m.count(".") >= 2]
        print(loaded)
        assert not loaded, loaded
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize("entry", loadable_entries(), ids=lambda e: e.id)
def test_every_registered_check_has_sound_metadata(entry: CheckEntry) -> None:
    meta = entry.meta
    assert ID_PATTERN.match(meta.id), meta.id
    assert meta.category in {c.value for c in Category}
    assert meta.id.split(".")[0] == meta.category
    assert meta.target in {t.value for t in TargetKind}
    assert isinstance(meta.severity, Severity)
    assert meta.title and meta.title[0].isupper() and len(meta.title) <= 60
    assert meta.guidance.startswith("https://"), meta.guidance
    assert 0 < meta.timeout <= 600
    known = {e.id for e in loadable_entries()}
    for required in meta.requires:
        assert required in known, f"{meta.id} requires unknown {required}"
    if meta.sends_personal_data:
        assert meta.services, "a check that sends personal data must name the service"
    # What the registry read from source is what the class really says.
    check = load_check(entry.module, entry.attr)
    assert check.meta == meta
    assert issubclass(check, Check)


def test_broken_plugins_are_reported_by_name_and_do_not_stop_the_others(tmp_path: Path) -> None:
    good = EntryPoint("email.good", "fakeplugin_good:Good", "auditor.checks")
    missing = EntryPoint("email.missing", "no_such_module_xyz:Nope", "auditor.checks")
    (tmp_path / "fakeplugin_good.py").write_text(
        textwrap.dedent(
            """
            from auditor.check import Check, CheckMeta
            from auditor.model import Severity

            class Good(Check):
                meta = CheckMeta(id="email.good", title="Good", category="email",
                                 target="domain", severity=Severity.LOW,
                                 guidance="https://example.org/")
                async def run(self, ctx):
                    return []
            """
        )
    )
    sys.path.insert(0, str(tmp_path))
    try:
        entry = entry_from_point(good)
        assert entry.meta.severity is Severity.LOW
        assert "fakeplugin_good" not in sys.modules  # read, not imported
        with pytest.raises(ModuleNotFoundError):
            entry_from_point(missing)
    finally:
        sys.path.remove(str(tmp_path))


def test_meta_that_is_not_a_literal_falls_back_to_import(tmp_path: Path) -> None:
    (tmp_path / "fakeplugin_dynamic.py").write_text(
        textwrap.dedent(
            """
            from auditor.check import Check, CheckMeta
            from auditor.model import Severity
            TITLE = "Dynamic"

            class Dynamic(Check):
                meta = CheckMeta(id="web.dynamic", title=TITLE, category="web",
                                 target="website", severity=Severity.HIGH,
                                 guidance="https://example.org/")
                async def run(self, ctx):
                    return []
            """
        )
    )
    sys.path.insert(0, str(tmp_path))
    try:
        assert read_meta_without_import("fakeplugin_dynamic", "Dynamic") is None
        entry = entry_from_point(
            EntryPoint("web.dynamic", "fakeplugin_dynamic:Dynamic", "auditor.checks")
        )
        assert entry.meta.title == "Dynamic"
    finally:
        sys.path.remove(str(tmp_path))


def _entry(
    check_id: str, requires: tuple[str, ...] = (), *, sends_personal_data: bool = False
) -> CheckEntry:
    meta = CheckMeta(
        id=check_id,
        title="T",
        category=Category(check_id.split(".")[0]),
        target=TargetKind.DOMAIN,
        severity=Severity.LOW,
        guidance="https://example.org/",
        requires=requires,
        sends_personal_data=sends_personal_data,
    )
    return CheckEntry(check_id, "m", "C", meta)


def test_metadata_strings_become_the_vocabulary_and_unknown_areas_are_refused() -> None:
    # As a plugin's source may write them: plain strings, read from the AST or imported.
    def written(category: str, target: str) -> dict[str, Any]:
        return {"title": "X", "severity": Severity.LOW, "guidance": "https://example.org/",
                "category": category, "target": target}  # fmt: skip

    meta = CheckMeta(id="email.x", **written("email", "domain"))
    assert meta.category is Category.EMAIL and meta.target is TargetKind.DOMAIN
    with pytest.raises(
        ValueError, match=r"email\.y: unknown category 'mail' \(choose one of: email"
    ):
        CheckMeta(id="email.y", **written("mail", "domain"))


def test_a_plugin_with_an_unknown_area_is_reported_by_name(tmp_path: Path) -> None:
    (tmp_path / "fakeplugin_area.py").write_text(
        textwrap.dedent(
            """
            from auditor.check import Check, CheckMeta
            from auditor.model import Severity

            class Elsewhere(Check):
                meta = CheckMeta(id="email.elsewhere", title="E", category="email",
                                 target="planet", severity=Severity.LOW,
                                 guidance="https://example.org/")
                async def run(self, ctx):
                    return []
            """
        )
    )
    sys.path.insert(0, str(tmp_path))
    try:
        point = EntryPoint("email.elsewhere", "fakeplugin_area:Elsewhere", "auditor.checks")
        with pytest.raises(ValueError, match="unknown target 'planet'"):
            entry_from_point(point)
    finally:
        sys.path.remove(str(tmp_path))


def test_select_and_ignore_by_prefix_pull_in_requirements() -> None:
    catalogue = Catalogue(
        (
            _entry("email.mx"),
            _entry("email.spf"),
            _entry("email.starttls", ("email.mx",)),
            _entry("web.https"),
        ),
        (),
    )
    assert [e.id for e in select(catalogue, ["email.starttls"])] == ["email.mx", "email.starttls"]
    assert [e.id for e in select(catalogue, ["email"], ["email.spf"])] == [
        "email.mx",
        "email.starttls",
    ]
    assert [e.id for e in select(catalogue, [], ["email"])] == ["web.https"]
    assert matches("email.spf", ["email"]) and not matches("emailx.spf", ["email"])


def test_an_ignored_check_that_sends_something_about_the_person_is_not_pulled_back_in() -> None:
    """exposure.guided requires exposure.search (to run after it): --ignore exposure.search
    must still send no search. A requirement that sends nothing about the person is still
    pulled in (its readings are shared, as email.mx's are)."""
    catalogue = Catalogue(
        (
            _entry("exposure.archives"),
            _entry("exposure.search", sends_personal_data=True),
            _entry("exposure.guided", ("exposure.archives", "exposure.search")),
        ),
        (),
    )
    everything = ["exposure.archives", "exposure.search", "exposure.guided"]
    assert [e.id for e in select(catalogue, [], ["exposure.search"])] == [
        "exposure.archives",
        "exposure.guided",
    ]
    assert [e.id for e in select(catalogue, ["exposure.guided"], ["exposure.search"])] == [
        "exposure.archives",
        "exposure.guided",
    ]
    assert [e.id for e in select(catalogue, [], ["exposure.archives"])] == everything
    assert [e.id for e in select(catalogue, ["exposure.guided"])] == everything
