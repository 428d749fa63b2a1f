"""Shared test setup. Every network test talks to real servers on loopback; nothing here
mocks sockets, resolvers or transports."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

# Hypothesis: a modest number of examples in the default run; the dedicated fuzz run
# (pytest -m fuzz) raises it.
try:
    from hypothesis import HealthCheck, settings

    settings.register_profile(
        "default", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    settings.register_profile(
        "fuzz", max_examples=20_000, deadline=None, suppress_health_check=list(HealthCheck)
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
except ImportError:  # pragma: no cover - hypothesis is in the test extra
    pass


def _is_loopback(address: object) -> bool:
    if not isinstance(address, tuple) or not address:
        return True  # a Unix socket path or similar: not the network
    host = str(address[0]).split("%")[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: tests use addresses, so this would be a real lookup


def _guard(method_name: str) -> None:
    original = getattr(socket.socket, method_name)

    def guarded(self: socket.socket, *args: object) -> object:
        address = args[-1] if method_name == "sendto" else args[0]
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            ESCAPES.append(repr(address))
            raise OSError(f"test tried to reach {address!r}: tests stay on loopback")
        return original(self, *args)

    setattr(socket.socket, method_name, guarded)


ESCAPES: list[str] = []  # addresses a test tried to reach beyond loopback

# No test reaches beyond loopback: a connection or datagram to any other address fails
# loudly instead of quietly leaving the machine (this blocks, it does not fake a network).
for _method in ("connect", "connect_ex", "sendto"):
    _guard(_method)

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the user data directory (history, downloaded directory) at a temp folder."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    return home


@pytest.fixture(autouse=True)
def stays_on_loopback() -> Iterator[None]:
    """Fail the test that tried to leave loopback, even if the code under test swallowed
    the error (a DNS client turns it into an "error" answer, for instance)."""
    ESCAPES.clear()
    yield
    escaped, ESCAPES[:] = list(ESCAPES), []
    assert not escaped, f"this test tried to reach beyond loopback: {escaped[:3]}"
