"""Masking the person's identifiers: forgiving about how pages write them, exact about whose."""

from __future__ import annotations

import pytest

from auditor.masking import (
    MASK,
    compile_masker,
    mask_text,
    pattern_for,
    snippet_keeping_whole_forms,
)

VALUES = ["12 Acacia Avenue", "Flat 3", "AB1 2CD", "+447700900123", "jane.doe@example.org"]


@pytest.fixture(scope="module")
def mask() -> object:
    masker = compile_masker(VALUES)
    return lambda text: mask_text(text, masker)


@pytest.mark.parametrize(
    "text",
    [
        "12 Acacia Avenue", "12 ACACIA AVENUE", "12  acacia\u00a0avenue", "12, Acacia Avenue",
        "12 Acacia Ave", "12 Acacia Ave.", "12\nAcacia\tAvenue",
        "AB1 2CD", "ab12cd", "AB1  2CD", "ab1\u00a02cd", "AB1\u200b2CD",
        "07700 900123", "07700900123", "07700-900-123", "(07700) 900123", "+447700900123",
        "+44 7700 900 123", "+44 (0)7700 900123", "0044 7700 900123", "+44-7700-900-123",
        "7700 900123",
        "jane.doe@example.org", "JANE.DOE@EXAMPLE.ORG", "jane.doe [at] example [dot] org",
        "jane.doe (at) example (dot) org", "jane.doe at example dot org",
        "mailto:jane.doe%40example.org",
    ],
)  # fmt: skip
def test_masks_the_usual_ways_pages_write_them(mask: object, text: str) -> None:
    masked = mask(text)  # type: ignore[operator]
    assert MASK in masked
    digits = "".join(c for c in masked if c.isdigit())
    assert "900123" not in digits and "acacia" not in masked.lower()
    assert "2cd" not in masked.lower().replace(" ", "")


@pytest.mark.parametrize(
    "text",
    [
        "12 Acacia Road",  # a different street
        "AB1 2CE", "XAB12CD", "AB1 2CDX",  # a different postcode, or part of a longer token
        "07700 900124", "17700900123", "077009001234",  # a different number
        "john.doe@example.org", "jane.doe@example.org.uk",
    ],
)  # fmt: skip
def test_leaves_other_peoples_details_alone(mask: object, text: str) -> None:
    assert mask(text) == text  # type: ignore[operator]


def test_whole_sentences(mask: object) -> None:
    text = "Write to Jane at Flat 3, 12 Acacia Ave, Ashcombe AB12CD or call +44 (0)7700-900-123."
    assert mask(text) == (  # type: ignore[operator]
        f"Write to Jane at {MASK}, {MASK}, Ashcombe {MASK} or call {MASK}."
    )


def test_nothing_to_mask() -> None:
    assert compile_masker([]) is None
    assert compile_masker(["", "  ", "ab"]) is None
    assert mask_text("12 Acacia Avenue", None) == "12 Acacia Avenue"
    assert pattern_for("x") is None


def test_regex_special_characters_in_values_are_literal() -> None:
    masker = compile_masker(["The (Old) Rectory [rear]", "a.b+c@example.org"])
    assert mask_text("at The (Old) Rectory [rear], ok", masker) == f"at {MASK}, ok"
    assert mask_text("The Old Rectory", masker) == "The Old Rectory"
    assert mask_text("axb+c@example.org", masker) == "axb+c@example.org"


def test_long_hostile_text_is_fast_enough_to_finish() -> None:
    masker = compile_masker(VALUES)
    text = ("12 " * 20_000) + ("0" * 20_000) + ("a " * 20_000)
    assert mask_text(text, masker) == text


# -- families of forms, never a list: no cap can unmask (issue 13) ---------------------------

HOME = ("12 Acacia Parade", "Wickelham Green", "ZX9 4QT", "+447700900777", "+441632960555")
HOME_LAT, HOME_LON = 52.20412, -1.70337
GEO = f"geo:{HOME_LAT:.6f},{HOME_LON:.6f}"


def test_the_street_alone_and_every_abbreviation_are_the_persons() -> None:
    masker = compile_masker(HOME)
    for text in ("112 Acacia Parade", "Acacia Pde.", "12 ACACIA PDE", "12,  Acacia\tparade",
                 "Wickelham Grn", "wickelham   green"):  # fmt: skip
        assert "acacia" not in mask_text(text, masker).lower(), text
        assert "wickelham" not in mask_text(text, masker).lower(), text


def test_hundreds_of_forms_of_one_phone_are_one_family() -> None:
    forms = [f"{p}7700{s}900{s}777" for p in ("+44 ", "0044 ", "0", "+44 (0)") for s in " -./"]
    forms += [f"+44 {'7700900777'[:n]} {'7700900777'[n:]}" for n in range(1, 10)] * 30
    one = compile_masker([*HOME, "+44 7700 900777"])
    many = compile_masker([*forms, *HOME])
    assert one is not None and many is not None and one.pattern and many.pattern
    assert len(many.pattern.pattern) == len(one.pattern.pattern)  # nothing added, nothing lost
    page = "Call " + " or ".join(forms[:40]) + ". Home: 12 Acacia Parade, Wickelham Green ZX9 4QT"
    masked = mask_text(page, many)
    assert "acacia" not in masked.lower() and "zx9" not in masked.lower()
    assert "900" not in masked and "777" not in masked


