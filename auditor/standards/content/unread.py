"""What a cap left unread, in the plain words a "Partly checked" finding shows: one entry per
cap per resource, however many times the cap stopped reading in it."""

from __future__ import annotations


def note(not_read: list[str] | None, what: str) -> None:
    """Add ``what`` ("the page's script after its first 512 KB") to ``not_read`` once;
    ``None`` means the caller does not ask (a helper called for a quick look)."""
    if not_read is not None and what not in not_read:
        not_read.append(what)


def amount(characters: int) -> str:
    """A cap in characters, as a person reads sizes: "512 KB", "2 MB", "4,096 characters"."""
    if characters >= 1024 * 1024 and characters % (1024 * 1024) == 0:
        return f"{characters // (1024 * 1024)} MB"
    if characters >= 1024 and characters % 1024 == 0:
        return f"{characters // 1024} KB"
    return f"{characters:,} characters"


def downloaded_only(size: int) -> str:
    """A resource the HTTP body cap cut: what of it was not read."""
    return (
        f"the file after its first {max(1, size // (1024 * 1024))} MB (the rest was not downloaded)"
    )
