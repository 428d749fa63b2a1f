"""Asking a third-party API politely (core, for the web-archive and web-search checks): a few
requests at a time, a time budget, short 429/503 pauses waited out and retried, and a long
one (or one that does not end) taken as a request to stop. Whatever was not sent is said
so by ``stopped``; nothing here raises for network trouble."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from auditor.standards.digits import ascii_int

if TYPE_CHECKING:
    from auditor.net.http import FetchResult, HttpClient

RETRIES = 2  # after a 429 or 503
LONGEST_WAIT_S = 5.0  # a Retry-After longer than this stops the reading instead


class PoliteClient:
    def __init__(
        self, http: HttpClient, service: str, *, concurrency: int, budget_s: float
    ) -> None:
        self.http = http
        self.service = service
        self.deadline = time.monotonic() + budget_s
        self.gate = asyncio.Semaphore(concurrency)
        self.stopped = ""  # why no further request is sent (the service asked to pause)
        self.budget_s = budget_s

    def not_sent(self) -> str:
        return self.stopped or f"the {self.budget_s:.0f}-second time limit for {self.service}"

    async def fetch(
        self, url: str, headers: dict[str, str], *, max_bytes: int | None = None
    ) -> FetchResult | None:
        """The answer, after waiting out short 429/503 pauses; None when nothing was sent
        (the budget is spent, or the service asked for a long pause earlier)."""
        for attempt in range(RETRIES + 1):
            if self.stopped or time.monotonic() >= self.deadline:
                return None
            async with self.gate:
                if self.stopped:  # the service asked for a pause while this one waited
                    return None
                left = self.deadline - time.monotonic()
                result = await self.http.fetch(
                    url,
                    headers=headers,
                    timeout=max(1.0, min(left, self.http.timeout)),
                    max_bytes=max_bytes,
                )
            status = result.status_code or 0
            if not result.ok or status not in (429, 503):
                return result
            wait = retry_after(result)
            cause = "rate-limiting" if status == 429 else "unavailable"
            if wait is not None and wait > LONGEST_WAIT_S:
                self.stopped = (
                    f"{self.service} is {cause} (HTTP {status}) and asked to wait "
                    f"{wait:.0f} seconds"
                )
                return result
            if attempt == RETRIES:
                self.stopped = (
                    f"{self.service} stayed {cause} (HTTP {status}) after {RETRIES} retries"
                )
                return result
            await asyncio.sleep(wait if wait is not None else 2.0**attempt)
        return None  # not reached: the loop returns on its last attempt


def retry_after(result: FetchResult) -> float | None:
    value = ascii_int(result.headers.get("retry-after", "").strip(), max_digits=6)
    return float(value) if value is not None else None
