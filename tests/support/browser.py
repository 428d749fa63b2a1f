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

``Browser.measure`` lays a page out at a given width (a phone's, a screen's, or an A4 page's
printable width with print styles) and reports what sticks out past the viewport. The page
itself runs no script (the report's CSP forbids it); the measuring script is sent over the
DevTools protocol on a pipe (``--remote-debugging-pipe``: Chromium reads commands on file
descriptor 3 and answers on 4), so nothing listens on a port either.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import socketserver
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

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

    def _command(self, *extra: str) -> tuple[list[str], Path]:
        """The command line for one run, and the net log it will write."""
        self._runs += 1
        profile = self.work / f"chromium-profile-{self._runs}"
        net_log = self.work / f"chromium-net-log-{self._runs}.json"
        return [
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
        ], net_log

    def _run(self, page: Path, output: Path, *extra: str) -> Rendering:
        command, net_log = self._command(*extra, page.resolve().as_uri())
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

    def measure(
        self, page: Path, width: int, *, height: int = 900, print_media: bool = False
    ) -> Layout:
        """``page`` laid out ``width`` CSS pixels wide, as a phone shows it (the viewport
        meta tag honoured; a page too wide for it is zoomed out, so ``inner_width`` grows)
        or with its print styles, and what sticks out past the viewport."""
        command, net_log = self._command("--remote-debugging-pipe")
        with _DevTools(command, net_log.with_suffix(".stderr")) as devtools:
            target = devtools.call("Target.createTarget", url="about:blank")["targetId"]
            session = devtools.call("Target.attachToTarget", targetId=target, flatten=True)[
                "sessionId"
            ]
            devtools.call("Page.enable", session=session)
            devtools.call("Emulation.setDeviceMetricsOverride", session=session, width=width,
                          height=height, deviceScaleFactor=1, mobile=not print_media)  # fmt: skip
            if print_media:
                devtools.call("Emulation.setEmulatedMedia", session=session, media="print")
            devtools.call("Page.navigate", session=session, url=page.resolve().as_uri())
            devtools.wait_for("Page.loadEventFired", session)
            found = devtools.call("Runtime.evaluate", session=session, expression=_MEASURE,
                                  returnByValue=True)  # fmt: skip
        value = found["result"].get("value")
        assert isinstance(value, dict), found
        page_requests, _ = requests_in_net_log(net_log)
        return Layout(
            width=width,
            inner_width=int(value["innerWidth"]),
            scroll_width=int(value["scrollWidth"]),
            scroll_height=int(value["scrollHeight"]),
            sticking_out=tuple(Protrusion(str(a), int(b), str(c)) for a, b, c in value["out"]),
            scrolling_boxes=int(value["scrollingBoxes"]),
            page_requests=tuple(page_requests),
        )

    def look_without_colour(
        self, page: Path, selector: str, *, width: int = SCREEN_WIDTH, height: int = 1100
    ) -> tuple[bytes, list[tuple[str, float, float, float, float]]]:
        """A PNG of the top of ``page`` as a person who sees no colour at all sees it
        (Chromium's achromatopsia emulation), and the box of each element ``selector``
        picks, as (the text after it, left, top, right, bottom) in the PNG's pixels."""
        command, _ = self._command("--remote-debugging-pipe", "--hide-scrollbars")
        with _DevTools(command, self.work / f"chromium-{self._runs}.stderr") as devtools:
            target = devtools.call("Target.createTarget", url="about:blank")["targetId"]
            session = devtools.call("Target.attachToTarget", targetId=target, flatten=True)[
                "sessionId"
            ]
            devtools.call("Page.enable", session=session)
            devtools.call("Emulation.setDeviceMetricsOverride", session=session, width=width,
                          height=height, deviceScaleFactor=1, mobile=False)  # fmt: skip
            devtools.call("Emulation.setEmulatedVisionDeficiency", session=session,
                          type="achromatopsia")  # fmt: skip
            devtools.call("Page.navigate", session=session, url=page.resolve().as_uri())
            devtools.wait_for("Page.loadEventFired", session)
            script = (
                "Array.from(document.querySelectorAll(" + json.dumps(selector) + ")).map(e => {"
                " const r = e.getBoundingClientRect();"
                " const next = e.nextElementSibling;"
                " return [next ? next.textContent : '', r.left, r.top, r.right, r.bottom]; })"
            )
            found = devtools.call("Runtime.evaluate", session=session, expression=script,
                                  returnByValue=True)  # fmt: skip
            shot = devtools.call("Page.captureScreenshot", session=session, format="png")
        boxes = [(str(t), float(a), float(b), float(c), float(d))
                 for t, a, b, c, d in found["result"]["value"]]  # fmt: skip
        return base64.b64decode(shot["data"]), boxes


@dataclass(frozen=True)
class Protrusion:
    element: str  # "td.passed-check" and the like
    right: int  # its right edge, in CSS pixels from the left of the page
    text: str  # the start of its text, to find it


@dataclass(frozen=True)
class Layout:
    width: int  # asked for
    inner_width: int  # window.innerWidth: more than width when a phone had to zoom out
    scroll_width: int  # document.scrollingElement.scrollWidth
    scroll_height: int  # and its scrollHeight: the page's whole height
    sticking_out: tuple[Protrusion, ...]  # outermost elements past the right edge
    scrolling_boxes: int  # elements wider than their box inside a scroll container for it
    page_requests: tuple[str, ...]


# Every element whose right edge is past the viewport, and every run of text past the edge
# of a box that fits, but those inside a box that scrolls sideways on purpose (overflow-x:
# auto or scroll); only the outermost of a nest is named.
_MEASURE = r"""
(() => {
  const width = window.innerWidth;
  const scrolls = el => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      const x = getComputedStyle(a).overflowX;
      if (x === "auto" || x === "scroll") return true;
    }
    return false;
  };
  const past = el => el.getBoundingClientRect().right > width + 0.5;
  const out = [];
  let scrollingBoxes = 0;
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (scrolls(el)) {
      if (el.parentElement && el.scrollWidth > el.parentElement.clientWidth) scrollingBoxes++;
      continue;
    }
    if (past(el) && !past(el.parentElement)) {
      const name = el.tagName.toLowerCase() + (el.className ? "." + el.className : "");
      out.push([name, Math.round(box.right), (el.textContent || "").trim().slice(0, 80)]);
    }
  }
  // Text past the edge of a box that itself fits (a long word in a paragraph).
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || !node.textContent.trim() || scrolls(node)) continue;
    range.selectNodeContents(node);
    if (range.getBoundingClientRect().right > width + 0.5 && !past(parent)) {
      const name = "text in " + parent.tagName.toLowerCase()
        + (parent.className ? "." + parent.className : "");
      out.push([name, Math.round(range.getBoundingClientRect().right),
                node.textContent.trim().slice(0, 80)]);
    }
  }
  return {innerWidth: width, scrollWidth: document.scrollingElement.scrollWidth,
          scrollHeight: document.scrollingElement.scrollHeight, out,
          scrollingBoxes};
})()
"""

# Starts Chromium with the two pipe ends on the descriptors it expects (3 and 4), whatever
# numbers the test process had for them; exec keeps the process id, so killing it ends
# Chromium.
_ON_FDS_3_AND_4 = (
    "import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
    "os.execv(sys.argv[3], sys.argv[3:])"
)


class _DevTools:
    """Chromium with the DevTools protocol on a pipe: JSON messages ended by a NUL byte."""

    def __init__(self, command: list[str], log: Path) -> None:
        self._command = command
        self._log = log  # Chromium's stderr: a file, since a full pipe would stall it
        self._calls = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []
        self._deadline = time.monotonic() + BROWSER_RUN_LIMIT_SECONDS

    def __enter__(self) -> _DevTools:
        self._stderr = self._log.open("wb")
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()
        executable = shutil.which(self._command[0]) or self._command[0]
        self._process = subprocess.Popen(
            [sys.executable, "-c", _ON_FDS_3_AND_4, str(to_browser_read),
             str(from_browser_write), os.path.realpath(executable), *self._command[1:]],
            pass_fds=(to_browser_read, from_browser_write),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._stderr,
        )  # fmt: skip
        os.close(to_browser_read)
        os.close(from_browser_write)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                self.call("Browser.close")  # a clean exit writes the net log out whole
        finally:
            os.close(self._to_browser)
            try:
                self._process.wait(timeout=max(1.0, self._deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            os.close(self._from_browser)
            self._stderr.close()

    def _message(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = self._deadline - time.monotonic()
            ready, _, _ = select.select([self._from_browser], [], [], max(0.0, left))
            if not ready:
                pytest.fail("chromium did not answer over the DevTools pipe", pytrace=False)
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                error = self._log.read_text(encoding="utf-8", errors="replace")
                pytest.fail(f"chromium closed the DevTools pipe: {error[-2000:]}", pytrace=False)
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        decoded = json.loads(message)
        assert isinstance(decoded, dict)
        return decoded

    def call(self, method: str, *, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._calls += 1
        request: dict[str, Any] = {"id": self._calls, "method": method, "params": params}
        if session is not None:
            request["sessionId"] = session
        os.write(self._to_browser, json.dumps(request).encode() + b"\0")
        while True:
            message = self._message()
            if message.get("id") != self._calls:
                self._events.append(message)
                continue
            if "error" in message:
                pytest.fail(f"chromium refused {method}: {message['error']}", pytrace=False)
            result = message["result"]
            assert isinstance(result, dict)
            return result

    def wait_for(self, event: str, session: str) -> dict[str, Any]:
        while True:
            for number, message in enumerate(self._events):
                if message.get("method") == event and message.get("sessionId") == session:
                    return self._events.pop(number)
            self._events.append(self._message())
