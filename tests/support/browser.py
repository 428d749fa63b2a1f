"""A real headless Chromium for the report tests: screenshots, A4 PDFs, and a record of every
request the page tried to make.

Chromium is Debian's package (``.ci/run`` installs it). It runs with a fresh profile and
with every request routed through ``RecordingProxy``, a loopback listener that writes down
what was asked and answers 403, so nothing reaches the network whatever the page does.
Which of those requests the *page* made is read from Chromium's own network log
(``--log-net-log``): each request there names its initiator, the page's origin for what the
page asked for and "not an origin" for Chromium's own calls home (which its flags cannot
all silence). A report that loads anything at all (an image, a font, a prefetch) shows up in
``Rendering.page_requests``, so "no request leaves the page" is something a test can see
fail.
"""

from __future__ import annotations

import json
import shutil
import socketserver
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
# A hang in the browser must end the test, not the CI run; no speed is asserted.
BROWSER_RUN_LIMIT_SECONDS = 180
SCREEN_WIDTH = 1280
# Chromium's own calls home (network time, the signed-in account, translation and
# optimisation hints): off, so whatever the recorder sees came from the page.
_QUIET_FEATURES = (
    "NetworkTimeServiceQuerying",
    "Translate",
    "MediaRouter",
    "OptimizationHints",
    "AutofillServerCommunication",
    "CertificateTransparencyComponentUpdater",
    "InterestFeedContentSuggestions",
)


def chromium_path() -> str:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        "headless Chromium is needed for the browser tests and was not found "
        f"(looked for {', '.join(CHROMIUM_NAMES)}): install Debian's package with "
        "'apt-get install -y chromium' (.ci/run does this)",
        pytrace=False,
    )


class _RecordingHandler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        server = self.server
        assert isinstance(server, _RecordingServer)
        try:
            first_line = self.rfile.readline(4096).decode("latin-1").strip()
        except OSError:
            return
        if first_line:
            with server.lock:
                server.requests.append(first_line)
        try:
            self.wfile.write(
                b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
        except OSError:
            pass


class _RecordingServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _RecordingHandler)
        self.lock = threading.Lock()
        self.requests: list[str] = []


class RecordingProxy:
    """An HTTP proxy on loopback that refuses everything and remembers the request lines
    ("GET http://host/x HTTP/1.1", "CONNECT host:443 HTTP/1.1")."""

    def __init__(self) -> None:
        self._server = _RecordingServer()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{host!s}:{port}"

    @property
    def requests(self) -> list[str]:
        with self._server.lock:
            return list(self._server.requests)

    def __enter__(self) -> RecordingProxy:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


BROWSER_ITSELF = "not an origin"  # the initiator Chromium's net log gives its own requests


@dataclass(frozen=True)
class Rendering:
    output: Path
    page_requests: tuple[str, ...]  # URLs the page itself asked for
    browser_requests: tuple[str, ...]  # Chromium's own (update checks, network time)


def requests_in_net_log(net_log: Path) -> tuple[list[str], list[str]]:
    """(URLs the page asked for, URLs Chromium asked for itself) from a --log-net-log file."""
    log = json.loads(net_log.read_text(encoding="utf-8"))
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    page: list[str] = []
    browser: list[str] = []
    for event in log["events"]:
        params = event.get("params") or {}
        if event.get("type") != start_job or "url" not in params:
            continue
        initiator = params.get("initiator")
        (browser if initiator == BROWSER_ITSELF else page).append(str(params["url"]))
    return page, browser


class Browser:
    """One headless Chromium profile whose every request goes to ``proxy``."""

    def __init__(self, work: Path, proxy: RecordingProxy) -> None:
        self.executable = chromium_path()
        self.work = work
        self.proxy = proxy
        self._runs = 0

    def _run(self, page: Path, output: Path, *extra: str) -> Rendering:
        self._runs += 1
        profile = self.work / f"chromium-profile-{self._runs}"
        net_log = self.work / f"chromium-net-log-{self._runs}.json"
        command = [
            self.executable,
            "--headless",
            "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-default-apps",
            "--mute-audio",
            "--disable-client-side-phishing-detection",
            "--disable-component-extensions-with-background-pages",
            "--disable-domain-reliability",
            "--disable-breakpad",
            "--no-default-browser-check",
            "--metrics-recording-only",
            "--disable-features=" + ",".join(_QUIET_FEATURES),
            f"--user-data-dir={profile}",
            f"--proxy-server=http://{self.proxy.address}",
            # Loopback too goes through the recorder ("<-loopback>" removes the default
            # bypass), so nothing the page asks for escapes the record.
            "--proxy-bypass-list=<-loopback>",
            f"--log-net-log={net_log}",
            *extra,
            page.resolve().as_uri(),
        ]
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=BROWSER_RUN_LIMIT_SECONDS,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"chromium exited {done.returncode}: {done.stderr[-2000:]}", pytrace=False)
        assert output.is_file() and output.stat().st_size > 0, f"chromium wrote no {output}"
        page_requests, browser_requests = requests_in_net_log(net_log)
        return Rendering(output, tuple(page_requests), tuple(browser_requests))

    def screenshot(self, page: Path, png: Path, *, height: int = 2400) -> Rendering:
        """The page as a 1280 px wide screen shows it (the top ``height`` pixels)."""
        return self._run(page, png, f"--screenshot={png}",
                         f"--window-size={SCREEN_WIDTH},{height}", "--hide-scrollbars")  # fmt: skip

    def pdf(self, page: Path, pdf: Path) -> Rendering:
        """The page printed as the browser's print dialog would (paper size from the page's
        own ``@page`` rule), without the browser's header and footer."""
        return self._run(page, pdf, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
