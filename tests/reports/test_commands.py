"""auditor report / auditor diff / saving after scan: against a real history on disk."""

from __future__ import annotations

import argparse
import json
import os
import stat
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.cli import main
from auditor.commands.scan import save_and_checklist, save_with_changes
from auditor.history import DEMO_SUBJECT, History
from auditor.model import CheckResult, Report, Severity, Status


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def _without(report: Report, check_id: str, kind: str = "") -> Report:
    """The same audit a week later, with one problem fixed (its check now passes)."""
    results = []
    for result in report.results:
        findings = tuple(
            replace(f, status=Status.PASS, severity=Severity.INFO, actions=())
            if f.check_id == check_id and (not kind or f.kind == kind) and f.status.is_problem
            else f
            for f in result.findings
        )
        results.append(CheckResult(result.check_id, result.target, findings, "", 0.1))
    return replace(
        report, results=tuple(results), started_at="2026-05-08T09:00:00+00:00",
        finished_at="2026-05-08T09:02:00+00:00",
    )  # fmt: skip


def test_report_renders_the_latest_audit_masked_with_its_checklist(
    data_home: Path, report: Report, capsys: pytest.CaptureFixture[str]
) -> None:
    History().save(report)
    code = main(["report", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 1  # critical problems in it, --fail-on high
    data = json.loads(out)
    assert data["masked"] is True and data["checklist"]["items"]
    assert "12 acacia avenue" not in out.lower()
    assert "saved audit" in err


def test_report_by_id_to_a_private_file_stays_masked_even_with_reveal(
    data_home: Path, report: Report, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = History().save(report)
    target = tmp_path / "out" / "report.html"
    target.parent.mkdir()
    assert main(["report", record.id[:15], "--format", "html", "--reveal", "-o", str(target)]) == 1
    text = target.read_text(encoding="utf-8")
    assert "12 acacia avenue" not in text.lower() and "<!DOCTYPE html>" in text
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    captured = capsys.readouterr()
    assert captured.out == "" and "saved audits keep your personal details hidden" in captured.err


def test_report_list_and_empty_history(
    data_home: Path, report: Report, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report"]) == 2
    assert "no saved audits" in capsys.readouterr().err
    History().save(report)
    History().save(report, subject=DEMO_SUBJECT)
    assert main(["report", "--list"]) == 0
    out = capsys.readouterr().out
    assert out.count("Jane Candidate") == 2 and "[demo]" in out


def test_report_survives_a_corrupt_history_file(
    data_home: Path, report: Report, capsys: pytest.CaptureFixture[str]
) -> None:
    record = History().save(report)
    (record.path.parent / "20990101T000000Z--broken.json").write_text('{"format": "candid')
    assert main(["report", "--format", "markdown"]) == 1
    out, err = capsys.readouterr()
    assert "## What to do" in out
    assert "warning: skipped 20990101T000000Z--broken.json" in err
    assert "Traceback" not in err


def test_diff_the_last_two_audits(
    data_home: Path, report: Report, capsys: pytest.CaptureFixture[str]
) -> None:
    History().save(report)
    History().save(_without(report, "exposure.pages", "home-address"))
    assert main(["diff"]) == 0  # nothing new
    out, err = capsys.readouterr()
    fixed = out.split("Fixed (1):")[1].split("New (0):")[0]
    assert "home address" in fixed and "12 acacia" not in out.lower()
    # In the app's words, the check id named as such (issue 16).
    assert "  - Very urgent: Your home address" in fixed and "(check id: exposure.pages)" in fixed
    assert "[critical]" not in out and "[high]" not in out
    assert "Still open (5):" in out
    assert "1 fixed, 0 new" in err


def test_the_report_of_a_re_audit_shows_what_changed_since_the_one_before(
    data_home: Path, report: Report, capsys: pytest.CaptureFixture[str]
) -> None:
    first = History().save(report)
    History().save(_without(report, "exposure.pages", "home-address"))
    main(["report", "--format", "markdown"])
    latest = capsys.readouterr().out
    assert "### Since the previous audit" in latest and "1 fixed, 0 new, 5 still open" in latest
    main(["report", first.id, "--format", "markdown"])  # the first audit has none before it
    assert "Since the previous audit" not in capsys.readouterr().out


def test_a_saved_re_audit_comes_with_what_changed_for_its_report(
    data_home: Path, report: Report
) -> None:
    args = argparse.Namespace(no_save=False)
    assert save_with_changes(report, args, None)[1] is None  # nothing before it
    _, changes = save_with_changes(_without(report, "exposure.pages", "home-address"), args, None)
    assert changes is not None and len(changes.fixed) == 1 and not changes.new


def test_diff_exit_code_follows_new_problems(
    data_home: Path, report: Report, capsys: pytest.CaptureFixture[str]
) -> None:
    first = History().save(_without(report, "email.dmarc"))
    second = History().save(replace(report, started_at="2026-05-09T09:00:00+00:00"))
    assert main(["diff", first.id, second.id, "--format", "json"]) == 1  # DMARC is new (high)
    data = json.loads(capsys.readouterr().out)
    assert [f["check_id"] for f in data["new"]] == ["email.dmarc"]
    assert main(["diff", first.id, second.id, "--fail-on", "critical"]) == 0


def test_diff_needs_two_audits(
    data_home: Path, report: Report, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff"]) == 2
    History().save(report)
    assert main(["diff"]) == 2
    assert "nothing to compare" in capsys.readouterr().err


def test_saving_after_a_run_and_no_save(
    data_home: Path, report: Report, capsys: pytest.CaptureFixture[str]
) -> None:
    args = argparse.Namespace(no_save=False)
    checklist = save_and_checklist(report, args, None)
    assert checklist.items and len(History().audits("Jane Candidate")) == 1
    save_and_checklist(report, argparse.Namespace(no_save=True), None)
    assert len(History().audits()) == 1
    save_and_checklist(_without(report, "exposure.pages"), args, DEMO_SUBJECT)
    assert len(History().audits(DEMO_SUBJECT)) == 1
    save_and_checklist(_without(report, "exposure.pages"), args, None)
    assert "since the last audit: 2 fixed, 0 new" in capsys.readouterr().err


def test_nothing_is_saved_when_nothing_could_be_checked(data_home: Path, report: Report) -> None:
    blind = replace(
        report,
        results=tuple(
            CheckResult(r.check_id, r.target,
                        tuple(replace(f, status=Status.TIMEOUT) for f in r.findings), "", 1.0)
            for r in report.results
        ),
    )  # fmt: skip
    save_and_checklist(blind, argparse.Namespace(no_save=False), None)
    assert History().audits() == []


def test_demo_headless_saves_under_demo_and_respects_no_save(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    command = [sys.executable, "-m", "auditor", "demo", "--headless", "--format", "csv", "-q"]
    first = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode in (0, 1), first.stderr
    assert first.stdout.startswith("audit_started_at,") and "saved as" in first.stderr
    second = subprocess.run(
        [*command, "--no-save"], capture_output=True, text=True, env=env, timeout=120
    )
    assert second.returncode == first.returncode, second.stderr
    history = History(tmp_path / "data" / "candidate-auditor" / "history")
    assert [r.subject for r in history.audits()] == [DEMO_SUBJECT]


def test_report_ticks_and_dismisses_from_the_command_line(
    data_home: Path, report: Report, capsys: pytest.CaptureFixture[str]
) -> None:
    History().save(report)
    web = next(f for f in report.findings if f.check_id == "web.headers")
    code = main(["report", "--format", "json", "--tick", "general.recheck-after-fixing",
                 "--dismiss", web.fingerprint])  # fmt: skip
    assert code == 1
    items = {i["id"]: i for i in json.loads(capsys.readouterr().out)["checklist"]["items"]}
    assert items["general.recheck-after-fixing"]["status"] == "done"
    dismissed = [i for i in items.values() if web.fingerprint in i["dismissed_findings"]]
    assert dismissed and dismissed[0]["status"] == "dismissed"
    state = History().load_state("Jane Candidate")
    assert "general.recheck-after-fixing" in state.ticked and web.fingerprint in state.dismissed
    capsys.readouterr()
    # Alone, a checklist change is confirmed in one line (issue 16), exit 0.
    assert main(["report", "--untick", "general.recheck-after-fixing"]) == 0
    assert capsys.readouterr().out.count("\n") == 1
    assert History().load_state("Jane Candidate").ticked == {}
    assert main(["report", "--tick", "general.no-such-thing"]) == 2
    assert main(["report", "--dismiss", "0000000000000000"]) == 2
    assert "no finding" in capsys.readouterr().err
