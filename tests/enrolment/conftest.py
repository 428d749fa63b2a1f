"""Fake Google Directory and Microsoft Graph APIs on the project's loopback HTTPS server,
speaking the documented JSON; the CLI under test runs its own event loop, so the server
runs in a thread (tests/accounts/conftest.py ThreadedWebServer)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from auditor.demo.web_server import Request, Response, WebServer, json_response
from tests.accounts.conftest import ThreadedWebServer

TOKEN = "ya29.a0Tok3n-Secret_value.Never-Print-Me"
GOOGLE_PREFIX = "/admin/directory/v1/"
GRAPH_PREFIX = "/v1.0/"
GRAPH_PATH = "/v1.0/reports/authenticationMethods/userRegistrationDetails"


def google_user(
    email: str,
    *,
    enrolled: bool,
    enforced: bool = False,
    admin: bool = False,
    delegated: bool = False,
    suspended: bool = False,
) -> dict[str, object]:
    return {
        "kind": "admin#directory#user",
        "id": str(abs(hash(email))),
        "primaryEmail": email,
        "name": {"fullName": email.split("@")[0].title()},
        "isAdmin": admin,
        "isDelegatedAdmin": delegated,
        "suspended": suspended,
        "archived": False,
        "isEnrolledIn2Sv": enrolled,
        "isEnforcedIn2Sv": enforced,
    }


def graph_user(
    upn: str, *, registered: bool, admin: bool = False, methods: tuple[str, ...] = ()
) -> dict[str, object]:
    return {
        "id": str(abs(hash(upn))),
        "userPrincipalName": upn,
        "userDisplayName": upn.split("@")[0].title(),
        "userType": "member",
        "isAdmin": admin,
        "isSsprRegistered": False,
        "isMfaRegistered": registered,
        "isMfaCapable": registered,
        "isPasswordlessCapable": False,
        "methodsRegistered": list(methods),
        "lastUpdatedDateTime": "2025-01-10T10:00:00Z",
    }


GOOGLE_PAGES = [
    [
        google_user("agent@campaign.example", enrolled=False, admin=True),
        google_user("alice@campaign.example", enrolled=True, enforced=True),
        google_user("old@campaign.example", enrolled=False, suspended=True),
    ],
    [
        google_user("bob@campaign.example", enrolled=False),
        google_user("it@campaign.example", enrolled=True, admin=True),
    ],
    [
        google_user("helper@campaign.example", enrolled=False, delegated=True),
        google_user("carol@campaign.example", enrolled=True),
    ],
]


@dataclass
class FakeApis:
    server: WebServer
    ca_file: Path
    google_pages: list[list[dict[str, object]]] = field(default_factory=lambda: GOOGLE_PAGES)
    graph_pages: list[list[dict[str, object]]] = field(default_factory=list)
    graph_next_override: str | None = None  # replace page 1's nextLink

    @property
    def base(self) -> str:
        return f"https://localhost:{self.server.https_port}"

    def args(self, provider: str) -> list[str]:
        name, prefix = (
            ("google_directory", GOOGLE_PREFIX)
            if provider == "google"
            else ("microsoft_graph", GRAPH_PREFIX)
        )
        return ["--endpoint", f"{name}={self.base}{prefix}", "--ca-file", str(self.ca_file)]

    def authorised(self, request: Request) -> Response | None:
        if request.header("authorization") != f"Bearer {TOKEN}":
            return json_response(
                {"error": {"code": 401, "message": "Request had invalid authentication "
                           "credentials.", "status": "UNAUTHENTICATED"}}, 401,
            )  # fmt: skip
        return None

    def google(self, request: Request) -> Response:
        refused = self.authorised(request)
        if refused is not None:
            return refused
        if request.path != GOOGLE_PREFIX + "users":
            return json_response({"error": {"code": 404, "message": "Not Found"}}, 404)
        query = parse_qs(request.query)
        index = int(query.get("pageToken", ["page1"])[0].removeprefix("page")) - 1
        body: dict[str, object] = {
            "kind": "admin#directory#users",
            "etag": '"abc"',
            "users": self.google_pages[index],
        }
        if index + 1 < len(self.google_pages):
            body["nextPageToken"] = f"page{index + 2}"
        return json_response(body, content_type="application/json; charset=UTF-8")

    def graph(self, request: Request) -> Response:
        refused = self.authorised(request)
        if refused is not None:
            return refused
        if request.path != GRAPH_PATH:
            return json_response({"error": {"code": "NotFound", "message": "not found"}}, 404)
        query = parse_qs(request.query)
        index = int(query.get("$skiptoken", ["0"])[0])
        body: dict[str, object] = {
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#reports/"
            "authenticationMethods/userRegistrationDetails",
            "value": self.graph_pages[index],
        }
        if index + 1 < len(self.graph_pages):
            body["@odata.nextLink"] = f"{self.base}{GRAPH_PATH}?$skiptoken={index + 1}"
            if index == 0 and self.graph_next_override is not None:
                body["@odata.nextLink"] = self.graph_next_override
        content_type = "application/json;odata.metadata=minimal;odata.streaming=true;charset=utf-8"
        return json_response(body, content_type=content_type)


@pytest.fixture
def apis(tmp_path: Path) -> Iterator[FakeApis]:
    with ThreadedWebServer() as server:
        ca_file = tmp_path / "ca.pem"
        ca_file.write_text(server.ca_pem)
        fake = FakeApis(server, ca_file)
        server.route_prefix("localhost", GOOGLE_PREFIX, fake.google)
        server.route_prefix("localhost", GRAPH_PREFIX, fake.graph)
        yield fake


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    path = tmp_path / "token.txt"
    path.write_text(TOKEN + "\n")
    path.chmod(0o600)
    return path
