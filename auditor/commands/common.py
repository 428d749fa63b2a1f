"""Options shared by the commands that reach the network, and their translation into
AuditOptions. Kept free of heavy imports so that building the CLI parser stays fast."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditor.model import Severity
    from auditor.services import AuditOptions


# AuditOptions.lookalikes, repeated so the CLI starts without importing the services
# (tests/transport/test_lookalikes.py keeps the two equal).
LOOKALIKES_DEFAULT = 1500


class UsageError(Exception):
    """A problem with what the user asked for: one line on stderr, exit code 2."""


def add_network_options(
    parser: argparse.ArgumentParser, *, audit: bool = True, prefix: str = "", title: str = "network"
) -> None:
    """Where to reach DNS, web and mail servers; ``audit`` adds the options only audits use.
    ``prefix`` starts each option's dest (the app's options sit beside a command's own)."""
    group = parser.add_argument_group(title)
    group.add_argument(
        "--nameserver", dest=f"{prefix}nameserver", action="append", default=[],
        metavar="HOST[:PORT]",
        help="DNS server to ask (repeatable); default: this machine's resolvers",
    )  # fmt: skip
    group.add_argument(
        "--connect-to", dest=f"{prefix}connect_to", action="append", default=[],
        metavar="HOST1:PORT1:HOST2:PORT2",
        help="connect to HOST2:PORT2 instead of HOST1:PORT1, as curl does (repeatable)",
    )  # fmt: skip
    group.add_argument(
        "--ca-file", dest=f"{prefix}ca_file", metavar="PEM",
        help="also trust the CA certificates in PEM",
    )  # fmt: skip
    group.add_argument(
        "--endpoint", dest=f"{prefix}endpoint", action="append", default=[], metavar="NAME=URL",
        help="use URL for a third-party service (see docs/privacy.md for the names)",
    )  # fmt: skip
    group.add_argument(
        "--timeout", dest=f"{prefix}timeout", type=float, default=None, metavar="SECONDS",
        help="DNS/HTTP/SMTP timeout per attempt",
    )  # fmt: skip
    if not audit:
        return
    group.add_argument(
        "--smtp-port", type=_port, default=25, metavar="PORT", help="port for SMTP probes (25)"
    )
    group.add_argument(
        "--trust-anchor", metavar="FILE",
        help="DNSSEC trust anchors (DS or DNSKEY records, zone-file syntax) instead of the "
        "IANA root anchors",
    )  # fmt: skip
    group.add_argument(
        "--lookalikes", type=int, default=LOOKALIKES_DEFAULT, metavar="N",
        help=f"resolve at most N lookalike names of each campaign domain, likeliest first "
        f"({LOOKALIKES_DEFAULT}; 0 skips them)",
    )  # fmt: skip
    group.add_argument(
        "--dkim-sweep", choices=["providers", "full"], default="providers",
        help="DKIM selectors: those of the providers the domain names first, the whole "
        "table only when that cannot settle it (providers, the default); or always every "
        "known selector (full)",
    )  # fmt: skip
    lookups = parser.add_argument_group("lookups that send something about the person")
    lookups.add_argument(
        "--allow-personal-lookups", action="store_true",
        help="allow checks that send your name to a third party (Companies House)",
    )  # fmt: skip
    lookups.add_argument(
        "--companies-house-key-file", metavar="FILE",
        help="file holding your free Companies House API key (kept out of shell history)",
    )  # fmt: skip
    lookups.add_argument(
        "--search-provider", metavar="NAME",
        help="search the web for your name, aliases, party and area with this provider "
        "(searxng: give --endpoint searxng=URL of your instance; brave: needs a key); "
        "needs --allow-personal-lookups too. Nothing else about you is sent",
    )  # fmt: skip
    lookups.add_argument(
        "--search-key-file", metavar="FILE",
        help="file holding the search provider's API key (else AUDITOR_SEARCH_KEY or the "
        "OS keyring)",
    )  # fmt: skip


APP_PREFIX = "app_"  # the dests of the app's own options (auditor with no command)


