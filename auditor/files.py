"""Files the tool writes: private (0600) and atomic, so an interrupted write loses nothing."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def ensure_private_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    return path


def write_private_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` to ``path`` atomically with mode 0600.

    The data goes to a temporary file in the same directory (created 0600, never wider),
    is flushed to disk, then renamed over the target: readers see the old file or the new
    one, never half of either, even if the process is killed mid-write.
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    directory.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        os.fchmod(handle, PRIVATE_FILE_MODE)
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    return target


class UnreadableFile(ValueError):
    """A file the tool will not read: not a regular file, a symbolic link where none is
    allowed, too large, or not UTF-8. The message is one line saying which."""


def read_limited_bytes(
    path: str | os.PathLike[str], *, limit: int, follow_symlinks: bool = True
) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    A FIFO, a device (``/dev/zero``) or a symbolic link to one would block or never end:
    the file is opened without blocking (and, with ``follow_symlinks=False``, with
    ``O_NOFOLLOW``), checked to be a regular file on the open descriptor (no race with a
    swap after a check by name), and read no further than ``limit`` + 1 bytes.
    Raises ``OSError`` (missing, permission) or ``UnreadableFile``.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_symlinks:
            raise UnreadableFile("it is a symbolic link, which is not followed here") from None
        raise
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile("not a regular file (a device, pipe or folder)")
        if info.st_size > limit:
            raise UnreadableFile(f"larger than {_size(limit)}")
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise UnreadableFile(f"larger than {_size(limit)}")
    return data


def read_limited_text(
    path: str | os.PathLike[str], *, limit: int, follow_symlinks: bool = True
) -> str:
    """``read_limited_bytes`` decoded as UTF-8 (a BOM is kept: callers strip it if they wish)."""
    data = read_limited_bytes(path, limit=limit, follow_symlinks=follow_symlinks)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UnreadableFile(f"not UTF-8 text (line {line})") from None


def _size(limit: int) -> str:
    if limit >= 1 << 20:
        return f"{limit / (1 << 20):g} MB"
    return f"{limit / 1024:g} KB" if limit >= 1024 else f"{limit} bytes"
