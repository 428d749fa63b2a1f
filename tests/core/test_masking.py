"""Masking the person's identifiers: forgiving about how pages write them, exact about whose."""

from __future__ import annotations

import pytest

from auditor.masking import MASK, compile_masker, mask_text, pattern_for

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
        "112 Acacia Avenue",  # a different house
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
