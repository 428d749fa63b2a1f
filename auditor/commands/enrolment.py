"""auditor enrolment: which Google Workspace or Microsoft 365 users have two-step sign-in.

For the campaign's IT volunteer. The access token is read from a file or standard input,
never from the command line (where shell history and ``ps`` would keep it), held in memory
for this run only, sent only to the API endpoint in the Authorization header, and never
printed, logged or written. Exit codes: 0 everyone enrolled, 1 someone (admin or not) has no
second step, 2 could not check (bad token file, 401/403/429, a broken answer).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from auditor.commands.common import add_network_options

if TYPE_CHECKING:
    from auditor.services import AuditOptions
    from auditor.standards.accounts.enrolment import Summary, UserEnrolment

HELP = "list Google Workspace or Microsoft 365 users without two-step sign-in (needs a token)"
PROVIDER_NAMES = {"google": "Google Workspace", "microsoft": "Microsoft 365"}
EPILOG = (
    "exit codes: 0 every user has 2-step sign-in; 1 some users have none; 2 could not run "
    "(bad token, no users listed) or some users could not be told."
)


class _Token:
    """The bearer token; its repr never shows it, so a stray print or log cannot leak it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def header(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._value}", "Accept": "application/json"}

    def redact(self, text: str) -> str:
        from auditor.standards.accounts.enrolment import redact

        return redact(text, self._value)

    def __repr__(self) -> str:
        return "<token hidden>"

    __str__ = __repr__


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "provider", choices=["google", "microsoft"],
        help="google: Directory API (isEnrolledIn2Sv); microsoft: Graph userRegistrationDetails",
    )  # fmt: skip
    parser.add_argument(
        "--token-file", required=True, metavar="FILE",
        help="file holding the OAuth access token ('-' reads standard input); never put the "
        "token itself on the command line",
    )  # fmt: skip
    parser.add_argument(
        "--domain", metavar="D", help="only users of this domain (default: every domain)"
    )
    parser.add_argument(
        "--format", choices=["text", "json", "csv"], default="text", help="output format (text)"
    )
    add_network_options(parser, audit=False)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from auditor.commands.common import UsageError, options_from_args, say
    from auditor.standards.accounts.enrolment import (
        ENDPOINT_NAMES,
        EnrolmentError,
        normalise_domain_filter,
        ordered,
        parse_token,
        summarise,
    )

    try:
        domain = normalise_domain_filter(args.domain)
        text, note = _read_token_text(args.token_file)
        token = _Token(parse_token(text))
    except EnrolmentError as exc:
        raise UsageError(str(exc)) from None
    if note:
        say(note)
    options = options_from_args(args)
    endpoint = options.endpoints[ENDPOINT_NAMES[args.provider]]
    outcome = asyncio.run(_fetch_all(options, args.provider, endpoint, domain, token))
    if isinstance(outcome, str):
        raise UsageError(token.redact(f"{PROVIDER_NAMES[args.provider]}: {outcome}"))
    users, ignored = outcome
    del token
    summary = summarise(users, ignored)
    if summary.users == 0:
        where = f" in {domain}" if domain else ""
        raise UsageError(
            f"{PROVIDER_NAMES[args.provider]}: no users were listed{where}; check --domain and "
            "that the token's account can see the users"
        )
    listed = ordered(users)
    render = {"text": render_text, "json": render_json, "csv": render_csv}[args.format]
    print(render(args.provider, listed, summary), end="")
    if args.format != "text":  # the text report already ends with the summary
        say(summary.line())
    if summary.without:
        say(_advice(args.provider))
        return 1
    return 2 if summary.unknown else 0


def _read_token_text(name: str) -> tuple[str, str]:
    """The token file's text (a bounded read), and a note when others could read it."""
    import os
    import stat
    import sys

    from auditor.commands.common import UsageError

    if name == "-":
        if sys.stdin.isatty():
            import getpass

            return getpass.getpass("Paste the access token (it is not shown): "), ""
        return sys.stdin.read(64 * 1024 + 1), ""
    try:
        with open(name, encoding="utf-8") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            text = handle.read(64 * 1024 + 1)
    except FileNotFoundError:
        raise UsageError(f"--token-file {name}: no such file") from None
    except UnicodeDecodeError:
        raise UsageError(f"--token-file {name}: not a text file") from None
    except OSError as exc:
        raise UsageError(f"--token-file {name}: {exc.strerror or 'cannot be read'}") from None
    note = ""
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        note = f"Note: {name} can be read by other users of this computer (chmod 600 it)."
    return text, note