def test_no_number_of_other_values_pushes_the_address_out() -> None:
    """The old masker kept the 200 longest values: 200 longer ones pushed the address out.
    Every value is kept now (the cost grows with the number of distinct families, which
    the matcher's forms of one person's details keep small)."""
    crowd = [f"+44 7700 9{n:05d}" for n in range(250)]
    crowd += [f"{n} Long Street Name Road Of Many Words" for n in range(250)]
    masker = compile_masker([*crowd, *HOME])
    masked = mask_text("Visit 12 Acacia Parade, Wickelham Green, ZX9 4QT today", masker)
    assert masked == f"Visit {MASK}, {MASK}, {MASK} today"


# -- numbers and structured detail ------------------------------------------------------------


def test_numbers_near_the_home_are_hidden_in_any_structure() -> None:
    masker = compile_masker([*HOME, GEO])
    assert masker is not None
    detail = {
        "latitude": HOME_LAT + 0.00015,
        "longitude": HOME_LON + 0.0001,
        "distance_m": 18,
        "points": [[HOME_LAT - 0.01, HOME_LON + 0.02], {"y": HOME_LAT}],
        "where": f"pos {HOME_LAT:.5f},{HOME_LON:.5f}",
        "elsewhere": {"lat": 51.5072, "lon": -0.1276},
        "flag": True,
    }
    masked = masker.value(detail)
    assert masked["latitude"] == MASK and masked["longitude"] == MASK
    assert masked["points"] == [[MASK, MASK], {"y": MASK}]
    assert masked["where"] == f"pos {MASK},{MASK}"
    assert masked["distance_m"] == 18 and masked["flag"] is True  # not a position
    assert masked["elsewhere"] == {"lat": 51.5, "lon": -0.1}  # another place: the region only
    assert "52.2" not in str(masked) and "1.70" not in str(masked)


MAP_URLS = [
    "https://www.google.com/maps/embed?pb=!1m18!1m12!1m3!1d2436.2!2d-1.70317!3d52.20402!2m3",
    "https://www.google.com/maps/place/x/@52.2041,-1.7033,17z/data=!3m1!4b1!4m5!3m4!8m2!3d52.20412!4d-1.70337",
    "https://maps.google.com/?ll=52.20412,-1.70337&z=17",
    "https://maps.google.com/maps?q=52.20412,-1.70337",
    "https://www.openstreetmap.org/export/embed.html?bbox=-1.7100%2C52.2000%2C-1.6900%2C52.2100&marker=52.20412%2C-1.70337",
    "https://www.openstreetmap.org/?mlat=52.20412&mlon=-1.70337#map=17/52.20412/-1.70337",
    "https://example.org/map?center=52.20412,-1.70337",
    '{"geo": {"latitude": "52.20412", "longitude": "-1.70337"}}',
]


@pytest.mark.parametrize("url", MAP_URLS)
@pytest.mark.parametrize("home_known", [True, False])
def test_map_parameters_are_masked_with_or_without_a_known_home(url: str, home_known: bool) -> None:
    masker = compile_masker([*HOME, GEO] if home_known else HOME)
    masked = mask_text(url, masker)
    assert MASK in masked
    assert "2041" not in masked and "7033" not in masked and "1.70" not in masked, masked


def test_dms_positions_near_home_are_hidden() -> None:
    masker = compile_masker([*HOME, GEO])
    assert mask_text("GPS 52° 12' 14.8\" N, 1° 42' 12.1\" W", masker) == f"GPS {MASK}, {MASK}"


# -- mask first, then cut -----------------------------------------------------------------------


def test_partial_forms_at_a_cut_are_hidden() -> None:
    masker = compile_masker(HOME)
    cases = {
        "…elham Green, in the county": f"…{MASK}, in the county",
        "…ham Grn. ok": f"…{MASK}. ok",
        "…0 777 is my number": f"…{MASK} is my number",
        "ring me on 01632…": f"ring me on {MASK}…",
        "write to 12 Acacia Pa…": f"write to {MASK}…",
        "…entrance is round the back": "…entrance is round the back",  # not a partial form
        "…Q4T is not a postcode of theirs": "…Q4T is not a postcode of theirs",
    }
    for text, expected in cases.items():
        assert mask_text(text, masker) == expected, text


def test_a_snippet_is_cut_where_no_identifier_is_split() -> None:
    masker = compile_masker(HOME)
    for gap in range(0, 90):
        text = (
            "x" * 40
            + " Wickelham Green "
            + "y" * gap
            + " ZX9 4QT "
            + "z" * gap
            + " 01632 960555 end"
        )
        start = text.index("ZX9")
        cut = snippet_keeping_whole_forms(text, start, start + 7, masker)
        masked = mask_text(cut, masker)
        assert "elham" not in masked.lower() and "1632" not in masked and "96055" not in masked, cut
