"""Bounded decoding of HTTP bodies: every Content-Encoding chain, never past the cap.

httpx decodes a chain such as ``gzip, gzip`` through its ``MultiDecoder`` chunk by chunk with
no size bound, and it decodes ``br`` and ``zstd`` whenever the ``brotli`` or ``zstandard``
modules happen to be importable: 1 MB of nested gzip, or 1.6 KB of brotli, becomes 2 GB in
memory. So the client reads raw bytes and decodes them here, and only here:

- the codings the client asks for (``gzip``, ``x-gzip``, ``deflate``) and ``identity``, in any
  order and any number of layers (up to ``MAX_LAYERS``);
- each layer is a zlib stream inflated with ``max_length``, so no layer ever produces more
  than the bytes still allowed; the input a layer could not take yet waits in that layer;
- anything else (``br``, ``zstd``, ``compress``, an unknown token) is refused: the body is
  "could not read", never scanned as if its compressed bytes were the page.

Work is bounded too: the raw bytes read, and the bytes every layer produces in all, are
capped (``work_factor`` times the cap), so a chain of layers that expands and shrinks again
costs bounded CPU, and the result says it was cut.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

DECODED = frozenset({"gzip", "x-gzip", "deflate"})
MAX_LAYERS = 4  # more than any honest server sends (one, rarely two)
WORK_FACTOR = 8  # every layer together may produce at most this many times the cap


class UndecodableBody(ValueError):
    """The body uses a coding this client does not decode, or its compressed data is corrupt."""


def parse_codings(values: Iterable[str]) -> list[str]:
    """Content-Encoding header values (each may list several) as lower-case tokens, in the
    order they were applied; ``identity`` dropped. Raises UndecodableBody for what we refuse."""
    codings: list[str] = []
    for value in values:
        for token in value.split(","):
            coding = token.strip().lower()
            if not coding or coding == "identity":
                continue
            if coding not in DECODED:
                raise UndecodableBody(
                    f"the body is encoded with {coding[:40]!r}, which the auditor does not "
                    "decode (it asks only for gzip or deflate)"
                )
            codings.append(coding)
    if len(codings) > MAX_LAYERS:
        raise UndecodableBody(f"the body is compressed {len(codings)} times over")
    return codings


class _Layer:
    """One zlib stream (gzip, or deflate zlib-wrapped or raw as some servers send it)."""

    def __init__(self, coding: str) -> None:
        if coding == "deflate":
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS)
            self._fallback: int | None = -zlib.MAX_WBITS
        else:
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            self._fallback = None
        self._pending = b""
        self._started = False

    @property
    def has_pending(self) -> bool:
        return bool(self._pending)

    @property
    def finished(self) -> bool:
        return self._inflater.eof

    def feed(self, data: bytes, limit: int) -> bytes:
        """At most ``limit`` bytes of output; input not yet inflated is kept for later."""
        data = self._pending + data if self._pending else data
        self._pending = b""
        if limit <= 0 or not data:
            self._pending = data
            return b""
        if self._inflater.eof:  # data after the end of the stream: ignored, as browsers do
            return b""
        try:
            out = self._inflater.decompress(data, limit)
        except zlib.error:
            if self._started or self._fallback is None:
                raise UndecodableBody("the compressed body is corrupt") from None
            self._inflater = zlib.decompressobj(self._fallback)
            self._fallback = None
            try:
                out = self._inflater.decompress(data, limit)
            except zlib.error:
                raise UndecodableBody("the compressed body is corrupt") from None
        self._started = True
        self._pending = self._inflater.unconsumed_tail
        return out


class BoundedDecoder:
    """Decode a body through its whole Content-Encoding chain within ``cap`` bytes.

    ``feed(raw)`` returns decoded bytes; ``finish()`` drains what the layers still hold.
    ``truncated`` becomes True as soon as the decoded body (or the work) passes the bound;
    callers stop reading then.
    """

    def __init__(self, codings: list[str], cap: int, *, work_factor: int = WORK_FACTOR) -> None:
        # Codings are listed in the order applied, so they are undone last first.
        self._layers = [_Layer(c) for c in reversed(codings)]
        self._cap = cap
        self._work_budget = max(cap, 64 * 1024) * work_factor
        self._work = 0
        self._raw = 0
        self.size = 0
        self.truncated = False

    @property
    def identity(self) -> bool:
        return not self._layers

    def feed(self, raw: bytes) -> bytes:
        if self.truncated:
            return b""
        self._raw += len(raw)
        if not self._layers:
            return self._emit(raw)
        if self._raw > self._work_budget:
            self.truncated = True  # a compressed body bigger than any page we would read
            return b""
        return self._emit(self._through_layers(raw))

    def finish(self) -> bytes:
        """Whatever the layers still hold once the raw stream has ended (bounded as well)."""
        out: list[bytes] = []
        while not self.truncated and any(layer.has_pending for layer in self._layers):
            before = self._work
            out.append(self._emit(self._through_layers(b"")))
            if self._work == before:
                break  # no layer made progress: the rest is not inflatable
        return b"".join(out)

    def _through_layers(self, data: bytes) -> bytes:
        for layer in self._layers:
            limit = min(self._cap + 1 - self.size, self._work_budget - self._work)
            if limit <= 0:
                self.truncated = True
                return b""
            data = layer.feed(data, limit) if (data or layer.has_pending) else b""
            self._work += len(data)
        return data

    def _emit(self, data: bytes) -> bytes:
        room = self._cap - self.size
        if len(data) > room:
            self.truncated = True
            data = data[: max(room, 0)]
        self.size += len(data)
        if self._work >= self._work_budget:
            self.truncated = True
        return data