async def _fetch_all(
    options: AuditOptions, provider: str, endpoint: str, domain: str | None, token: _Token
) -> tuple[list[UserEnrolment], int] | str:
    """Every page, or one line saying why not (no partial lists: they would mislead)."""
    from auditor.services import Services
    from auditor.standards.accounts.enrolment import (
        MAX_PAGE_BYTES,
        MAX_PAGES,
        MAX_USERS,
        EnrolmentError,
        describe_http_error,
        first_url,
        parse_page,
    )

    try:
        url: str | None = first_url(provider, endpoint, domain)
    except EnrolmentError as exc:
        return str(exc)
    users: list[UserEnrolment] = []
    ignored = 0
    seen: set[str] = set()
    async with Services(options) as services:
        for page_number in range(1, MAX_PAGES + 1):
            assert url is not None
            seen.add(url)
            result = await services.http.fetch(
                url, follow_redirects=False, max_bytes=MAX_PAGE_BYTES, headers=token.header()
            )
            where = f" (page {page_number})" if page_number > 1 else ""
            if not result.ok:
                return f"could not reach the API{where}: {result.error}"
            status = result.status_code or 0
            if status != 200:
                retry_after = result.headers.get("retry-after")
                return describe_http_error(provider, status, result.body, retry_after) + where
            if result.truncated:
                return f"the answer{where} is larger than {MAX_PAGE_BYTES // 2**20} MB"
            try:
                page = parse_page(provider, result.body, endpoint, domain, result.content_type)
            except EnrolmentError as exc:
                return f"{exc}{where}"
            users.extend(page.users)
            ignored += page.ignored
            if len(users) > MAX_USERS:
                return f"more than {MAX_USERS} users; stopped"
            url = page.next_url
            if url is None:
                return users, ignored
            if url in seen:
                return f"the service sent the same next page twice{where}; stopped"
    return f"more than {MAX_PAGES} pages; stopped"


def _advice(provider: str) -> str:
    if provider == "google":
        return (
            "Turn on 2-Step Verification for these users, then enforce it (Admin console > "
            "Security > 2-Step Verification); see action accounts.enforce-2sv-workspace."
        )
    return (
        "Ask these users to register for multifactor authentication, then require it "
        "(Entra admin center > Conditional Access or security defaults); see action "
        "accounts.enforce-mfa-m365."
    )


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else "yes" if value else "no"


def render_text(provider: str, users: list[UserEnrolment], summary: Summary) -> str:
    lines = [f"{PROVIDER_NAMES[provider]}: two-step sign-in by user (admins first)"]
    for user in users:
        role = "admin" if user.admin else "user "
        state = {True: "2SV on ", False: "NO 2SV ", None: "unknown"}[user.enrolled]
        extra = []
        if user.enforced is not None:
            extra.append(f"enforced: {_yes_no(user.enforced)}")
        if user.capable is not None:
            extra.append(f"MFA capable: {_yes_no(user.capable)}")
        if user.methods:
            extra.append("methods: " + ", ".join(user.methods))
        detail = f"  ({'; '.join(extra)})" if extra else ""
        lines.append(f"  {role}  {state}  {user.email}{detail}")
    lines.append(summary.line())
    return "\n".join(lines) + "\n"


def render_json(provider: str, users: list[UserEnrolment], summary: Summary) -> str:
    import json

    data = {
        "provider": provider,
        "summary": {**summary.to_dict(), "line": summary.line()},
        "users": [u.to_dict() for u in users],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_csv(provider: str, users: list[UserEnrolment], summary: Summary) -> str:
    import csv
    import io

    from reports.csv_report import safe_cell

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["provider", "email", "admin", "enrolled", "enforced", "capable", "methods"])
    for user in users:
        writer.writerow(
            [
                provider,
                safe_cell(user.email),
                _yes_no(user.admin),
                _yes_no(user.enrolled),
                "" if user.enforced is None else _yes_no(user.enforced),
                "" if user.capable is None else _yes_no(user.capable),
                safe_cell(" ".join(user.methods)),
            ]
        )
    return out.getvalue()
