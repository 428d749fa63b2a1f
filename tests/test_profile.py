"""The profile: parsing, validation messages, normalisation, the template and saving."""

from __future__ import annotations

import json
import os
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.profile import (
    TWOFA_METHODS,
    Account,
    Address,
    ManualAnswer,
    Profile,
    ProfileError,
    load_profile,
    parse_profile,
    profile_for_domain,
    profile_for_url,
    save_profile,
)
from auditor.profile_template import TEMPLATE, profile_to_toml, write_template
from auditor.standards.identity.identifiers import (
    TWOFA_SYNONYMS,
    normalise_phone,
    normalise_postcode,
)

FULL = """
name = "Alex Example"
aliases = ["Cllr Alex Example", "A. Example"]
phones = ["07700 900123", "+44 1632 960 123"]
emails = ["Alex.Home@Example.COM"]
domains = ["alexforashcombe.org.uk"]
websites = ["https://www.alexforashcombe.org.uk/"]
extra_pages = ["https://party.example/people/alex"]
dkim_selectors = ["google", "selector1"]

[[home]]
lines = ["12 Acacia Avenue", "Ashcombe"]
postcode = "ab12cd"
latitude = 51.5072
longitude = -0.1276

[[public_address]]
label = "agent's office"
lines = ["1 High Street"]
postcode = "SW1A\u00a01AA"

[[account]]
service = "Gmail"
handle = "alex.campaign@gmail.com"
twofa = "authenticator app"
second_factor_holder = "me"
attested_on = 2026-05-02
primary_email = true
backup_codes_offline = false

[[account]]
service = "x"
twofa = "text"

[answers."exposure.guided.electoral-register"]
answer = "Yes"
answered_on = "2026-05-01"
note = "opted out of the open register"
"""


def error_for(text: str) -> str:
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, "me.toml")
    message = str(caught.value)
    assert "\n" not in message and message.startswith("me.toml: ")
    return message


def test_full_profile() -> None:
    profile = parse_profile(FULL, "me.toml")
    assert profile.name == "Alex Example"
    assert profile.aliases == ("Cllr Alex Example", "A. Example")
    assert profile.phones == ("+447700900123", "+441632960123")
    assert profile.emails == ("alex.home@example.com",)
    assert profile.domains == ("alexforashcombe.org.uk",)
    assert profile.websites == ("https://www.alexforashcombe.org.uk/",)
    assert profile.dkim_selectors == ("google", "selector1")
    assert profile.home_addresses == (
        Address(("12 Acacia Avenue", "Ashcombe"), "AB1 2CD", 51.5072, -0.1276, "home"),
    )
    assert profile.public_addresses[0].postcode == "SW1A 1AA"
    assert profile.public_addresses[0].label == "agent's office"
    gmail, x = profile.accounts
    assert gmail == Account(
        service="gmail",
        handle="alex.campaign@gmail.com",
        twofa="totp",
        second_factor_holder="me",
        attested_on="2026-05-02",
        primary_email=True,
        backup_codes_offline=False,
    )
    assert x.twofa == "sms" and x.recovery_phone_public is None
    assert profile.answers == {
        "exposure.guided.electoral-register": ManualAnswer(
            "yes", "2026-05-01", "opted out of the open register"
        )
    }
    assert profile.source == "me.toml"
    assert "+447700900123" in profile.sensitive_values()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('name = "Alex\naliases = []', ["line 1", "not valid TOML"]),
        ('name = "Alex"\n\n[[home]\nlines = []', ["line 3, column", "not valid TOML"]),
        ('aliases = ["Alex"]', ["name: is missing"]),
        ('name = "  "', ["name: is empty"]),
        ("name = 7", ["name: is a number, expected text", "quotes"]),
        ('name = "A"\n[[home]]\nlines = ["1"]\npostcode = "XX1"', ["home[1].postcode", "UK"]),
        ('name = "A"\n[[home]]\npostcode = "AB1 2CD"', ["home[1].lines: is missing"]),
        ('name = "A"\nalaises = ["B"]', ['alaises: unknown key — did you mean "aliases"?']),
        ('name = "A"\n[[home]]\nlines = ["x"]\npostocde = "AB1 2CD"', ['did you mean "postcode"']),
        ('name = "A"\n[[home]]\nlines = ["x"]\nemails = ["a@b.org"]', ["home[1].emails", "above"]),
        ('name = "A"\nphones = ["07700 900123", "12345"]', ["phones[2]", "not a phone", "07700"]),
        ('name = "A"\nphones = ["call me maybe"]', ["phones[1]", "not a phone number"]),
        ('name = "A"\nemails = ["alex at example"]', ["emails[1]", "not an email address"]),
        ('name = "A"\ndomains = ["localhost"]', ["domains[1]", "no dot"]),
        ('name = "A"\nwebsites = ["ftp://example.org"]', ["websites[1]", "https://"]),
        ('name = "A"\nwebsites = ["https://u:p@example.org/"]', ["websites[1]", "password"]),
        ('name = "A"\naliases = [1]', ["aliases[1]: is a number, expected text"]),
        ('name = "A"\naliases = 1', ["aliases: is a number, expected a list of text"]),
        ('name = "A"\nhome = "12 Road"', ["home: is text, expected [[home]] tables"]),
        ('name = "A"\n[[account]]\nhandle = "a"', ["account[1].service: is missing"]),
        (
            'name = "A"\n[[account]]\nservice = "x"\n[[account]]\nservice = "y"\ntwofa = "pigeon"',
            ["account[2].twofa", "'pigeon' is not a 2FA method", "one of: passkey"],
        ),
        ('name = "A"\n[[account]]\nservice = "x"\ntwofa = "autenticator"', ['mean "totp"']),
        ('name = "A"\n[[account]]\nservice = "x"\nshared = "maybe"', ["account[1].shared"]),
        ('name = "A"\n[[account]]\nservice = "x"\nattested_on = "May"', ["attested_on", "date"]),
        ('name = "A"\n[[home]]\nlines = ["x"]\nlatitude = 95.0\nlongitude = 0', ["latitude"]),
        ('name = "A"\n[[home]]\nlines = ["x"]\nlatitude = 51.5', ["home[1]: has only one"]),
        ('name = "A"\n[[home]]\nlines = ["x"]\nlatitude = "51"\nlongitude = 0', ["a number"]),
        ('name = "A"\n[answers.q1]\nanswr = "yes"', ["answers.q1.answr", 'mean "answer"']),
        ('name = "A"\n[answers.q1]\nnote = "x"', ["answers.q1.answer: is missing"]),
        ('name = "A"\ndkim_selectors = ["bad selector"]', ["dkim_selectors[1]"]),
    ],
)
def test_errors_are_one_line_naming_the_key(text: str, expected: list[str]) -> None:
    message = error_for(text)
    for part in expected:
        assert part in message


