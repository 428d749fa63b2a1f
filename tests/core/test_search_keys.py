"""How the search provider's key is supplied (issue 14): a file, AUDITOR_SEARCH_KEY, the OS
keyring (not installed here: no key, and the check says where a key may come from), and
--dry-run, which says what the app's question says (the provider, the endpoint, each search,
what is never sent) and sends nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor import cli
from auditor.cli import build_parser
from auditor.commands.common import options_from_args
from auditor.consent import NEVER_SENT
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


PRIVATE = (c.HOME_STREET, c.HOME_POSTCODE, c.MOBILE_DISPLAY, c.PERSONAL_EMAIL)
SEARCH_LINE = (
    "Your personal details on pages a web search finds: this check would send your name and "
    "aliases, with your party and area, as web searches to {receiver}:"
)


def test_dry_run_says_what_the_apps_question_says_and_sends_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The provider and its endpoint, each exact search on its own line, and what is never
    sent: the words of the app's consent dialog (auditor.consent)."""
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
        lines = out.splitlines()
        assert code == 0
        assert SEARCH_LINE.format(receiver=f"SearXNG ({base})") in lines
        queries = search_queries(world.profile).sent
        assert queries and all(f"  {query}" in lines for query in queries)
        assert NEVER_SENT in lines
        assert lines[-1] == "Nothing was sent (--dry-run)."
        assert "--allow-personal-lookups" not in out  # given: nothing more to ask for
        assert not any(private in out for private in PRIVATE)
        assert len(world.web.requests) + len(world.dns.queries) == before == 0
        assert not world.web.requests_to(SEARCH_HOST)
    finally:
        world.stop_thread()


@pytest.mark.parametrize(
    ("options", "receiver", "said"),
    [
        ([], "a search provider (none chosen)", "sends nothing until you choose a provider"),
        (["--search-provider", "searxng"], "SearXNG",
         "until you give the address of your instance: --endpoint searxng=https://"),
        (["--search-provider", "brave", "--endpoint", "brave_search=https://brave.example/"],
         "Brave Search API (https://brave.example/)",
         "without your key for the Brave Search API (--search-key-file FILE, AUDITOR_SEARCH_KEY"),
        (["--search-provider", "searxng", "--endpoint", "searxng=https://search.example/"],
         "SearXNG (https://search.example/)", "add --allow-personal-lookups"),
    ],
    ids=["no-provider", "no-endpoint", "no-key", "not-allowed"],
)  # fmt: skip
def test_dry_run_says_why_a_search_would_not_be_sent(
    options: list[str],
    receiver: str,
    said: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    profile = tmp_path / "p.toml"
    profile.write_text(c.DEMO_PROFILE_TOML)
    assert cli.main(["scan", "--profile", str(profile), "--dry-run", *options]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert SEARCH_LINE.format(receiver=receiver) in lines
    assert said in out
    assert NEVER_SENT in lines and lines[-1] == "Nothing was sent (--dry-run)."
    assert not any(private in out for private in PRIVATE)
