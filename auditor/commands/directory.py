"""auditor directory: download the public 2FA Directory that extends the service table.

The 2FA Directory (https://2fa.directory) is published under the MIT licence by the
2factorauth project. ``update`` saves its v3 all.json in the user data directory (mode
0600, atomically); the accounts checks merge it with our own table, ours winning. It also
reports where the directory's methods for one of our services differ from our table, so a
change in the directory is noticed and reconciled against the service's own help page.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TYPE_CHECKING

from auditor.commands.common import add_network_options

if TYPE_CHECKING:
    from auditor.standards.accounts.services_table import Service

HELP = "download (update) or describe (info) the 2FA Directory used by the accounts checks"
EPILOG = "exit codes: 0 done; 2 could not run (bad input, the directory could not be fetched)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="directory_action", metavar="ACTION")
    update = actions.add_parser(
        "update",
        help="download the 2FA Directory (api.2fa.directory, MIT licence) into the data folder",
    )
    add_network_options(update, audit=False)
    actions.add_parser("info", help="show where the downloaded directory is and what it holds")


def run(args: argparse.Namespace) -> int:
    from auditor.commands.common import UsageError

    action = getattr(args, "directory_action", None)
    if action == "update":
        return _update(args)
    if action == "info":
        return _info()
    raise UsageError("say what to do: 'auditor directory update' or 'auditor directory info'")


def _update(args: argparse.Namespace) -> int:
    import asyncio

    from auditor.commands.common import UsageError, options_from_args, say
    from auditor.files import make_private_dirs, write_private_text
    from auditor.standards.accounts.services_table import (
        DIRECTORY_CREDIT,
        MAX_DIRECTORY_BYTES,
        ServiceTableError,
        directory_path,
        parse_directory,
    )

    options = options_from_args(args)
    url = options.endpoints["twofa_directory"]
    body = asyncio.run(_download(options, url, MAX_DIRECTORY_BYTES))
    kept = "; the saved copy was kept" if directory_path().exists() else ""
    if isinstance(body, str):
        raise UsageError(f"2FA Directory: {body}{kept}")
    try:
        services = parse_directory(body)
        text = body.decode("utf-8")
    except (ServiceTableError, UnicodeDecodeError) as exc:
        raise UsageError(f"2FA Directory: {exc}{kept}") from None
    path = directory_path()
    try:
        make_private_dirs(path.parent)
        write_private_text(path, text)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    say(f"Saved {len(services)} services to {path}")
    _report_differences(services, say)
    say(f"Data: {DIRECTORY_CREDIT}")
    return 0


def _report_differences(services: list[Service], say: Callable[[str], None]) -> None:
    from auditor.standards.accounts.directory_diff import compare_with_directory
    from auditor.standards.accounts.services_table import builtin_services

    ours = builtin_services()
    found = compare_with_directory(ours, services)
    listed = len(found.agree) + len(found.differ)
    say(
        f"Our table of {len(ours)} services: {listed} are in the directory, "
        f"{len(found.agree)} agree on the second factors offered"
    )
    for difference in found.differ:
        why = difference.service.directory_differs
        known = f" (known: {why})" if why else " (new: check the service's help page)"
        say(f"  differs: {difference.describe()}{known}")


async def _download(options: object, url: str, cap: int) -> bytes | str:
    """The body, or one line saying why not."""
    from auditor.services import AuditOptions, Services

    assert isinstance(options, AuditOptions)
    async with Services(options) as services:
        result = await services.http.fetch(
            url, max_bytes=cap, headers={"Accept": "application/json"}
        )
    if not result.ok:
        return f"could not download {url}: {result.error}"
    if result.status_code != 200:
        return f"{url} answered HTTP {result.status_code}"
    if result.truncated:
        return f"{url} sent more than {cap // (1024 * 1024)} MB"
    return result.body


def _info() -> int:
    import datetime as dt

    from auditor.standards.accounts.services_table import (
        DIRECTORY_CREDIT,
        ServiceTableError,
        builtin_services,
        directory_path,
        parse_directory,
    )

    path = directory_path()
    print(f"Built-in service table: {len(builtin_services())} services")
    if not path.exists():
        print(f"2FA Directory: not downloaded (run 'auditor directory update'); would be {path}")
        return 0
    try:
        count = len(parse_directory(path.read_bytes()))
    except (OSError, ServiceTableError) as exc:
        print(f"2FA Directory: {path} cannot be used ({exc}); run 'auditor directory update'")
        return 0
    when = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).isoformat(timespec="seconds")
    print(f"2FA Directory: {count} services in {path} (downloaded {when})")
    print(f"Data: {DIRECTORY_CREDIT}")
    return 0
