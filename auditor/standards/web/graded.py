"""What every graded header test returns, and the site sample the tests read.

Its own module so the per-header modules (CSP, cookies, cross-origin,
subresource integrity) share the types without importing each other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

MAX_HEADER = 16 * 1024
MAX_HEADERS = 200  # header lines of one name that are read


@dataclass(frozen=True)
class GradedTest:
    test: str  # "content-security-policy", "cookies", ...
    result: str  # the Observatory's result id: "csp-not-implemented"
    modifier: int
    summary: str  # one plain sentence
    graded: bool = True  # False: shown for information, never counted in the score

    @property
    def passed(self) -> bool:
        return self.modifier >= 0


@dataclass(frozen=True)
class Grade:
    score: int
    letter: str
    results: tuple[GradedTest, ...]


@dataclass(frozen=True)
class Response:
    """One HTTP response as the grader needs it: header lines in order, names lower-case."""

    headers: tuple[tuple[str, str], ...] = ()
    verified: bool = True  # the certificate chain was trusted (https only)

    def get_all(self, name: str) -> list[str]:
        wanted = name.lower()
        return [v for k, v in self.headers if k == wanted][:MAX_HEADERS]

    def first(self, name: str) -> str | None:
        values = self.get_all(name)
        return values[0] if values else None


def response(pairs: Sequence[tuple[str, str]], *, verified: bool = True) -> Response:
    return Response(tuple((k.lower(), v) for k, v in pairs), verified)


@dataclass(frozen=True)
class SiteSample:
    """Everything one grading reads, fetched by the check (or transcribed from a test case).

    ``page`` is the graded page (after redirects); ``https`` the https:// response that
    carries HSTS (None: no HTTPS); ``http`` the first plain http:// response (None: the site
    does not answer http://) and ``http_route`` every URL of its redirect chain, first to
    last; ``cors`` a response to a request sent with ``Origin: cors_origin``.
    """

    url: str
    host: str
    page: Response | None
    html: str = ""
    https: Response | None = None
    http: Response | None = None
    http_route: tuple[str, ...] = ()
    cors: Response | None = None
    cors_origin: str | None = None
    set_cookies: tuple[str, ...] = ()  # every Set-Cookie seen, redirect responses included
    preloaded: Callable[[str], bool] = field(default=lambda host: False)

    @property
    def on_https(self) -> bool:
        return self.url.lower().startswith("https:")