def add_app_options(parser: argparse.ArgumentParser) -> None:
    """The options of the guided app (``auditor`` with no command): how to reach the network
    and which search provider and keys its audits use, as ``auditor scan`` takes them. Never
    consent: the app asks before an audit sends anything about the person."""
    add_network_options(parser, audit=False, prefix=APP_PREFIX, title="the app's audits")
    lookups = parser.add_argument_group("the app's lookups that send something about you")
    lookups.add_argument(
        "--search-provider", dest=f"{APP_PREFIX}search_provider", metavar="NAME",
        help="search the web for your name, aliases, party and area with this provider "
        "(searxng: give --endpoint searxng=URL of your instance; brave: needs a key); the app "
        "asks you before each audit that would send them. Nothing else about you is sent",
    )  # fmt: skip
    lookups.add_argument(
        "--search-key-file", dest=f"{APP_PREFIX}search_key_file", metavar="FILE",
        help="file holding the search provider's API key (else AUDITOR_SEARCH_KEY or the "
        "OS keyring)",
    )  # fmt: skip
    lookups.add_argument(
        "--companies-house-key-file", dest=f"{APP_PREFIX}companies_house_key_file",
        metavar="FILE",
        help="file holding your free Companies House API key (the app asks before sending "
        "your name)",
    )  # fmt: skip


def app_options_given(args: argparse.Namespace) -> list[str]:
    """The app's options given on this command line, as typed (``--endpoint``, …)."""
    given = []
    for dest, value in sorted(vars(args).items()):
        if dest.startswith(APP_PREFIX) and dest != "app_profile" and value not in (None, []):
            given.append("--" + dest.removeprefix(APP_PREFIX).replace("_", "-"))
    return given


def app_options_from_args(args: argparse.Namespace, notes: list[str]) -> AuditOptions:
    """The app's AuditOptions, from its options (``add_app_options``); what the person should
    know about them is added to ``notes``, for the app's screen."""
    own = {
        dest.removeprefix(APP_PREFIX): value
        for dest, value in vars(args).items()
        if dest.startswith(APP_PREFIX) and dest != "app_profile"
    }
    return options_from_args(argparse.Namespace(**own), notes=notes)


def options_from_args(args: argparse.Namespace, *, notes: list[str] | None = None) -> AuditOptions:
    """The AuditOptions of these options. What the person should know about them (an OS
    keyring that cannot be asked for the search key) is one line on stderr each, or is added
    to ``notes`` (the app shows them on its screen)."""
    from auditor.net.connect import ConnectRule
    from auditor.net.dns import Nameserver
    from auditor.services import AuditOptions

    try:
        search_key, keyring_unusable = _search_key(args, notes)
        nameservers = tuple(Nameserver.parse(n) for n in args.nameserver)
        rules = tuple(ConnectRule.parse(r) for r in args.connect_to)
        endpoints: dict[str, str] = {}
        for item in args.endpoint:
            name, sep, url = item.partition("=")
            if not sep or not url.startswith(("http://", "https://")):
                raise ValueError(f"--endpoint {item!r} is not NAME=http(s)://URL")
            endpoints[name.strip()] = url.strip()
        options = AuditOptions(
            nameservers=nameservers,
            connect_to=rules,
            # The certificates as read and checked here, once: the file is not opened again.
            ca_pem=_ca_certificates(args.ca_file) if args.ca_file else None,
            smtp_port=getattr(args, "smtp_port", 25),
            trust_anchor_file=_readable(getattr(args, "trust_anchor", None), "--trust-anchor"),
            lookalikes=getattr(args, "lookalikes", LOOKALIKES_DEFAULT),
            dkim_sweep=getattr(args, "dkim_sweep", "providers"),
            allow_personal_lookups=getattr(args, "allow_personal_lookups", False),
            companies_house_key=_secret_from_file(
                getattr(args, "companies_house_key_file", None), "--companies-house-key-file"
            ),
            search_provider=getattr(args, "search_provider", None),
            search_key=search_key,
            search_keyring_unusable=keyring_unusable,
        ).with_endpoints(endpoints)
    except UsageError:
        raise
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not 0 <= options.lookalikes <= 10_000:
        raise UsageError("--lookalikes must be between 0 and 10000")
    if args.timeout is not None:
        if not 0 < args.timeout <= 120:
            raise UsageError("--timeout must be between 0 and 120 seconds")
        from dataclasses import replace

        options = replace(
            options,
            dns_timeout=args.timeout,
            http_timeout=args.timeout,
            smtp_timeout=args.timeout,
        )
    return options


MAX_OPTION_FILE_BYTES = 4 << 20  # a CA bundle is about 200 KB; anchors and keys far less


