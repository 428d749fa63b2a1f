from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from auditor.demo.web_server import Request, Response, WebServer, text
from auditor.standards.accounts.pwned import (
    PwnedError,
    RangeParseError,
    breach_count,
    hash_parts,
    parse_range,
)
from tests.accounts.conftest import files_containing, loopback_services

PASSWORD = "correct horse battery staple 2026"
OTHER = "Tr0ub4dor&3-never-breached"


def full_hash(password: str) -> str:
    return hashlib.sha1(password.encode()).hexdigest().upper()


def range_handler(known: dict[str, int]) -> object:
    """A Pwned Passwords range API: known hashes, plus padding lines with count 0."""

    def handle(request: Request) -> Response:
        prefix = request.path.rsplit("/", 1)[-1].upper()
        lines = [f"{h[5:]}:{n}" for h, n in known.items() if h.startswith(prefix)]
        lines += [f"{i:035X}:0" for i in range(300)]  # padding, as with Add-Padding: true
        return text("\r\n".join(lines))

    return handle


@pytest.fixture
async def pwned(web: WebServer) -> str:
    web.route_prefix("*", "/range/", range_handler({full_hash(PASSWORD): 4242}))  # type: ignore[arg-type]
    return f"http://127.0.0.1:{web.http_port}/range/"


async def test_known_password_is_counted_and_only_the_prefix_leaves(
    web: WebServer, pwned: str, private_home: Path, tmp_path: Path
) -> None:
    async with loopback_services(pwned_passwords=pwned) as services:
        endpoint = services.endpoint("pwned_passwords")
        assert await breach_count(services.http, endpoint, PASSWORD) == 4242
        assert await breach_count(services.http, endpoint, OTHER) == 0
    assert len(web.requests) == 2
    digest = full_hash(PASSWORD)
    for request, password in zip(web.requests, (PASSWORD, OTHER), strict=True):
        prefix = full_hash(password)[:5]
        assert request.path == f"/range/{prefix}" and request.query == ""
        assert request.header("add-padding") == "true"
        sent = request.path + request.query + repr(request.headers) + request.body.decode()
        assert password not in sent and full_hash(password)[5:] not in sent
    assert digest[5:] not in repr(list(web.requests))
    assert files_containing(tmp_path, PASSWORD, digest, OTHER) == []


async def test_server_trouble_is_an_error_not_a_count(web: WebServer) -> None:
    web.route_prefix("*", "/broken/", text("<html>not the API</html>", content_type="text/html"))
    web.route_prefix("*", "/down/", text("oops", status=500))
    async with loopback_services() as services:
        broken = await breach_count(services.http, f"http://127.0.0.1:{web.http_port}/broken/", "x")
        down = await breach_count(services.http, f"http://127.0.0.1:{web.http_port}/down/", "x")
        closed = await breach_count(services.http, "http://127.0.0.1:9/range/", "x")
    assert isinstance(broken, PwnedError) and broken.kind == "bad-response"
    assert isinstance(down, PwnedError) and down.kind == "http"
    assert isinstance(closed, PwnedError)
    for error in (broken, down, closed):
        assert isinstance(error, PwnedError) and error.message


def test_parse_range_ignores_padding_and_rejects_garbage() -> None:
    prefix, suffix = hash_parts("password")
    assert prefix == "5BAA6" and len(suffix) == 35
    body = f"{suffix}:0\r\n{'A' * 35}:12\r\n"
    assert parse_range(body, suffix) == 0  # a padded line for our suffix is not a hit
    assert parse_range(f"{suffix.lower()}:3730471\n", suffix) == 3730471
    for bad in ("", "<html>", f"{suffix}:many", "A" * 36 + ":1"):
        with pytest.raises(RangeParseError):
            parse_range(bad, suffix)
