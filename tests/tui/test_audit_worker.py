"""The audit as a plain async worker on the app's loop: Escape cancels it, the screen says
"cancelled" only once the audit has closed its connection (to a real loopback server), run
again works after that, and quitting waits for the audit to close its connection before the
demo world is stopped."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.widgets import Static
from tui_kit import CannedRunner, FakeWorld, make_app, wait_for

from auditor.engine import AuditPlanned, CheckStarted, EventSink
from auditor.model import Report
from auditor.profile import Profile
from auditor.services import AuditOptions
from auditor.tui.screens.results import ResultsScreen
from auditor.tui.screens.run import RunScreen
from auditor.tui.session import MemoryStore


class LoopbackServer:
    """A TCP server on 127.0.0.1 that notes when a client's connection has been closed."""

    def __init__(self) -> None:
        self.connected = asyncio.Event()
        self.closed = asyncio.Event()
        self.server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connected.set()
        while line := await reader.readline():  # answers each goodbye line, nothing else
            writer.write(line)
            await writer.drain()
        self.closed.set()
        writer.close()

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()


class ConnectionRunner:
    """The first audit opens a connection and waits on it until cancelled; cancelled, it
    says goodbye (round trips, as a client's QUIT would), closes the connection, waits until
    the server has seen that, then until ``release`` is set (so a test can look at the screen
    while the audit is still unwinding). Later audits are the canned one."""

    def __init__(self, server: LoopbackServer) -> None:
        self.server = server
        self.release = asyncio.Event()
        self.unwound = False
        self.canned = CannedRunner()
        self.calls = 0

    async def __call__(
        self, profile: Profile, options: AuditOptions, on_event: EventSink
    ) -> Report:
        self.calls += 1
        if self.calls > 1:
            return await self.canned(profile, options, on_event)
        reader, writer = await asyncio.open_connection("127.0.0.1", self.server.port)
        on_event(AuditPlanned(1))
        on_event(CheckStarted("dns.spf", "example.org"))
        try:
            await reader.read(1024)  # the server never answers unasked
            raise AssertionError("the server answered")
        finally:
            for n in range(20):
                writer.write(b"goodbye %d\n" % n)
                await writer.drain()
                assert await reader.readline() == b"goodbye %d\n" % n
            writer.close()
            await writer.wait_closed()
            await self.server.closed.wait()
            await self.release.wait()
            self.unwound = True


def _status(app: Any) -> str:
    return str(app.screen.query_one("#run-status", Static).render())


async def test_escape_cancels_after_the_connection_is_closed_and_run_again_works() -> None:
    server = LoopbackServer()
    await server.start()
    runner = ConnectionRunner(server)
    store = MemoryStore()
    app = make_app(runner, store=store)  # type: ignore[arg-type]
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(server.connected.is_set, pilot)
            assert isinstance(app.screen, RunScreen) and app.screen.running
            await pilot.press("escape")
            await wait_for(server.closed.is_set, pilot)
            for _ in range(5):
                await pilot.pause()
            # the audit is still unwinding: the screen must not say "cancelled" yet
            assert app.screen.running
            assert not app.session.cancelled
            assert "cancelled" not in _status(app).lower()
            runner.release.set()
            await wait_for(lambda: app.session.cancelled, pilot)
            assert runner.unwound
            assert "Audit cancelled" in _status(app)
            assert not app.screen.running
            assert app.session.report is None and store.reports == {}

            await pilot.press("r")
            await wait_for(lambda: app.session.report is not None, pilot)
            assert runner.calls == 2
            assert not app.session.cancelled
            assert "Finished" in _status(app)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ResultsScreen)
    finally:
        await server.stop()


async def test_quitting_mid_audit_closes_the_connection_before_the_demo_world_stops() -> None:
    server = LoopbackServer()
    await server.start()
    runner = ConnectionRunner(server)
    runner.release.set()
    closed_when_stopped: list[bool] = []

    class World(FakeWorld):
        def stop_thread(self) -> None:
            closed_when_stopped.append(server.closed.is_set() and runner.unwound)
            super().stop_thread()

    app = make_app(runner, demo_world_factory=World)  # type: ignore[arg-type]
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(server.connected.is_set, pilot)
            assert isinstance(app.screen, RunScreen) and app.screen.running
            app.exit()
        assert closed_when_stopped == [True]
    finally:
        await server.stop()
