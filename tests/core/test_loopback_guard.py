"""The suite's own guard: a test that tries to leave loopback is caught."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import ESCAPES


def test_connections_beyond_loopback_are_refused_and_recorded() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock, pytest.raises(OSError):
        sock.sendto(b"x", ("192.0.2.1", 53))
    assert ESCAPES == ["('192.0.2.1', 53)"]
    ESCAPES.clear()  # this test made the attempt on purpose


def test_loopback_is_allowed() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as client:
            client.sendto(b"ping", server.getsockname())
        assert server.recv(16) == b"ping"
