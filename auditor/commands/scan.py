"""auditor scan: audit a profile, a bare domain or a website, headless."""

from __future__ import annotations

import argparse

from auditor.commands.common import add_network_options, add_report_options

HELP = "audit a profile, a domain or a website and print the report"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--profile", metavar="FILE", help="the person's profile (TOML)")
    source.add_argument("--domain", metavar="DOMAIN", help="audit just this campaign domain")
    source.add_argument("--url", metavar="URL", help="audit just this website")
    add_report_options(parser)
    add_network_options(parser)


def run(args: argparse.Namespace) -> int:
    from auditor.commands.common import UsageError, options_from_args
    from auditor.profile import ProfileError, load_profile, profile_for_domain, profile_for_url

    try:
        if args.profile:
            profile = load_profile(args.profile)
        elif args.domain:
            profile = profile_for_domain(args.domain)
        else:
            profile = profile_for_url(args.url)
    except ProfileError as exc:
        raise UsageError(str(exc)) from None
    return run_and_report(profile, options_from_args(args), args)


def run_and_report(profile: object, options: object, args: argparse.Namespace) -> int:
    """Shared by scan and demo --headless: run, write the report, summarise, exit code."""
    import asyncio

    from auditor.audit import exit_code, run_audit, summary_line
    from auditor.commands.common import UsageError, emit_report, say, split_ids
    from auditor.commands.progress import ProgressLine
    from auditor.engine import PlanError
    from auditor.profile import Profile
    from auditor.services import AuditOptions
    from reports.formats import render

    assert isinstance(profile, Profile) and isinstance(options, AuditOptions)
    for note in profile.notes:
        say(f"note: {note}")
    progress = ProgressLine(enabled=False if args.quiet else None)
    try:
        report = asyncio.run(
            run_audit(
                profile,
                options,
                selected=split_ids(args.select),
                ignored=split_ids(args.ignore),
                on_event=progress,
            )
        )
    except PlanError as exc:
        raise UsageError(str(exc)) from None
    finally:
        progress.finish()
    emit_report(render(report, args.format, reveal=args.reveal), args.output)
    for problem in report.problems:
        say(f"problem: {problem}")
    say(summary_line(report))
    return exit_code(report, args.fail_on)
