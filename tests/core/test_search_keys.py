"""How the search provider's key is supplied (issue 14): a file, AUDITOR_SEARCH_KEY, the OS
keyring (a keyring that cannot be asked, absent, without a backend or locked, is said in one
line with what to do instead), and
--dry-run, which says what the app's question says (the provider, the endpoint, each search,
what is never sent) and sends nothing."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from auditor import cli
from auditor.cli import build_parser
from auditor.commands.common import options_from_args
from auditor.consent import NEVER_SENT
from auditor.demo import candidate as c
from auditor.demo.search_server import SEARCH_HOST
from auditor.demo.world import DemoWorld
from auditor.search import KEY_ENV, find_key, search_queries


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


KEYRING_ERRORS = """
class KeyringError(Exception):
    pass


class NoKeyringError(KeyringError, RuntimeError):
    pass


class KeyringLocked(KeyringError):
    pass
"""
# A stand-in for the optional keyring package (not installed here), failing as keyring 25
# does: keyring.backends.fail.Keyring raises NoKeyringError from get_password.
KEYRING_FAILING = """
from keyring import errors


def get_password(service, username):
    raise errors.{error}("No recommended backend was available.")
"""
# A keyring that works and holds no key for the provider.
KEYRING_EMPTY = """
def get_password(service, username):
    return None