@pytest.mark.parametrize(
    ("text", "private"),
    [
        ('name = "A"\n[[home]]\nlines = ["1 Road"]\npostcode = "SW1A 1A"', "SW1A 1A"),
        ('name = "A"\nphones = ["07700 90O123"]', "90O123"),
        ('name = "A"\nemails = ["alex.home at example.org"]', "alex.home"),
        ('name = "A"\n[[home]]\nlines = ["x"]\nlatitude = 515.072\nlongitude = -1.83', "515"),
    ],
)
def test_errors_never_repeat_a_private_value(text: str, private: str) -> None:
    # a near miss of the home postcode, a phone or an email is still the person's: the error
    # names the key, never the value (a terminal is read over a shoulder; errors reach logs)
    message = error_for(text)
    assert private not in message
    assert message.count(":") >= 2  # the file and the key are still named


def test_an_office_postcode_may_be_repeated() -> None:
    text = 'name = "A"\n[[public_address]]\nlines = ["1 High St"]\npostcode = "XX1"'
    assert "'XX1'" in error_for(text)


def test_error_fields() -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile('name = "A"\nphones = ["x"]', "me.toml")
    assert (caught.value.source, caught.value.key) == ("me.toml", "phones[1]")
    assert caught.value.fix


def test_url_where_a_domain_belongs_is_cut_down_with_a_note() -> None:
    profile = parse_profile('name = "A"\ndomains = ["https://www.Example.org/about?x=1"]')
    assert profile.domains == ("example.org",)
    assert any("domains[1]" in note and "example.org" in note for note in profile.notes)


def test_bare_domain_where_a_website_belongs_gets_https() -> None:
    profile = parse_profile('name = "A"\nwebsites = "Example.org"')
    assert profile.websites == ("https://example.org",)
    assert len(profile.notes) == 2  # the lone string, and the added https://


