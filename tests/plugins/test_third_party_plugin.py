"""A plugin written from the guide alone (docs/architecture.md, "Writing a check"): its own
package with the guide's check and its actions TOML, its own pyproject with the two entry
points, built with hatchling and installed with pip into a folder (offline, no build
isolation). ``auditor scan`` then runs it against a loopback DNS server, and the report shows
its finding and its action in the checklist, with no change to the project. The guide's test
of the plugin ("Testing a check", written with auditor.testing) passes on it, and fails on a
plugin whose check misses the token."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.demo.dns_server import DnsServer

PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "auditor-leaky-txt"
version = "0.1.0"

[project.entry-points."auditor.checks"]
"domain.leaky_txt" = "auditor_leaky_txt.check:LeakyTxtCheck"

[project.entry-points."auditor.actions"]
"auditor_leaky_txt" = "auditor_leaky_txt.actions"

[tool.hatch.build.targets.wheel]
packages = ["auditor_leaky_txt"]
"""

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def guide_block(marker: str) -> str:
    """The guide's one Python code block that contains ``marker``, as the guide shows it."""
    blocks = re.findall(r"^```python\n(.*?)^```", GUIDE.read_text("utf-8"), re.M | re.S)
    found = [block for block in blocks if marker in block]
    assert len(found) == 1, (marker, len(found))
    return str(found[0])


CHECK = guide_block("class LeakyTxtCheck(Check):")
TESTS = guide_block("from auditor.testing import")

ACTIONS = """\
[[action]]
id = "domain.remove-internal-token"
title = "Remove the internal token from your DNS TXT records"
why = "Anyone can read TXT records, so a token published there is no longer private."
steps = ["Delete the internal-token TXT record at your DNS host.", "Rotate the token."]
who = "campaign IT volunteer"
effort_minutes = 10
priority = "medium"
links = [{ title = "RFC 1464", url = "https://www.rfc-editor.org/rfc/rfc1464" }]
"""

ZONE = """\
$ORIGIN leaky.example.
@ 300 SOA ns hostmaster 1 3600 600 86400 300
@ 300 NS ns
ns 300 A 127.0.0.1
@ 300 TXT "internal-token=do-not-share"
"""


def write_plugin(root: Path) -> Path:
    project = root / "auditor-leaky-txt"
    package = project / "auditor_leaky_txt"
    (package / "actions").mkdir(parents=True)
    (project / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "check.py").write_text(CHECK, encoding="utf-8")
    (package / "actions" / "__init__.py").write_text("", encoding="utf-8")
    (package / "actions" / "leaky_txt.toml").write_text(ACTIONS, encoding="utf-8")
    (project / "tests").mkdir()
    (project / "tests" / "test_leaky_txt.py").write_text(TESTS, encoding="utf-8")
    return project


def pip_install(project: Path, target: Path) -> None:
    """Build with the venv's hatchling and install into ``target``: offline and quick."""
    command = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
               "--no-build-isolation", "--target", str(target), str(project)]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def plugin_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("plugin")
    write_plugin(root)
    return root


@pytest.fixture(scope="module")
def plugin_site(plugin_root: Path) -> Path:
    site = plugin_root / "site"
    pip_install(plugin_root / "auditor-leaky-txt", site)
    return site


def run_plugin_tests(project: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """The plugin's own tests (the guide's, written with auditor.testing), run by pytest in
    the plugin's folder against the installed plugin."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"]
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, timeout=300
    )


def test_the_guides_plugin_test_passes_with_the_kit(plugin_root: Path, plugin_site: Path) -> None:
    result = run_plugin_tests(plugin_root / "auditor-leaky-txt", plugin_site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout, result.stdout


def test_the_guides_plugin_test_fails_on_a_wrong_check(plugin_root: Path, tmp_path: Path) -> None:
    """The same tests against a plugin whose check misses the token: they fail, naming the
    finding, so the test above could fail."""
    broken = tmp_path / "broken"
    write_plugin(broken)
    check = broken / "auditor-leaky-txt" / "auditor_leaky_txt" / "check.py"
    check.write_text(check.read_text("utf-8").replace('"internal-token="', '"no-such="'), "utf-8")
    site = broken / "site"
    pip_install(broken / "auditor-leaky-txt", site)
    result = run_plugin_tests(broken / "auditor-leaky-txt", site)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 2 passed" in result.stdout, result.stdout
    assert "'txt' is pass, not warn" in result.stdout, result.stdout


async def scan(site: Path, home: Path, port: int, *args: str) -> tuple[int, str, str]:
    env = {**os.environ, "PYTHONPATH": str(site), "HOME": str(home), "XDG_DATA_HOME": str(home)}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "auditor", "scan", "--domain", "leaky.example",
        "--nameserver", f"127.0.0.1:{port}", "--no-save", "-q", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_a_plugin_from_the_guide_installs_and_runs_in_an_audit(
    plugin_site: Path, tmp_path: Path
) -> None:
    async with DnsServer([ZONE]) as server:
        code, markdown, err = await scan(
            plugin_site,
            tmp_path,
            server.port,
            "--select",
            "domain.leaky_txt",
            "--fail-on",
            "critical",
        )
        listed = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "auditor", "checks", stdout=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(plugin_site)},
        )  # fmt: skip
        checks_out, _ = await listed.communicate()
    assert code == 0, err
    assert "leaky.example publishes an internal token in a TXT record." in markdown
    # Its own action, from its own TOML, in the checklist:
    assert "Remove the internal token from your DNS TXT records" in markdown
    assert "Rotate the token." in markdown
    assert "domain.leaky_txt" in checks_out.decode()


async def test_without_the_plugin_the_check_is_unknown(tmp_path: Path) -> None:
    """The same scan without the plugin's folder on the path: the check is not there, so the
    test above could fail."""
    async with DnsServer([ZONE]) as server:
        _code, markdown, _err = await scan(
            tmp_path / "empty", tmp_path, server.port, "--select", "domain.leaky_txt"
        )
    assert "internal token" not in markdown


def test_the_plugin_source_is_what_the_guide_shows() -> None:
    guide = GUIDE.read_text("utf-8")
    for line in PYPROJECT.splitlines()[7:13]:  # the two entry-point tables
        assert line in guide, line
    for line in ("class LeakyTxtCheck(Check):", 'id="domain.leaky_txt",',
                 "from auditor.check import Check, CheckContext, CheckMeta"):  # fmt: skip
        assert line in CHECK, line
    assert "from auditor_leaky_txt.check import LeakyTxtCheck" in TESTS
