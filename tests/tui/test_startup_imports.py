"""The first screen loads only what it shows (issue 19): the profile parser, the history and
its masker, the checklist, the engine, the services and the demo world load when first used,
not before the Welcome screen (or the demo's run screen) is drawn. Measured for speed in
benchmarks/startup.py; guarded here by what is imported, which a test can see exactly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# What the first screen must not wait for: each was once imported before it, and each costs
# tens of milliseconds (phonenumbers' tables, tldextract with requests, httpx, dnspython).
NOT_BEFORE_THE_FIRST_SCREEN = (
    "auditor.profile",
    "auditor.history",
    "auditor.masking",
    "auditor.checklist",
    "auditor.actions",
    "auditor.engine",
    "auditor.services",
    "auditor.demo",
    "auditor.tui.screens.answer",
    "auditor.tui.screens.dialogs",
    "phonenumbers",
    "tldextract",
    "httpx",
    "dns",
    "importlib.metadata",
)

WELCOME_DRAWN = """
import json, sys
from auditor.tui.app import create_app

async def drawn(pilot):
    await pilot.pause()
    assert type(pilot.app.screen).__name__ == "WelcomeScreen", pilot.app.screen
    assert pilot.app.screen.query_one("#menu").option_count == 7
    print(json.dumps(sorted(sys.modules)))
    pilot.app.exit()

create_app().run(headless=True, size=(80, 24), auto_pilot=drawn)
"""


def loaded_by(code: str, home: Path) -> set[str]:
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
    }
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    last_line = result.stdout.strip().splitlines()[-1]
    return set(json.loads(last_line))


def too_early(modules: set[str]) -> list[str]:
    return sorted(
        m
        for m in modules
        if any(m == n or m.startswith(n + ".") for n in NOT_BEFORE_THE_FIRST_SCREEN)
    )


@pytest.mark.parametrize(
    "module", ["auditor.tui.app", "auditor.tui.screens.welcome", "auditor.tui.screens.run"]
)
def test_importing_the_first_screens_loads_nothing_they_do_not_show(
    module: str, tmp_path: Path
) -> None:
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    modules = loaded_by(code, tmp_path)
    assert module in modules
    assert too_early(modules) == []


def test_the_welcome_screen_is_drawn_without_them(tmp_path: Path) -> None:
    # create_app() as `auditor` calls it: the default profile path (none there yet) and
    # the audit history on disk, which is not opened until it is needed
    modules = loaded_by(WELCOME_DRAWN, tmp_path)
    assert "auditor.tui.screens.welcome" in modules
    assert too_early(modules) == []


def test_the_demo_app_is_built_without_its_world(tmp_path: Path) -> None:
    code = (
        "import json, sys; from auditor.tui.app import create_app; create_app(demo=True);"
        "print(json.dumps(sorted(sys.modules)))"
    )
    assert too_early(loaded_by(code, tmp_path)) == []
