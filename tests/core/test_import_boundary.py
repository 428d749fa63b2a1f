"""The core never imports Textual: headless runs stay light and the UI stays a client."""

from __future__ import annotations

import subprocess
import sys

import pytest

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