def test_lone_strings_address_lines_and_synonyms_are_read_kindly() -> None:
    profile = parse_profile(
        'name = "A"\nphones = "07700 900123"\n'
        '[[home]]\nlines = "12 Acacia Avenue, Ashcombe, AB1 2CD"\n'
        '[[account]]\nservice = "x"\ntwofa = "YubiKey"\nshared = "yes"\n'
        "[answers.exposure.guided]\nanswer = false\n"
    )
    assert profile.phones == ("+447700900123",)
    assert profile.home_addresses[0].lines == ("12 Acacia Avenue", "Ashcombe")
    assert profile.home_addresses[0].postcode == "AB1 2CD"
    assert profile.accounts[0].twofa == "security-key" and profile.accounts[0].shared
    assert profile.answers["exposure.guided"].answer == "no"  # unquoted dots still one id
    assert profile.notes


def test_clean_profile_has_no_notes() -> None:
    assert parse_profile(FULL).notes == ()


@pytest.mark.parametrize(
    "number", ["07700 900000", "07700 900999", "01632 960123", "+447700900123"]
)
def test_ofcom_drama_numbers_are_accepted(number: str) -> None:
    assert normalise_phone(number) is not None
    assert parse_profile(f'name = "A"\nphones = ["{number}"]').phones[0].startswith("+44")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ab12cd", "AB1 2CD"),
        (" sw1a\u00a01aa ", "SW1A 1AA"),
        ("M1 1AE", "M1 1AE"),
        ("ec1a1bb", "EC1A 1BB"),
        ("DN55 1PT", "DN55 1PT"),
        ("gir0aa", "GIR 0AA"),
        ("XX1", None),
        ("AB1 2C", None),
        ("12345", None),
        ("AB1 2CD 3", None),
    ],
)
def test_postcodes(text: str, expected: str | None) -> None:
    assert normalise_postcode(text) == expected


def test_twofa_synonyms_only_name_known_methods() -> None:
    assert set(TWOFA_SYNONYMS.values()) == set(TWOFA_METHODS)
    assert {TWOFA_SYNONYMS[word] for word in ("app", "authenticator", "sms", "text")} == {
        "totp",
        "sms",
    }


def test_profile_for_domain_and_url() -> None:
    profile = profile_for_domain("https://www.Example.org/contact")
    assert profile.domains == ("example.org",) and profile.source == "--domain"
    assert profile.notes and profile.label == "example.org"
    site = profile_for_url("example.org/blog")
    assert site.websites == ("https://example.org/blog",) and site.source == "--url"
    assert site.label == "https://example.org/blog"
    with pytest.raises(ProfileError, match=r"^--domain: .*no dot"):
        profile_for_domain("example")
    with pytest.raises(ProfileError, match=r"^--url: "):
        profile_for_url("mailto:alex@example.org")


def test_template_parses_once_the_name_is_filled_in() -> None:
    assert "never sends it anywhere" in TEMPLATE
    assert "name: is empty" in error_for(TEMPLATE)
    profile = parse_profile(TEMPLATE.replace('name = ""', 'name = "Alex Example"'))
    assert profile == Profile(name="Alex Example")


def test_template_examples_parse_when_uncommented() -> None:
    lines = []
    for line in TEMPLATE.replace('name = ""', 'name = "Alex Example"').splitlines():
        code = line.removeprefix("# ")
        looks_like_toml = code.startswith("[") or " = " in code.split("#")[0]
        lines.append(code if line.startswith("# ") and looks_like_toml else line)
    profile = parse_profile("\n".join(lines))
    assert profile.home_addresses and profile.accounts and profile.answers and profile.domains


