"""The privacy tests' traffic search (DemoWorld.leaked) must see an identifier however a
request encodes it: percent-encoding, '+' for a space, an IDNA label in a DNS query, base64
in a header or a body. Each case plants one encoded identifier in a real request to the
demo world's loopback servers and proves the search finds it, and that the plain form is
not what was sent (so only the decoding can have found it)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from urllib.parse import quote, quote_plus

import httpx
import pytest

from auditor.demo import candidate as c
from auditor.demo.leaks import leaks_in, squash
from auditor.demo.world import DemoWorld
from auditor.services import Services

# A home street with letters outside ASCII, to go out as an IDNA label.
ACCENTED_STREET = "Rue Hélène Boucher"
IDENTIFIERS = [
    c.PERSONAL_EMAIL,
    c.HOME_POSTCODE,
    f"{c.HOME_NUMBER} {c.HOME_STREET}",
    c.MOBILE,
    ACCENTED_STREET,
]


@pytest.fixture
async def world() -> AsyncIterator[DemoWorld]:
    async with DemoWorld() as running:
        yield running


def in_plain_sight(world: DemoWorld, value: str) -> bool:
    """What the search did before it decoded anything: the squashed value in a raw line."""
    return any(squash(value) in squash(line) for line in world.traffic())


async def test_clean_traffic_has_no_leak(world: DemoWorld) -> None:
    async with Services(world.audit_options()) as services:
        await services.http.fetch(
            c.WEBSITE + "about?q=" + quote_plus(f'"{c.NAME}" "{c.WARD}"'),
            headers={"Authorization": "Basic " + base64.b64encode(b"campaign:k3y").decode()},
        )
        await services.dns.query(f"www.{c.DOMAIN}", "A")
    assert world.traffic()  # the requests arrived
    assert world.leaked(IDENTIFIERS) == []


@pytest.mark.parametrize(
    ("value", "query"),
    [
        (c.PERSONAL_EMAIL, "q=" + quote(c.PERSONAL_EMAIL, safe="")),  # %40 for the @
        (c.HOME_POSTCODE, "q=" + quote(c.HOME_POSTCODE)),  # %20 for the space
        (c.HOME_POSTCODE, "q=" + quote(quote(c.HOME_POSTCODE))),  # encoded twice (%2520)
        (f"{c.HOME_NUMBER} {c.HOME_STREET}", "q=" + quote_plus(f"{c.HOME_NUMBER} {c.HOME_STREET}")),
        (ACCENTED_STREET, "q=" + quote(ACCENTED_STREET)),  # UTF-8 bytes, percent-encoded
    ],
)
async def test_a_percent_encoded_identifier_in_a_query_is_found(
    world: DemoWorld, value: str, query: str
) -> None:
    async with Services(world.audit_options()) as services:
        await services.http.fetch(f"{c.WEBSITE}search?{query}")
    leaked = {found for found, _line in world.leaked(IDENTIFIERS)}
    assert leaked == {value}
    if value != f"{c.HOME_NUMBER} {c.HOME_STREET}":  # '+' squashes away by itself
        assert not in_plain_sight(world, value)


async def test_an_identifier_in_base64_in_headers_is_found(world: DemoWorld) -> None:
    basic = base64.b64encode(f"{c.PERSONAL_EMAIL}:x".encode()).decode()
    # URL-safe alphabet, glued behind a prefix so that it is not aligned on a 4-byte step.
    glued = "id" + base64.urlsafe_b64encode(c.MOBILE_DISPLAY.encode()).decode().rstrip("=")
    async with Services(world.audit_options()) as services:
        await services.http.fetch(c.WEBSITE, headers={"Authorization": f"Basic {basic}"})
        await services.http.fetch(c.WEBSITE + "about", headers={"X-Session": glued})
    leaked = {found for found, _line in world.leaked(IDENTIFIERS)}
    assert leaked == {c.PERSONAL_EMAIL, c.MOBILE}
    assert not in_plain_sight(world, c.PERSONAL_EMAIL) and not in_plain_sight(world, c.MOBILE)


async def test_an_identifier_in_a_form_body_is_found(world: DemoWorld) -> None:
    body = "name=Alex&email=" + quote_plus(c.PERSONAL_EMAIL)
    async with httpx.AsyncClient(trust_env=False) as client:
        await client.post(
            f"http://127.0.0.1:{world.web.http_port}/contact",
            headers={"Host": f"www.{c.DOMAIN}"},
            content=body.encode(),
        )
    assert [found for found, _line in world.leaked(IDENTIFIERS)] == [c.PERSONAL_EMAIL]
    assert not in_plain_sight(world, c.PERSONAL_EMAIL)


async def test_an_identifier_as_an_idna_label_in_a_dns_query_is_found(world: DemoWorld) -> None:
    label = squash(ACCENTED_STREET).encode("idna").decode()
    assert label.startswith("xn--")
    async with Services(world.audit_options()) as services:
        await services.dns.query(f"{label}.{c.DOMAIN}", "A")
    leaks = world.leaked(IDENTIFIERS)
    assert [found for found, _line in leaks] == [ACCENTED_STREET]
    assert leaks[0][1].startswith("dns ") and not in_plain_sight(world, ACCENTED_STREET)


def test_each_decoding_on_its_own() -> None:
    email = c.PERSONAL_EMAIL
    lines = {
        "percent": "http GET https://x.example/?e=" + quote(email, safe=""),
        "base64": "http GET https://x.example/ authorization: Bearer "
        + base64.b64encode(email.encode()).decode(),
        "idna": "dns udp " + "hélènemarlowe".encode("idna").decode() + ".example A",
        "clean": "http GET https://x.example/?q=%22Alex+Marlowe%22 authorization: Basic eDp5",
    }
    found = {
        name: [v for v, _ in leaks_in([line], [email, "Hélène Marlowe"])]
        for name, line in lines.items()
    }
    assert found == {
        "percent": [email],
        "base64": [email],
        "idna": ["Hélène Marlowe"],
        "clean": [],
    }
