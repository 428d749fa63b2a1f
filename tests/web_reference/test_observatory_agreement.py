"""The Mozilla HTTP Observatory's own test cases through our grader: per test and overall score.

The cases (tests/web_reference/observatory_cases.json) are the Observatory's test inputs
and its verdicts on them, transcribed as data with their source and licence: one case per
analyzer call in its test files at the pinned commit (``upstream`` names the file and line),
duplicates included, so the count per test equals upstream's. A case whose ``expected_score``
is null is one the Observatory's scanner does not score (its page answered 404).
``scanner_cases`` are its scanner tests: two captured real sites with the score and grade it
asserts on them.
"""

from __future__ import annotations

import collections
import json
from pathlib import Path
from typing import Any

from auditor.standards.web.graded import Response, SiteSample, response
from auditor.standards.web.observatory import grade_site

DATA = json.loads((Path(__file__).parent / "observatory_cases.json").read_text())
TEST_NAMES = {"csp": "content-security-policy", "cors": "cross-origin-resource-sharing"}


def _preloaded(host: str) -> bool:
    table: dict[str, bool] = DATA["hsts_preloaded"]
    parts = host.split(".")
    return host in table or any(table.get(".".join(parts[i:])) for i in range(1, len(parts)))


def _response(raw: dict[str, Any] | None) -> Response | None:
    if raw is None:
        return None
    pairs = [(str(k), str(v)) for k, v in raw.get("headers") or []]
    return response(pairs, verified=raw.get("verified", True))


def _sample(case: dict[str, Any]) -> SiteSample:
    page = case["auto"] or {}
    equiv = page.get("http_equiv", {})
    markup = "".join(
        f'<meta http-equiv="content-security-policy" content="{v.replace(chr(34), "&quot;")}">'
        for v in equiv.get("content-security-policy", [])
    ) + "".join(f'<meta name="referrer" content="{v}">' for v in equiv.get("referrer-policy", []))
    origin = dict((case["cors"] or {}).get("request_headers") or []).get("origin")
    return SiteSample(
        url=case["url"] or "https://mozilla.org/",
        host=case["site"],
        page=_response(case["auto"]),
        html=(case["html"] or "") + markup,
        https=_response(case["https"]),
        http=_response(case["http"]),
        http_route=tuple(url for url, _status in case["http_redirects"]),
        cors=_response(case["cors"]),
        cors_origin=origin,
        set_cookies=tuple(v for k, v in page.get("headers") or [] if k == "set-cookie"),
        preloaded=_preloaded,
    )


def test_every_observatory_case_agrees_per_test_and_on_the_score() -> None:
    asked: collections.Counter[str] = collections.Counter()
    agreed: collections.Counter[str] = collections.Counter()
    differences = []
    scores = scored = 0
    for case in DATA["cases"]:
        grade = grade_site(_sample(case))
        ours = {r.test: r.result for r in grade.results}
        name = TEST_NAMES.get(case["test"], case["test"])
        asked[name] += 1
        if ours.get(name) == case["expected"]:
            agreed[name] += 1
        else:
            differences.append((case["id"], case["expected"], ours.get(name)))
        if case["expected_score"] is not None:
            scored += 1
            scores += grade.score == case["expected_score"]
    total = sum(asked.values())
    report = {name: f"{agreed[name]}/{asked[name]}" for name in asked}
    print(f"per test: {sum(agreed.values())}/{total} {report}; overall score: {scores}/{scored}")
    upstream = {TEST_NAMES.get(k, k): n for k, n in DATA["upstream_cases_per_test"].items()}
    assert dict(asked) == upstream  # every upstream analyzer call is a case, none left out
    assert total >= 200 and len(asked) == 12
    assert sum(agreed.values()) / total >= 0.98, differences
    assert scores / scored >= 0.98
    assert not differences, differences  # every difference must be documented before it is allowed


def test_the_observatorys_scanner_cases_get_its_score_and_grade() -> None:
    """Upstream's scanner tests: observatory.mozilla.org 110 A+, mozilla.org 75 B."""
    assert len(DATA["scanner_cases"]) == 2
    for case in DATA["scanner_cases"]:
        grade = grade_site(_sample(case))
        ours = {r.test: r.result for r in grade.results}
        want = {TEST_NAMES.get(k, k): v for k, v in case["all_expected"].items()}
        assert ours == want, case["id"]
        assert (grade.score, grade.letter) == (case["expected_score"], case["expected_grade"])