def test_write_template_is_private_and_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "new" / "folder" / "profile.toml"
    write_template(target)
    assert target.read_text(encoding="utf-8") == TEMPLATE
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    target.write_text("# mine\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="already exists"):
        write_template(target)
    assert target.read_text(encoding="utf-8") == "# mine\n"


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    original = parse_profile(FULL, str(tmp_path / "p.toml"))
    target = tmp_path / "p.toml"
    save_profile(original, target)
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert load_profile(target) == original
    assert [p.name for p in tmp_path.iterdir()] == ["p.toml"]  # no temp file left behind


def test_save_keeps_unusual_labels_and_text(tmp_path: Path) -> None:
    tricky = 'quote " back \\ tab \t nl \n bell \x07 del \x7f ünï 🗳'
    profile = Profile(
        name=tricky.strip(),
        aliases=(tricky.strip(),),
        home_addresses=(Address(("1 Road",), label=""),),
        accounts=(Account(service="gmail", twofa="none", recovery_phone_public=False),),
        answers={"weird key \"'.x": ManualAnswer("free text", note=tricky.strip())},
        source=str(tmp_path / "p.toml"),
    )
    save_profile(profile, tmp_path / "p.toml")
    assert load_profile(tmp_path / "p.toml") == profile


def test_save_refuses_a_profile_that_would_not_load(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="name"):
        save_profile(profile_for_domain("example.org"), tmp_path / "p.toml")
    assert not list(tmp_path.iterdir())


def test_load_profile_problems(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="no such file"):
        load_profile(tmp_path / "missing.toml")
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes(b'name = "Ren\xe9"\n')
    with pytest.raises(ProfileError, match="line 1: is not UTF-8"):
        load_profile(latin1)
    readable = tmp_path / "open.toml"
    readable.write_text('\ufeffname = "A"\n', encoding="utf-8")
    readable.chmod(0o644)
    profile = load_profile(readable)
    assert profile.name == "A"
    if os.name == "posix":
        assert any("chmod 600" in note for note in profile.notes)


@settings(max_examples=max(200, settings().max_examples))
@given(st.text())
def test_arbitrary_text_raises_only_profile_error(text: str) -> None:
    try:
        parse_profile(text)
    except ProfileError as exc:
        assert "\n" not in str(exc)


_KEYS = ["name", "aliases", "phones", "emails", "domains", "websites", "extra_pages"]
_KEYS += ["dkim_selectors", "home", "public_address", "account", "answers", "nmae"]
_SUBKEYS = ["lines", "postcode", "latitude", "longitude", "label", "service", "twofa"]
_SUBKEYS += ["attested_on", "shared", "answer", "note", "handle"]
_SCALARS = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=30).map(
        lambda s: json.dumps(s, ensure_ascii=False)
    ),
    st.sampled_from(['"07700 900123"', '"ab12cd"', '"a@b.org"', '"https://x.org/"', '"totp"']),
    st.sampled_from(["1", "-3.5", "true", "2026-05-02", "1e400", "nan", "[]", "{}"]),
)
_VALUES = st.one_of(
    _SCALARS, st.lists(_SCALARS, max_size=3).map(lambda items: "[" + ", ".join(items) + "]")
)


@settings(max_examples=max(200, settings().max_examples))
@given(
    st.lists(st.tuples(st.sampled_from(_KEYS), _VALUES), max_size=4, unique_by=lambda kv: kv[0]),
    st.lists(
        st.tuples(
            st.sampled_from(["[[home]]", "[[account]]", "[[public_address]]", "[answers.q]"]),
            st.lists(
                st.tuples(st.sampled_from(_SUBKEYS), _VALUES),
                max_size=4,
                unique_by=lambda kv: kv[0],
            ),
        ),
        max_size=3,
    ),
)
def test_structured_nonsense_raises_only_profile_error(
    top: list[tuple[str, str]], tables: list[tuple[str, list[tuple[str, str]]]]
) -> None:
    lines = [f"{key} = {value}" for key, value in top]
    for header, pairs in tables:
        lines += [header, *(f"{key} = {value}" for key, value in pairs)]
    try:
        profile = parse_profile("\n".join(lines))
    except ProfileError as exc:
        assert "\n" not in str(exc)
    else:
        assert parse_profile(profile_to_toml(profile)) == replace(profile, notes=())


@settings(max_examples=max(200, settings().max_examples))
@given(  # within the profile's length limits (auditor.profile._FIELD_LIMITS)
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=200).filter(str.strip),
    st.lists(st.text(st.characters(codec="utf-8"), max_size=200), max_size=100),
)
def test_round_trip_of_arbitrary_text(name: str, aliases: list[str]) -> None:
    profile = parse_profile(profile_to_toml(Profile(name=name.strip(), aliases=tuple(aliases))))
    assert profile.name == name.strip()
    assert parse_profile(profile_to_toml(profile)) == profile


def test_domain_case_alone_is_not_worth_a_note() -> None:
    assert parse_profile('name = "A"\ndomains = ["Example.ORG."]').notes == ()


def test_a_key_written_twice_is_explained() -> None:
    assert "written twice" in error_for('name = "A"\nname = "B"')


def test_find_postcodes_in_free_text() -> None:
    from auditor.standards.identity.identifiers import find_postcodes

    text = "Write to 12 Acacia Avenue, ab1\u00a02cd or SW1A1AA; not XAB1 2CDX nor GIR 0AA1."
    assert find_postcodes(text) == ["AB1 2CD", "SW1A 1AA"]
