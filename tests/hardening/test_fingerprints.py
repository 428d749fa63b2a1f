"""Fingerprints: stable for dismissals and diffs, useless for brute force (issue 13).

A fingerprint is printed in every report. It used to be an unsalted SHA-256 of fields that
held the person's mobile number and email (the accounts checks' location and subject), so a
masked report gave the number back in a fraction of a second. Now it is taken from the
masked fields: a function of what the masked report already shows. The attack is run against
the real demo audit, and against the old scheme to show it would have worked.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.audit import run_audit
from auditor.changes import diff
from auditor.demo import candidate as c
from auditor.demo.world import DemoWorld
from auditor.files import write_private_text
from auditor.history import AUDIT_FORMAT, STATE_FORMAT, History, subject_slug
from auditor.masking import MASK, masked_audit
from auditor.model import Report
from reports import json_report


async def _demo() -> Report:
    async with DemoWorld() as world:
        return await run_audit(world.profile, world.audit_options())


@pytest.fixture(scope="module")
def report() -> Report:
    return asyncio.run(_demo())


def _sha(check_id: str, target: str, kind: str, location: str, subject: str) -> str:
    """The fingerprint formula (auditor.model.Finding.fingerprint), as an attacker knows it."""
    key = "\x1f".join((check_id, target.lower(), kind, location, subject))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def candidates() -> list[str]:
    """What an attacker would try: every mobile in the range (as written in three ways),
    every postcode of the district, and the person's real details among them."""
    mobiles = [f"07700 900{n:03d}" for n in range(1000)]
    mobiles += [f"+447700900{n:03d}" for n in range(1000)]
    mobiles += [f"07700900{n:03d}" for n in range(1000)]
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    postcodes = [f"ZX4 {d}{a}{b}" for d in "0123456789" for a in letters for b in letters]
    return [*mobiles, *postcodes, c.PERSONAL_EMAIL, c.MOBILE_DISPLAY, c.HOME_POSTCODE]


def _hidden_findings(masked: dict[str, object]) -> list[dict[str, str]]:
    findings = [f for r in masked["results"] for f in r["findings"]]  # type: ignore[attr-defined]
    return [f for f in findings if any(MASK in f[k] for k in ("target", "location", "subject"))]


def _brute_force(finding: dict[str, str], tries: list[str]) -> str | None:
    for guess in tries:
        fields = {k: finding[k].replace(MASK, guess) for k in ("target", "location", "subject")}
        if _sha(finding["check_id"], fields["target"], finding["kind"], fields["location"],
                fields["subject"]) == finding["fingerprint"]:  # fmt: skip
            return guess
    return None


def test_brute_forcing_a_masked_reports_fingerprints_gives_nothing_back(report: Report) -> None:
    masked = json.loads(json_report.render(report))
    hidden = _hidden_findings(masked)
    # The accounts checks name the personal email and mobile: their fingerprints cover them.
    assert len(hidden) >= 2, "no fingerprint covers a hidden field: the attack tests nothing"
    tries = candidates()
    for finding in hidden:
        # The fingerprint is a function of what the masked report shows, nothing more...
        shown = _sha(finding["check_id"], finding["target"], finding["kind"],
                     finding["location"], finding["subject"])  # fmt: skip
        assert shown == finding["fingerprint"]
        # ...so no guess at what was hidden reproduces it.
        assert _brute_force(finding, tries) is None, finding["subject"]


def test_the_same_attack_breaks_the_old_unsalted_fingerprints(report: Report) -> None:
    """Shows the attack is real: with fingerprints hashed from the unmasked fields (the old
    scheme), the same brute force recovers the mobile number from the masked report."""
    shown, _ = masked_audit(report, None)
    recovered = set()
    for raw, seen in zip(report.findings, shown.findings, strict=True):
        if not any(MASK in text for text in (seen.target, seen.location, seen.subject)):
            continue
        weak = {"check_id": seen.check_id, "kind": seen.kind, "target": seen.target,
                "location": seen.location, "subject": seen.subject,
                "fingerprint": replace(raw, recorded_fingerprint="").fingerprint}  # fmt: skip
        guess = _brute_force(weak, candidates())
        if guess is not None:
            recovered.add(guess)
    assert {c.MOBILE_DISPLAY, c.PERSONAL_EMAIL} <= recovered, recovered