"""
ABSENT = "the keyring package is not installed"
NO_BACKEND = "the keyring package has no backend it can use on this computer"
LOCKED = "the OS keyring could not be read (KeyringLocked)"
INSTEAD = "Put the key in a file and give --search-key-file FILE, or set AUDITOR_SEARCH_KEY."

# Each way a keyring cannot be asked, with the reason the one-line note gives.
UNUSABLE_KEYRINGS = pytest.mark.parametrize(
    ("kind", "why"),
    [("absent", ABSENT), ("NoKeyringError", NO_BACKEND), ("KeyringLocked", LOCKED)],
    ids=["no-keyring-package", "no-backend", "locked"],
)


@pytest.fixture
def keyring_as(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """keyring_as("absent" | "NoKeyringError" | "KeyringLocked" | "empty"): what `import
    keyring` gives ("empty": a keyring that works and holds no key)."""
    monkeypatch.delenv(KEY_ENV, raising=False)
    saved = {n: m for n, m in sys.modules.items() if n == "keyring" or n.startswith("keyring.")}

    def install(kind: str) -> None:
        for name in saved:
            del sys.modules[name]
        if kind == "absent":
            sys.modules["keyring"] = None  # type: ignore[assignment]  # import raises ImportError
            return
        package = tmp_path / "stand-in" / "keyring"
        package.mkdir(parents=True)
        (package / "errors.py").write_text(KEYRING_ERRORS)
        init = KEYRING_EMPTY if kind == "empty" else KEYRING_FAILING.format(error=kind)
        (package / "__init__.py").write_text(init)
        monkeypatch.syspath_prepend(str(package.parent))

    yield install
    for name in [n for n in sys.modules if n == "keyring" or n.startswith("keyring.")]:
        del sys.modules[name]
    sys.modules.update(saved)


@UNUSABLE_KEYRINGS
def test_a_keyring_that_cannot_be_asked_is_said_in_one_line_with_what_to_do(
    kind: str,
    why: str,
    keyring_as: Callable[[str], None],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    keyring_as(kind)
    found = find_key("brave", "Brave Search API")
    assert found.key is None
    assert found.problem == (
        f"the OS keyring cannot be asked for your Brave Search API key: {why}. {INSTEAD}"
    )
    assert find_key("brave").key is None
    profile = tmp_path / "p.toml"
    profile.write_text(c.DEMO_PROFILE_TOML)
    assert (
        cli.main(["scan", "--profile", str(profile), "--dry-run", "--search-provider", "brave"])
        == 0
    )
    captured = capsys.readouterr()
    assert captured.err == f"note: {found.problem}\n"  # one line, not a silent "no key"
    assert "without your key for the Brave Search API" in captured.out


@pytest.mark.parametrize("given", ["file", "environment", "no-key-needed"])
def test_the_keyring_is_not_mentioned_when_it_is_not_asked(
    given: str,
    keyring_as: Callable[[str], None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    keyring_as("absent")
    argv = ["--search-provider", "brave"]
    if given == "file":
        (tmp_path / "brave.key").write_text("from-file\n")
        argv += ["--search-key-file", str(tmp_path / "brave.key")]
    elif given == "environment":
        monkeypatch.setenv(KEY_ENV, "from-env")
    else:
        argv = ["--search-provider", "searxng"]
    options_from_args(parsed(*argv))  # type: ignore[arg-type]
    assert capsys.readouterr().err == ""


def test_without_a_file_an_environment_variable_or_keyring_there_is_no_key(
    keyring_as: Callable[[str], None], capsys: pytest.CaptureFixture[str]
) -> None:
    keyring_as("absent")
    options = options_from_args(parsed("--search-provider", "brave"))  # type: ignore[arg-type]
    assert options.search_key is None
    assert ABSENT in capsys.readouterr().err
    notes: list[str] = []  # the app's way: said on its screen, not on the hidden stderr
    options = options_from_args(parsed("--search-provider", "brave"), notes=notes)  # type: ignore[arg-type]
    assert options.search_key is None and len(notes) == 1 and ABSENT in notes[0]
    assert capsys.readouterr().err == ""


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
         "without your key for the Brave Search API (--search-key-file FILE"),
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


def world_argv(world: DemoWorld, tmp_path: Path) -> list[str]:
    """`auditor scan` pointed at the demo world, searches allowed, as a person would type it."""
    options = world.audit_options()
    ca = tmp_path / "ca.pem"
    ca.write_text(world.ca_pem)
    profile = tmp_path / "p.toml"
    profile.write_text(c.DEMO_PROFILE_TOML)
    argv = ["scan", "--profile", str(profile), "--search-provider", "searxng",
            "--allow-personal-lookups", "--ca-file", str(ca),
            "--nameserver", str(options.nameservers[0])]  # fmt: skip
    for name in ("searxng", "wayback"):
        argv += ["--endpoint", f"{name}={options.endpoints[name]}"]
    for rule in world.connect_rules():
        argv += ["--connect-to", f"{rule.host}:{rule.port}:{rule.to_host}:{rule.to_port}"]
    return argv


@pytest.mark.parametrize(
    ("choice", "searches"),
    [
        (["--select", "exposure.archives"], False),
        # exposure.guided requires exposure.search: ignoring the search must still hold.
        (["--select", "exposure", "--ignore", "exposure.search"], False),
        (["--select", "exposure.guided"], True),  # pulls the search in: it is said and sent
    ],
    ids=["select-archives", "ignore-search", "guided-pulls-search-in"],
)
def test_dry_run_says_the_searches_the_real_run_with_the_same_choice_sends(
    choice: list[str],
    searches: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--select and --ignore: the dry run names a search exactly when the real audit with the
    same options sends one (and the archive lookups exactly when exposure.archives runs)."""
    world = DemoWorld.run_in_thread()
    try:
        argv = [*world_argv(world, tmp_path), *choice]
        assert cli.main([*argv, "--dry-run"]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert not world.web.requests and not world.dns.queries  # the dry run sent nothing
        said = [line for line in lines if line.startswith(SEARCH_LINE.split(":")[0])]
        queries = search_queries(world.profile).sent
        assert bool(said) is searches
        assert all((f"  {query}" in lines) is searches for query in queries)
        assert any(line.startswith("exposure.archives would ask") for line in lines)
        assert NEVER_SENT in lines and lines[-1] == "Nothing was sent (--dry-run)."
        report = tmp_path / "report.json"
        cli.main([*argv, "--no-save", "-q", "--format", "json", "-o", str(report)])
        sent = world.web.requests_to(SEARCH_HOST)
        assert bool(sent) is searches
        assert report.exists() and ('"exposure.search"' in report.read_text()) is searches
    finally:
        world.stop_thread()


def test_dry_run_of_checks_that_send_nothing_outside_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "p.toml"
    profile.write_text(c.DEMO_PROFILE_TOML)
    argv = ["scan", "--profile", str(profile), "--dry-run", "--search-provider", "searxng",
            "--endpoint", "searxng=https://search.example/", "--select", "email"]  # fmt: skip
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "None of the checks chosen (--select, --ignore) sends anything about you to an outside "
        "service: no web search, no web-archive lookup.",
        NEVER_SENT,
        "Nothing was sent (--dry-run).",
    ]


