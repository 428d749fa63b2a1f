"""How the search provider's key is supplied (issue 14): a file, AUDITOR_SEARCH_KEY, the OS
keyring (not installed here: no key, and the check says where a key may come from), and
--dry-run, which prints the provider and the searches and sends nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor import cli
from auditor.cli import build_parser
from auditor.commands.common import options_from_args
from auditor.demo import candidate as c
from auditor.demo.search_server import SEARCH_HOST
from auditor.demo.world import DemoWorld
from auditor.search import KEY_ENV, key_from_environment_or_keyring, search_queries


def parsed(*argv: str) -> object:
    return build_parser().parse_args(["scan", "--domain", "x.example", *argv])


def test_the_key_comes_from_a_file_before_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = tmp_path / "brave.key"
    key.write_text("from-file\n")
    monkeypatch.setenv(KEY_ENV, "from-env")
    options = options_from_args(parsed("--search-provider", "brave", "--search-key-file", str(key)))  # type: ignore[arg-type]
    assert options.search_key == "from-file"
    options = options_from_args(parsed("--search-provider", "brave"))  # type: ignore[arg-type]
    assert options.search_key == "from-env"
    assert "from-env" not in repr(options)  # never in a log line


def test_without_a_file_an_environment_variable_or_keyring_there_is_no_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    with pytest.raises(ImportError):  # the keyring package is not installed here
        __import__("keyring")
    assert key_from_environment_or_keyring("brave") is None
    options = options_from_args(parsed("--search-provider", "brave"))  # type: ignore[arg-type]
    assert options.search_key is None


def test_dry_run_prints_the_provider_and_the_searches_and_sends_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = DemoWorld.run_in_thread()
    try:
        profile = tmp_path / "p.toml"
        profile.write_text(c.DEMO_PROFILE_TOML)
        base = world.audit_options().endpoints["searxng"]
        before = len(world.web.requests) + len(world.dns.queries)
        code = cli.main(
            ["scan", "--profile", str(profile), "--dry-run", "--search-provider", "searxng",
             "--endpoint", f"searxng={base}", "--allow-personal-lookups"]
        )  # fmt: skip
        out = capsys.readouterr().out
        assert code == 0
        assert f"SearXNG ({base})" in out
        for query in search_queries(world.profile).sent:
            assert query in out
        assert c.HOME_POSTCODE not in out and c.PERSONAL_EMAIL not in out
        assert len(world.web.requests) + len(world.dns.queries) == before == 0
        assert not world.web.requests_to(SEARCH_HOST)
    finally:
        world.stop_thread()