def read_option_file(path: str, option: str, *, limit: int = MAX_OPTION_FILE_BYTES) -> str:
    """The text of a file named by an option, or one line saying why not (a device, a FIFO,
    too large, not UTF-8): never a traceback, never an endless read."""
    from auditor.files import UnreadableFile, read_limited_text

    try:
        return read_limited_text(path, limit=limit)
    except OSError as exc:
        raise UsageError(f"{option} {path}: {exc.strerror or exc}") from None
    except UnreadableFile as exc:
        raise UsageError(f"{option} {path}: {exc}") from None


def _ca_certificates(path: str) -> str:
    import ssl

    text = read_option_file(path, "--ca-file")
    if "BEGIN CERTIFICATE" not in text:
        raise UsageError(f"--ca-file {path}: no PEM certificate in it")
    try:
        ssl.create_default_context().load_verify_locations(cadata=text)
    except (ssl.SSLError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or str(exc).splitlines()[0][:100]
        raise UsageError(f"--ca-file {path}: not a usable PEM certificate ({reason})") from None
    return text


def _readable(path: str | None, option: str) -> str | None:
    if path is None:
        return None
    read_option_file(path, option)
    return path


def _port(text: str) -> int:
    from auditor.standards.digits import ascii_int

    port = ascii_int(text.strip(), max_digits=5)
    if port is None or not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"{text!r:.20} is not a port number (1-65535)")
    return port


def _secret_from_file(path: str | None, option: str) -> str | None:
    """A key read from a file (never from argv, where shell history and ps would see it)."""
    if path is None:
        return None
    secret = read_option_file(path, option, limit=4096).strip()
    if not secret or any(c.isspace() for c in secret):
        raise UsageError(f"{option} {path}: expected one key on one line")
    return secret


def _search_key(args: argparse.Namespace, notes: list[str] | None = None) -> tuple[str | None, str]:
    """The chosen search provider's key: a file, else AUDITOR_SEARCH_KEY, else the keyring;
    and why the keyring could not be asked ("" when it could or was not asked). An unknown
    provider is one clear line; so is a keyring that cannot be asked."""
    name = getattr(args, "search_provider", None)
    if not name:
        return None, ""
    from auditor.search import find_key, load_provider

    try:
        provider = load_provider(name)
    except ValueError as exc:
        raise UsageError(f"--search-provider: {exc}") from None
    from_file = _secret_from_file(getattr(args, "search_key_file", None), "--search-key-file")
    if not provider.needs_key:
        return None, ""
    if from_file:
        return from_file, ""
    found = find_key(provider.name, provider.title)
    if found.problem:
        if notes is None:
            say(f"note: {found.problem}")
        else:
            notes.append(found.problem)
    return found.key, found.keyring_unusable


def parse_severity(text: str) -> Severity:
    from auditor.model import Severity

    try:
        return Severity.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def split_ids(values: list[str]) -> list[str]:
    """--select email,web --select domain.caa -> ["email", "web", "domain.caa"]"""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def check_selection(args: argparse.Namespace) -> None:
    """--select and --ignore, checked before anything runs: a --select prefix that names no
    check, or a choice that leaves no check to run, is a usage error (exit 2), never an
    empty audit that reads as clean."""
    selected = split_ids(getattr(args, "select", None) or [])
    ignored = split_ids(getattr(args, "ignore", None) or [])
    if not selected and not ignored:
        return
    from auditor.registry import discover, matches, select

    catalogue = discover()
    ids = [entry.id for entry in catalogue.entries]
    for prefix in selected:
        if not any(matches(check_id, [prefix]) for check_id in ids):
            raise UsageError(
                f"--select {prefix}: no check has that id or prefix; 'auditor checks' lists them"
            )
    if not select(catalogue, selected, ignored):
        raise UsageError("--select and --ignore leave no check to run; 'auditor checks' lists them")


def say(message: str) -> None:
    """A line for the human, on stderr (stdout carries the report). Control characters
    are neutralised: a subject or plugin name must not drive the terminal."""
    from reports.view import clean

    print(clean(message, one_line=False), file=sys.stderr, flush=True)


def add_report_options(parser: argparse.ArgumentParser, default_format: str = "markdown") -> None:
    add_format_option(parser, default_format)
    add_output_options(parser)
    parser.add_argument(
        "--reveal", action="store_true",
        help="show the home address, phones and emails in the report (masked by default)",
    )  # fmt: skip
    parser.add_argument(
        "--fail-on", type=parse_severity, default="high", metavar="SEVERITY",
        help="exit 1 when a problem at or above this severity is found (high)",
    )  # fmt: skip
    parser.add_argument(
        "--select", action="append", default=[], metavar="PREFIX",
        help="only run checks whose id starts with PREFIX (repeatable, comma-separated)",
    )  # fmt: skip
    parser.add_argument(
        "--ignore", action="append", default=[], metavar="PREFIX",
        help="skip checks whose id starts with PREFIX",
    )  # fmt: skip
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument(
        "--no-save", action="store_true",
        help="do not save this audit to the history (auditor report / auditor diff)",
    )  # fmt: skip


