"""Our service table against a pinned snapshot of the 2FA Directory (tests/data/twofactorauth).

Every difference in second factors must be reconciled or explained in the table
(``directory_differs``, citing the service's own help page). The snapshot is the directory's
own data for our services, vendored with its MIT licence; SOURCE.md says how to move the pin.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from auditor.cli import main
from auditor.demo.web_server import WebServer, json_response
from auditor.standards.accounts.directory_diff import (
    compare_with_directory,
    directory_entry_for,
)
from auditor.standards.accounts.services_table import (
    Service,
    builtin_services,
    parse_directory,
)

SNAPSHOT_DIR = Path(__file__).resolve().parents[1] / "data" / "twofactorauth"
SNAPSHOT_TEXT = (SNAPSHOT_DIR / "entries.json").read_text(encoding="utf-8")
SNAPSHOT = parse_directory(SNAPSHOT_TEXT)
OURS = builtin_services()


def test_the_snapshot_carries_the_directory_licence_and_its_pin() -> None:
    licence = (SNAPSHOT_DIR / "LICENSE.md").read_text(encoding="utf-8")
    assert "MIT License" in licence and "2factorauth" in licence
    source = (SNAPSHOT_DIR / "SOURCE.md").read_text(encoding="utf-8")
    assert "github.com/2factorauth/twofactorauth" in source and "Commit: " in source


def test_every_difference_from_the_directory_is_explained_in_the_table() -> None:
    comparison = compare_with_directory(OURS, SNAPSHOT)
    unexplained = [d.describe() for d in comparison.differ if not d.explained]
    assert not unexplained, "reconcile against the service's help page:\n" + "\n".join(unexplained)
    # Most of the table is the directory's own answer; the explained differences stay few.
    assert len(comparison.agree) >= 38, [s.key for s in comparison.agree]


def test_an_explanation_is_kept_only_where_the_table_still_differs() -> None:
    differing = {d.service.key for d in compare_with_directory(OURS, SNAPSHOT).differ}
    stale = [s.key for s in OURS if s.directory_differs and s.key not in differing]
    assert not stale, f"these now agree with the directory; drop directory_differs: {stale}"


def test_every_service_the_directory_lists_is_matched_and_named_entries_exist() -> None:
    not_listed = {s.key for s in compare_with_directory(OURS, SNAPSHOT).not_listed}
    # Neither is in the directory at the pinned commit (checked by domain and by name).
    assert not_listed == {"google-workspace", "crowdfunder"}
    for service in OURS:
        if service.directory:
            assert directory_entry_for(service, SNAPSHOT) is not None, service.key


@pytest.mark.parametrize("service", OURS, ids=lambda s: s.key)
def test_help_links_point_at_a_page_not_a_home_page(service: Service) -> None:
    url = urlsplit(service.docs)
    assert url.scheme == "https" and url.hostname
    if service.offers_2fa:
        assert url.path.strip("/") or url.query, f"{service.key}: {service.docs} is a home page"


def test_services_with_nothing_to_turn_on_say_so() -> None:
    for key in ("monzo", "starling", "crowdfunder"):
        service = next(s for s in OURS if s.key == key)
        assert not service.methods and service.notes, key


def test_a_difference_names_both_sides() -> None:
    directory = parse_directory(
        json.dumps([["TikTok", {"domain": "tiktok.com", "tfa": ["sms", "email", "u2f"]}]])
    )
    (difference,) = compare_with_directory(OURS, directory).differ
    assert difference.only_directory == ("security-key",)
    assert difference.only_ours == ("totp",)
    assert not difference.explained
    assert "also lists a security key" in difference.describe()
    assert "only we list an authenticator app" in difference.describe()


def test_directory_update_reports_the_differences_it_finds(
    threaded_web: WebServer, private_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entries = json.loads(SNAPSHOT_TEXT)
    for _name, info in entries:
        if info["domain"] == "tiktok.com":
            info["tfa"] = ["sms"]  # the directory drops two of TikTok's methods
    threaded_web.route("*", "/v3/all.json", json_response(entries))
    url = f"http://127.0.0.1:{threaded_web.http_port}/v3/all.json"
    assert main(["directory", "update", "--endpoint", f"twofa_directory={url}"]) == 0
    err = capsys.readouterr().err
    agree = len(compare_with_directory(OURS, SNAPSHOT).agree) - 1
    assert f"{agree} agree on the second factors offered" in err
    tiktok = [line for line in err.splitlines() if "differs: TikTok" in line]
    assert len(tiktok) == 1 and "only we list an authenticator app, email codes" in tiktok[0]
    assert "new: check the service's help page" in tiktok[0]
    assert "differs: NationBuilder" in err and "(known: " in err
