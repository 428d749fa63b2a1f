"""Files: no surprises, nothing lost (issue 16). ``-o`` is checked before anything runs
(a folder, a missing folder, a file used as a folder, the profile being audited, an
existing file without --force), the suffix picks the format, and ``report --tick`` says
in one line what changed. Through the CLI's entry function, against loopback servers; the
core functions the app's exports share are tested directly."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from auditor.actions import load_actions
from auditor.cli import main
from auditor.demo.dns_server import DnsServer
from auditor.files import OutputExists, OutputRefused, check_output_path, write_private_text
from reports.formats import ReportFormat, format_for_output
from tests.support.zones import small_zone

# Were an audit to start with this resolver, stderr would say "No network".
NO_NET = ["--nameserver", "127.0.0.1:9", "--timeout", "0.3", "--select", "email.spf", "-q"]
DOMAIN = "files-one.example"
ZONE = small_zone(DOMAIN)


def test_check_output_path_gives_the_right_reason(tmp_path: Path) -> None:
    existing = tmp_path / "old.md"
    existing.write_text("keep me", encoding="utf-8")
    profile = tmp_path / "me.toml"
    profile.write_text('name = "X"\n', encoding="utf-8")
    cases = {
        tmp_path: "that is a folder",
        tmp_path / "missing" / "x.md": f"the folder {tmp_path / 'missing'} does not exist",
        existing / "x.md": f"{existing} is a file, not a folder",
        profile: "that is the profile being audited",
    }
    for path, reason in cases.items():
        with pytest.raises(OutputRefused, match="^" + reason):
            check_output_path(path, force=True, protected=(profile,))
    with pytest.raises(OutputExists):
        check_output_path(existing)
    assert check_output_path(existing, force=True) == existing
    assert check_output_path(tmp_path / "new.md") == tmp_path / "new.md"
    link = tmp_path / "link.toml"
    link.symlink_to(profile)
    with pytest.raises(OutputRefused, match="profile being audited"):
        check_output_path(link, force=True, protected=(profile,))
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert check_output_path(fifo) == fifo  # written into, never replaced
    with pytest.raises(OutputRefused, match="give a file name"):
        check_output_path("")


def test_writing_without_replace_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("the person's own file", encoding="utf-8")
    with pytest.raises(FileExistsError):
        write_private_text(target, "new", replace=False)
    assert target.read_text(encoding="utf-8") == "the person's own file"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]  # no temp file left
    write_private_text(tmp_path / "fresh.md", "new", replace=False)
    assert (tmp_path / "fresh.md").read_text(encoding="utf-8") == "new"
    assert (tmp_path / "fresh.md").stat().st_mode & 0o777 == 0o600


def test_the_suffix_picks_the_format_and_a_contradiction_is_refused() -> None:
    md = ReportFormat.MARKDOWN
    assert format_for_output(None, "audit.html", md) is ReportFormat.HTML
    assert format_for_output(None, "audit.JSON", md) is ReportFormat.JSON
    assert format_for_output(None, "audit.txt", md) is md
    assert format_for_output(None, None, md) is md
    assert format_for_output(ReportFormat.BRIEFING, "brief.html", md) is ReportFormat.BRIEFING
    assert format_for_output(ReportFormat.CSV, "audit.txt", md) is ReportFormat.CSV
    with pytest.raises(ValueError, match=r"--format json writes JSON, but audit\.html"):
        format_for_output(ReportFormat.JSON, "audit.html", md)


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        ("{tmp}", "that is a folder"),
        ("{tmp}/missing/x.md", "the folder {tmp}/missing does not exist"),
        ("{tmp}/old.md/x.md", "{tmp}/old.md is a file, not a folder"),
        ("{tmp}/old.md", "already exists; add --force to replace it"),
        ("{tmp}/me.toml", "that is the profile being audited"),
    ],
    ids=["folder", "missing-parent", "file-as-folder", "exists", "the-profile"],
)
def test_scan_refuses_a_bad_output_before_the_audit_runs(
    where: str, reason: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "old.md").write_text("keep me", encoding="utf-8")
    profile = tmp_path / "me.toml"
    profile.write_text(f'name = "Test Person"\ndomains = ["{DOMAIN}"]\n', encoding="utf-8")
    profile.chmod(0o600)
    output = where.format(tmp=tmp_path)
    code = main(["scan", "--profile", str(profile), *NO_NET, "-o", output,
                 *(["--force"] if reason.startswith("that is the profile") else [])])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 2
    assert err.startswith(f"auditor: -o {output}: {reason.format(tmp=tmp_path)}")
    assert "No network" not in err and out == ""  # refused before any query was sent
    assert (tmp_path / "old.md").read_text(encoding="utf-8") == "keep me"
    assert profile.read_text(encoding="utf-8").startswith('name = "Test Person"')


def test_force_replaces_and_the_suffix_picks_html(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "audit.html"
    target.write_text("old", encoding="utf-8")
    code = main(["scan", "--domain", DOMAIN, *NO_NET, "-o", str(target), "--force"])
    assert code == 2  # nothing could be checked: the report says so, and is written
    page = target.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "No network" in page
    capsys.readouterr()
    code = main(["scan", "--domain", DOMAIN, *NO_NET, "-o", str(tmp_path / "a.html"),
                 "--format", "csv"])  # fmt: skip
    assert code == 2 and not (tmp_path / "a.html").exists()
    assert "--format csv writes CSV, but a.html ends in .html" in capsys.readouterr().err


def test_bulk_output_is_checked_and_never_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listing = tmp_path / "domains.txt"
    listing.write_text(f"{DOMAIN}\n", encoding="utf-8")
    existing = tmp_path / "results.csv"
    existing.write_text("keep me", encoding="utf-8")
    assert main(["bulk", str(listing), *NO_NET, "-o", str(existing)]) == 2
    assert "already exists; add --force" in capsys.readouterr().err
    assert existing.read_text(encoding="utf-8") == "keep me"
    assert main(["bulk", str(listing), *NO_NET, "-o", str(tmp_path / "r.jsonl")]) == 2
    assert (tmp_path / "r.jsonl").read_text(encoding="utf-8").startswith("{")  # JSON lines


def test_report_tick_prints_one_line_of_confirmation(
    private_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def scan() -> int:
        async with DnsServer([ZONE]) as server:
            return await asyncio.to_thread(
                main,
                ["scan", "--domain", DOMAIN, "--nameserver", f"127.0.0.1:{server.port}",
                 "--select", "email.spf", "-q", "-o", str(tmp_path / "first.md")],
            )  # fmt: skip

    assert asyncio.run(scan()) in (0, 1)
    action = next(iter(load_actions().actions.values()))
    capsys.readouterr()
    assert main(["report", "--subject", DOMAIN, "--tick", action.id]) == 0
    out, err = capsys.readouterr()
    assert out == f"Checklist of {DOMAIN} updated: ticked {action.id} ({action.title}).\n"
    assert err == ""
    # With --format (or -o) the report follows, as before.
    assert main(["report", "--subject", DOMAIN, "--untick", action.id, "--format", "markdown"]) != 2
    assert capsys.readouterr().out.startswith("# Candidate Auditor report")