def add_output_options(parser: argparse.ArgumentParser, *, what: str = "the report") -> None:
    parser.add_argument(
        "-o", "--output", metavar="FILE",
        help=f"write {what} here (mode 0600); an existing file is never replaced without "
        "--force, and the profile being audited never",
    )  # fmt: skip
    parser.add_argument(
        "--force", action="store_true", help="replace the -o file if it already exists"
    )


def add_format_option(parser: argparse.ArgumentParser, default: str = "markdown") -> None:
    """--format for the report writers: one list of names (reports.formats.ReportFormat).
    Without it, the format is the one -o's suffix names (.html, .json, .csv, .md), else
    ``default`` (``resolve_output`` decides, before anything runs)."""
    from reports.formats import ReportFormat

    parser.add_argument(
        "--format", type=_report_format, choices=list(ReportFormat), default=None,
        metavar="{" + ",".join(ReportFormat) + "}",
        help=f"report format (default: from -o's suffix, else {default})",
    )  # fmt: skip
    parser.set_defaults(format_default=default)


def resolve_output(args: argparse.Namespace, *, protected: tuple[str, ...] = ()) -> None:
    """Settle --format and check -o before anything runs (exit 2 with the reason): the
    format from -o's suffix when none is given, a contradicting suffix refused, and the
    output path refused when it is a folder, in a missing folder or under a file, the
    profile being audited, or an existing file without --force."""
    from reports.formats import ReportFormat, format_for_output

    output = getattr(args, "output", None)
    default = ReportFormat.parse(getattr(args, "format_default", "markdown"))
    try:
        args.format = format_for_output(args.format, output, default)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if output is not None:
        check_output(output, force=getattr(args, "force", False), protected=protected)


def check_output(output: str, *, force: bool, protected: tuple[str, ...] = ()) -> None:
    """-o checked before anything runs: a UsageError (exit 2) naming why it is refused."""
    from auditor.files import OutputExists, OutputRefused, check_output_path

    try:
        check_output_path(output, force=force, protected=protected)
    except OutputExists:
        raise UsageError(f"-o {output}: already exists; add --force to replace it") from None
    except OutputRefused as exc:
        raise UsageError(f"-o {output}: {exc}") from None


def _report_format(text: str) -> object:
    from reports.formats import ReportFormat

    try:
        return ReportFormat.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def emit_report(text: str, output: str | None, *, force: bool = False, kept: str = "") -> None:
    """The report goes to -o FILE (atomic, 0600) or stdout; never half-written, and never
    over a file that exists unless ``force`` (one that appeared since ``resolve_output``
    checked is refused too).

    A write that fails (a full disk, a folder removed or made read-only while the audit
    ran, text the terminal's encoding cannot show) is one line naming the file and the
    reason, exit 2; ``kept`` follows it, saying where the audit still is (the history) or
    how to get it again, so that a failed write never silently costs the person the audit.
    """
    from auditor.files import write_error_in_words

    after = f"; {kept}" if kept else ""
    if output:
        from auditor.files import write_private_text

        try:
            write_private_text(output, text, replace=force, make_parents=False)
        except FileExistsError:
            raise UsageError(
                f"-o {output}: a file of that name appeared while the audit ran; nothing was "
                f"written (add --force to replace it){after}"
            ) from None
        except (OSError, UnicodeError) as exc:
            raise UsageError(f"cannot write {output}: {write_error_in_words(exc)}{after}") from None
        return
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise  # the reader stopped reading (| head): not an error, main() exits quietly
    except (OSError, UnicodeError) as exc:
        discard_standard_output()
        hint = " (use -o FILE)" if isinstance(exc, UnicodeError) else ""
        raise UsageError(
            f"cannot write the report to standard output: {write_error_in_words(exc)}{hint}{after}"
        ) from None


def discard_standard_output() -> None:
    """After a failed write to stdout, send what is still buffered nowhere: Python would try
    it again at exit and print its own traceback-like complaint after our one line."""
    import os

    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        return  # not a real file descriptor (a test's capture): nothing to flush at exit
