"""The core never imports Textual: headless runs stay light and the UI stays a client; the
import contracts in pyproject name every module of the core and the library."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

HEADLESS_MODULES = [
    "auditor.engine",
    "auditor.audit",
    "auditor.cli",
    "auditor.commands.scan",
    "auditor.commands.demo",
    "auditor.registry",
    "reports.formats",
    "reports.json_report",
    "reports.markdown",
]


@pytest.mark.parametrize("module", HEADLESS_MODULES)
def test_core_module_does_not_load_textual(module: str) -> None:
    code = f"import sys, {module}; assert 'textual' not in sys.modules, 'textual loaded'"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_building_the_cli_parser_does_not_load_textual_or_checks() -> None:
    code = (
        "import sys; from auditor.cli import build_parser; build_parser();"
        "bad = [m for m in sys.modules if m.startswith(('textual', 'checks.'))];"
        "assert not bad, bad"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _contract(name_start: str) -> dict[str, list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    [found] = [c for c in contracts if c["name"].startswith(name_start)]
    return {k: v for k, v in found.items() if isinstance(v, list)}


def _top_level_modules() -> set[str]:
    return {
        f"auditor.{path.stem if path.is_file() else path.name}"
        for path in (ROOT / "auditor").iterdir()
        if (path.suffix == ".py" or (path / "__init__.py").exists())
        and path.stem not in ("__init__", "__main__")
    }


def test_the_core_contract_names_every_core_module() -> None:
    # A new module of the core is guarded by the contracts the day it lands: the lists in
    # pyproject are hand-written, so they are checked against the tree.
    upper = {"auditor.tui", "auditor.cli", "auditor.commands"}
    core = _contract("The core and the library never import")
    assert set(core["source_modules"]) == _top_level_modules() - upper
    below = _contract("The library, the network and the vocabulary stand below")
    floors = {"auditor.standards", "auditor.net", "auditor.vocabulary"}
    assert set(below["source_modules"]) == floors
    assert set(below["forbidden_modules"]) == _top_level_modules() - upper - floors