def no_key_finding(profile: Path, report: Path) -> str:
    """The message of exposure.search's finding in a real audit with the Brave Search API
    chosen and no key given (it stops before sending anything)."""
    import json

    argv = ["scan", "--profile", str(profile), "--select", "exposure.search", "--no-save",
            "-q", "--search-provider", "brave", "--endpoint", "brave_search=https://brave.example/",
            "--allow-personal-lookups", "--format", "json", "-o", str(report)]  # fmt: skip
    cli.main(argv)
    results = json.loads(report.read_text())["results"]
    (finding,) = [f for r in results if r["check_id"] == "exposure.search" for f in r["findings"]]
    assert finding["status"] == "skipped"
    return str(finding["message"])


@UNUSABLE_KEYRINGS
def test_the_search_finding_names_only_the_ways_that_work_when_the_keyring_cannot_be_used(
    kind: str,
    why: str,
    keyring_as: Callable[[str], None],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The keyring's state reaches the check (AuditOptions.search_keyring_unusable): its
    finding says the keyring could not be used and why, and names the key file and
    AUDITOR_SEARCH_KEY; so does the dry run. Never "… or the OS keyring"."""
    keyring_as(kind)
    options = options_from_args(parsed("--search-provider", "brave"))  # type: ignore[arg-type]
    assert options.search_key is None and options.search_keyring_unusable == why
    profile = tmp_path / "p.toml"
    profile.write_text(c.DEMO_PROFILE_TOML)
    message = no_key_finding(profile, tmp_path / "report.json")
    assert message == (
        f"Not run: Brave Search API needs your API key. The OS keyring could not be used: "
        f"{why}. Put the key in a file and give --search-key-file FILE, or set the "
        "AUDITOR_SEARCH_KEY environment variable."
    )
    assert "or the OS keyring" not in message
    capsys.readouterr()
    argv = ["scan", "--profile", str(profile), "--dry-run", "--search-provider", "brave",
            "--endpoint", "brave_search=https://brave.example/"]  # fmt: skip
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert (
        "exposure.search sends nothing without your key for the Brave Search API "
        f"(--search-key-file FILE or AUDITOR_SEARCH_KEY; the OS keyring could not be used: "
        f"{why}).\n"
    ) in out
    assert "or the OS keyring" not in out
    assert not any(private in out or private in message for private in PRIVATE)


def test_a_keyring_that_works_is_still_named_as_a_way_to_give_the_key(
    keyring_as: Callable[[str], None], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keyring_as("empty")
    options = options_from_args(parsed("--search-provider", "brave"))  # type: ignore[arg-type]
    assert options.search_key is None and options.search_keyring_unusable == ""
    assert capsys.readouterr().err == ""  # a keyring without the key is not a problem
    profile = tmp_path / "p.toml"
    profile.write_text(c.DEMO_PROFILE_TOML)
    assert no_key_finding(profile, tmp_path / "report.json") == (
        "Not run: Brave Search API needs your API key (from a file with --search-key-file, the "
        "AUDITOR_SEARCH_KEY environment variable, or the OS keyring)."
    )
