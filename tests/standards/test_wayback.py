"""The Wayback Machine's CDX JSON and playback URLs, read as the CDX server's README
documents them (internetarchive/wayback, wayback-cdx-server/README.md)."""

from __future__ import annotations

import json

import pytest

from auditor.standards.web.wayback import (
    Capture,
    CdxMalformed,
    cdx_url,
    parse_cdx,
    raw_capture_url,
    view_capture_url,
)

# The README's own example answer (output=json&limit=3).
README_ANSWER = """[["urlkey","timestamp","original","mimetype","statuscode","digest","length"],
 ["org,archive)/", "19970126045828", "http://www.archive.org:80/", "text/html", "200",
  "Q4YULN754FHV2U6Q5JUT6Q2P57WEWNNY", "1415"],
 ["org,archive)/", "19971011050034", "http://www.archive.org:80/", "text/html", "200",
  "XAHDNHZ5P3GSSSNJ3DMEOJF7BMCCPZR3", "1402"],
 ["org,archive)/", "19971211122953", "http://www.archive.org:80/", "text/html", "200",
  "XAHDNHZ5P3GSSSNJ3DMEOJF7BMCCPZR3", "1405"]]"""

# showResumeKey=true: an empty row, then the key.
RESUME_ANSWER = [
    ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"],
    ["org,archive)/", "19970126045828", "http://www.archive.org:80/", "text/html", "200", "Q", "1"],
    [],
    ["org%2Carchive%29%2F+19980109140106%21"],
]


def test_the_documented_answer_reads_as_captures() -> None:
    captures = parse_cdx(json.loads(README_ANSWER))
    assert [c.timestamp for c in captures] == ["19970126045828", "19971011050034", "19971211122953"]
    first = captures[0]
    assert first.original == "http://www.archive.org:80/"
    assert (first.mimetype, first.statuscode, first.digest) == (
        "text/html", "200", "Q4YULN754FHV2U6Q5JUT6Q2P57WEWNNY",
    )  # fmt: skip
    assert first.month == "January 1997" and first.date == "1997-01-26"


def test_fields_are_read_by_name_in_any_order_fl() -> None:
    answer = [["original", "timestamp"], ["http://a.example/", "2019"]]
    (capture,) = parse_cdx(answer)
    assert (capture.original, capture.timestamp, capture.month) == (
        "http://a.example/", "2019", "January 2019",
    )  # fmt: skip


def test_empty_answer_and_resume_key() -> None:
    assert parse_cdx([]) == []
    assert [c.timestamp for c in parse_cdx(RESUME_ANSWER)] == ["19970126045828"]


@pytest.mark.parametrize(
    ("data", "cause"),
    [
        ({}, "not a JSON array"),
        ([["urlkey", "timestamp"]], "original"),
        (["timestamp", "original"], "name the fields"),
        ([["timestamp", "original"], ["1997", "x", "extra"]], "row 2"),
        ([["timestamp", "original"], ["1997", None]], "strings"),
        ([["timestamp", "original"], ["١٩٩٧", "http://a.example/"]], "timestamp"),
    ],
)
def test_malformed_answers_name_what_is_wrong(data: object, cause: str) -> None:
    with pytest.raises(CdxMalformed, match=cause):
        parse_cdx(data)


def test_query_and_playback_urls() -> None:
    url = cdx_url("https://web.archive.org", "example.org.uk", "domain", 500)
    assert url == (
        "https://web.archive.org/cdx/search/cdx?url=example.org.uk&matchType=domain"
        "&output=json&filter=statuscode%3A200&collapse=digest&limit=500"
    )
    exact = cdx_url("https://web.archive.org/", "https://www.example.org.uk/a?b=1")
    assert "matchType" not in exact and "url=https%3A%2F%2Fwww.example.org.uk%2Fa%3Fb%3D1" in exact
    capture = Capture("20190514093000", "http://www.example.org.uk:80/contact?x=1")
    assert raw_capture_url("https://web.archive.org/", capture) == (
        "https://web.archive.org/web/20190514093000id_/http://www.example.org.uk:80/contact?x=1"
    )
    assert view_capture_url("https://web.archive.org", capture) == (
        "https://web.archive.org/web/20190514093000/http://www.example.org.uk:80/contact?x=1"
    )
    with pytest.raises(ValueError):
        cdx_url("https://web.archive.org/", "x", "everything")


def test_a_timestamp_that_is_not_a_date() -> None:
    assert Capture("20191399000000", "http://a/").when is None
    assert Capture("20191399000000", "http://a/").date == ""
