from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from auditor.standards.accounts.services_table import (
    CATEGORIES,
    METHODS,
    ServiceTableError,
    builtin_services,
    directory_path,
    load_service_table,
    merge,
    parse_directory,
    parse_service_table,
)

REPO = Path(__file__).resolve().parents[2]
REQUIRED = {
    "gmail", "google-workspace", "microsoft-365", "outlook", "yahoo", "icloud", "proton",
    "fastmail", "zoho", "x", "facebook", "instagram", "tiktok", "linkedin", "youtube",
    "threads", "bluesky", "mastodon", "snapchat", "reddit", "nextdoor", "whatsapp", "signal",
    "telegram", "123-reg", "godaddy", "ionos", "namecheap", "cloudflare", "gandi", "krystal",
    "fasthosts", "wordpress-com", "squarespace", "wix", "nationbuilder", "mailchimp",
    "action-network", "paypal", "stripe", "crowdfunder", "justgiving", "1password",
    "bitwarden", "gov-uk-one-login", "barclays", "hsbc", "lloyds", "natwest", "santander",
    "nationwide", "monzo", "starling",
}  # fmt: skip

DIRECTORY = [
    ["Example Bank", {"domain": "examplebank.example", "tfa": ["sms", "custom-software"],
                      "documentation": "https://examplebank.example/2fa"}],
    ["X (Twitter)", {"domain": "x.com", "tfa": ["sms"],
                     "documentation": "https://example.invalid/not-ours"}],
    ["Keyed", {"domain": "keyed.example", "tfa": ["u2f", "totp", "call", "custom-hardware"],
               "additional-domains": ["keyed.example.org"], "documentation": "http://insecure"}],
    ["broken", {"domain": "not a domain"}],
    "garbage",
]  # fmt: skip


def test_builtin_table_covers_the_services_candidates_use() -> None:
    services = builtin_services()
    keys = {s.key for s in services}
    assert len(services) >= 40
    assert keys >= REQUIRED
    for service in services:
        assert service.category in CATEGORIES
        assert set(service.methods) <= set(METHODS)
        assert service.docs.startswith("https://")
        assert service.setting


def test_lookup_by_key_alias_name_and_host() -> None:
    table = load_service_table(use_directory=False)
    assert table.get("twitter") is table.get("x")
    assert table.get("Microsoft 365") is table.get("microsoft-365")
    assert table.get("protonmail") is table.get("proton")
    assert table.get("123reg") is table.get("123-reg")
    assert table.by_host("m.facebook.com") is table.get("facebook")
    assert table.get("no-such-service") is None


def test_stronger_than_lists_better_methods_strongest_first() -> None:
    table = load_service_table(use_directory=False)
    x = table.get("x")
    assert x is not None
    assert x.stronger_than("sms") == ("security-key", "totp")
    assert x.stronger_than("security-key") == ()
    assert x.strongest == "security-key"


def test_table_parser_rejects_unknown_methods_and_keys() -> None:
    base = 'key="a"\nname="A"\ncategory="social"\ndocs="https://a.example"\nsetting="s"\n'
    with pytest.raises(ServiceTableError, match="unknown method"):
        parse_service_table("[[service]]\n" + base + 'methods=["carrier-pigeon"]\n')
    with pytest.raises(ServiceTableError, match="unknown key"):
        parse_service_table("[[service]]\n" + base + 'methods=[]\ncolour="red"\n')
    with pytest.raises(ServiceTableError, match="duplicate"):
        parse_service_table(("[[service]]\n" + base + "methods=[]\n") * 2)


def test_directory_parse_maps_methods_and_skips_junk() -> None:
    services = {s.key: s for s in parse_directory(json.dumps(DIRECTORY))}
    assert set(services) == {"examplebank.example", "x.com", "keyed.example"}
    keyed = services["keyed.example"]
    assert keyed.methods == ("security-key", "totp", "hardware-token", "voice")
    assert keyed.docs == ""  # not https: dropped
    assert "keyed.example.org" in keyed.domains
    assert services["examplebank.example"].methods == ("push", "sms")


@pytest.mark.parametrize(
    "text",
    ["<!doctype html><html><body>Service unavailable</body></html>", "{\"truncated\": ", "[]",
     "[[1, 2]]", "null", b"\xff\xfe"],
)  # fmt: skip
def test_directory_parse_rejects_what_is_not_the_directory(text: str | bytes) -> None:
    with pytest.raises(ServiceTableError):
        parse_directory(text)


def test_merge_keeps_our_entry_and_adds_the_rest() -> None:
    table = merge(builtin_services(), parse_directory(json.dumps(DIRECTORY)))
    x = table.get("x")
    assert x is not None and x.source == "table" and "security-key" in x.methods
    bank = table.get("examplebank.example")
    assert bank is not None and bank.source == "2fa-directory"
    assert table.by_host("www.examplebank.example") is bank


def test_load_merges_the_downloaded_file_and_survives_a_damaged_one(private_home: Path) -> None:
    path = directory_path()
    assert str(path).startswith(str(private_home))
    assert load_service_table().get("examplebank.example") is None
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(DIRECTORY), encoding="utf-8")
    assert load_service_table().get("examplebank.example") is not None
    path.write_text("<html>oops</html>", encoding="utf-8")
    table = load_service_table()
    assert table.get("examplebank.example") is None and table.get("gmail") is not None


def test_every_service_has_its_action_with_the_provider_link() -> None:
    actions_file = REPO / "checks" / "data" / "actions" / "accounts.toml"
    actions = {a["id"]: a for a in tomllib.loads(actions_file.read_text())["action"]}
    for service in builtin_services():
        action = actions[f"accounts.2fa-{service.key}"]
        urls = [link["url"] for link in action["links"]]
        assert service.docs in urls
        assert any("ncsc.gov.uk" in url for url in urls)