def test_every_output_carries_the_same_fingerprints(report: Report, tmp_path: Path) -> None:
    """Dismissals made in the app match the written reports and the saved history."""
    in_memory = [f.fingerprint for f in report.findings]
    written = [f["fingerprint"] for r in json.loads(json_report.render(report))["results"]
               for f in r["findings"]]  # fmt: skip
    history = History(tmp_path / "history")
    saved = [f.fingerprint for f in history.load(history.save(report)).findings]
    assert in_memory == written == saved
    assert len(set(in_memory)) > 0.9 * len(in_memory)  # still tells findings apart


def test_a_version_1_history_and_its_dismissals_are_migrated(
    report: Report, tmp_path: Path
) -> None:
    """Audits and a checklist state saved by the previous version (old fingerprints, real
    files): the audit loads with the new fingerprints, the dismissal follows its finding,
    and a re-audit compares as 'still open', not 'fixed' and 'new'."""
    root = tmp_path / "history"
    subject = report.subject
    masked, _ = masked_audit(report, None)
    data = masked.to_dict()
    old_of: dict[str, str] = {}
    for result, original in zip(data["results"], report.results, strict=True):
        for finding, raw in zip(result["findings"], original.findings, strict=True):
            finding["fingerprint"] = old = replace(raw, recorded_fingerprint="").fingerprint
            old_of[raw.fingerprint] = old
    (root / "audits").mkdir(parents=True)
    (root / "state").mkdir()
    audit = {"format": AUDIT_FORMAT, "version": 1, "subject": subject, "report": data}
    write_private_text(root / "audits" / f"20260101T000000Z--{subject_slug(subject)}.json",
                       json.dumps(audit))  # fmt: skip
    problem = next(f for f in report.findings if f.status.is_problem and MASK not in f.subject)
    accounts = next(
        f for f in report.findings if f.status.is_problem and f.check_id.startswith("accounts")
    )
    dismissed = {old_of[problem.fingerprint]: "not mine", old_of[accounts.fingerprint]: "ok"}
    state = {"format": STATE_FORMAT, "version": 1, "subject": subject,
             "state": {"dismissed": dismissed}}  # fmt: skip
    write_private_text(root / "state" / f"{subject_slug(subject)}.json", json.dumps(state))

    history = History(root)
    loaded = history.load(history.latest(subject))  # type: ignore[arg-type]
    assert [f.fingerprint for f in loaded.findings] == [f.fingerprint for f in report.findings]
    migrated = history.load_state(subject)
    assert migrated.dismissed == {problem.fingerprint: "not mine", accounts.fingerprint: "ok"}
    on_disk = json.loads((root / "state" / f"{subject_slug(subject)}.json").read_text())
    assert on_disk["version"] == 2
    changes = diff(loaded, report)
    assert not changes.fixed and not changes.new and changes.still_open


def test_a_report_with_nothing_to_mask_keeps_the_plain_fingerprints() -> None:
    """The engine's fingerprinting skips the copy when there is nothing to mask (a bulk
    domain): the fingerprints are then exactly those over the fields, and a finding read
    back with a recorded fingerprint (a saved, masked audit) is still given a fresh one."""
    from auditor.masking import fingerprinted
    from auditor.model import CheckResult, Finding, Severity, Status

    plain = Finding("email.spf", Status.FAIL, Severity.HIGH, "m", "example.org", "example.org TXT")
    saved = replace(plain, subject="other", recorded_fingerprint="0123456789abcdef")

    def report_of(*findings: Finding) -> Report:
        result = CheckResult("email.spf", "example.org", findings, "2026-12-05T00:00:00", 0.1)
        return Report("example.org", "2026-12-05T00:00:00", "2026-12-05T00:00:01", "x", (result,))

    kept = fingerprinted(report_of(plain)).findings[0]
    assert kept.fingerprint == _sha("email.spf", "example.org", "", "example.org TXT", "")
    renewed = fingerprinted(report_of(plain, saved)).findings[1]
    assert renewed.fingerprint == _sha("email.spf", "example.org", "", "example.org TXT", "other")
