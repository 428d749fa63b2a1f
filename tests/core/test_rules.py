"""Rule tables (auditor/rules.py) and docs/findings.md, which lists them."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor import cli
from auditor.rules import Rule, RuleTable
from auditor.vocabulary import Severity, Status

DOC = Path(__file__).resolve().parents[2] / "docs" / "findings.md"


def test_a_rule_fills_its_message_from_the_facts_it_names() -> None:
    rule = Rule("ABC001", Status.FAIL, "record", "needs {lookups} of {limit}")
    assert rule.fields == {"lookups", "limit"}
    assert rule.text(lookups=12, limit=10) == "needs 12 of 10"
    with pytest.raises(KeyError, match="ABC001 needs limit"):
        rule.text(lookups=12)


@pytest.mark.parametrize("bad", ["spf001", "SPF1", "SPF0001", "S001", "SPF-001", ""])
def test_rule_ids_are_letters_then_three_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="three digits"):
        Rule(bad, Status.PASS, "x", "ok")


def test_a_table_refuses_a_repeated_id_and_mixed_prefixes() -> None:
    one = Rule("ABC001", Status.PASS, "x", "ok")
    with pytest.raises(ValueError, match="used twice"):
        RuleTable([one, Rule("ABC001", Status.FAIL, "x", "bad", severity=Severity.LOW)])
    with pytest.raises(ValueError, match="one prefix"):
        RuleTable([one, Rule("XYZ002", Status.FAIL, "x", "bad")])
    table = RuleTable([one, Rule("ABC002", Status.FAIL, "x", "bad")])
    assert [r.id for r in table] == ["ABC001", "ABC002"] and table["ABC002"].status is Status.FAIL


def test_docs_findings_is_the_output_of_checks_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["checks", "--rules"]) == 0
    printed = capsys.readouterr().out
    assert "| SPF006 | warn | medium |" in printed
    assert DOC.read_text(encoding="utf-8") == printed, (
        "docs/findings.md is stale: run `auditor checks --rules > docs/findings.md`"
    )


def test_every_rule_of_every_check_is_used_by_its_code() -> None:
    """No dead rules: each id in a check's table is named again in the module's code
    (the SPF test goes further and reaches every rule through real DNS answers)."""
    import inspect

    from auditor.registry import discover, load_check

    tables = 0
    for entry in discover().entries:
        check = load_check(entry.module, entry.attr)
        if check.rules is None:
            continue
        tables += 1
        source = inspect.getsource(inspect.getmodule(check))  # type: ignore[arg-type]
        for rule in check.rules:
            assert source.count(f'"{rule.id}"') >= 2, f"{entry.id}: {rule.id} is never given"
    assert tables >= 2
