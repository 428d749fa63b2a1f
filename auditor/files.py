"""Files the tool writes: private (0600) and atomic, so an interrupted write loses nothing;
folders it creates are private too (0700). And where the profile file is kept by default
(here, not in auditor.profile, so the app finds it without loading the profile parser)."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def make_private_dirs(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` and any missing parents, each one 0700.

    ``Path.mkdir(parents=True, mode=...)`` gives the mode to the last folder only (the
    parents get the umask's default, often 0755) and the umask filters even that; so every
    folder created here is made one at a time and set to 0700. Folders that already exist
    are the person's own and are left as they are.
    """
    target = Path(path)
    missing: list[Path] = []
    for folder in (target, *target.parents):
        if folder.exists() or str(folder) in ("", "."):
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:
            continue  # made meanwhile by someone else: theirs, not ours
        os.chmod(folder, PRIVATE_DIR_MODE)
    return target


def is_stream_node(path: str | os.PathLike[str]) -> bool:
    """True for a FIFO or a character device (/dev/stdout, a named pipe): written into, as a
    shell redirection would, never replaced by a file."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def write_private_text(
    path: str | os.PathLike[str], text: str, *, replace: bool = True, make_parents: bool = True
) -> Path:
    """Write ``text`` to ``path`` atomically with mode 0600.

    The data goes to a temporary file in the same directory (created 0600, never wider),
    is flushed to disk, then renamed over the target: readers see the old file or the new
    one, never half of either, even if the process is killed mid-write. With
    ``replace=False`` it is linked into place instead, which fails (``FileExistsError``) if
    a file appeared there meanwhile: nothing is ever overwritten. A FIFO or a character
    device is written into instead: renaming over it would replace the node. With
    ``make_parents=False`` a missing folder is an error (``-o``: the folder was checked
    before the audit, and one removed meanwhile is not quietly made again).
    """
    target = Path(path)
    if is_stream_node(target):
        with open(target, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        return target
    directory = target.parent if str(target.parent) else Path(".")
    if make_parents:
        make_private_dirs(directory)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        os.fchmod(handle, PRIVATE_FILE_MODE)
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if replace:
            os.replace(temp_name, target)
        else:
            place_without_replacing(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    return target


# What link() says on a filesystem without hard links (FAT and exFAT USB sticks, some
# network shares): there the name is claimed with O_EXCL instead.
_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK}


def place_without_replacing(temp_name: str, target: Path) -> None:
    """Move the finished temporary file to ``target``; FileExistsError if anything is there."""
    try:
        os.link(temp_name, target)  # atomic, and never over an existing file
    except OSError as exc:
        if isinstance(exc, FileExistsError) or exc.errno not in _NO_HARD_LINKS:
            raise
        # Claim the name (fails if it exists), then fill it: the rename replaces only the
        # empty file made here a moment ago.
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE))
        os.replace(temp_name, target)
    else:
        os.unlink(temp_name)


# Why a write failed, in the words a person acts on; the system's own words follow.
_WRITE_ERRORS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "your disk quota is used up",
    errno.EFBIG: "the file would be too large for that disk",
    errno.EROFS: "that disk is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOENT: "its folder no longer exists",
    errno.ENOTDIR: "its folder is no longer a folder",
    errno.EIO: "the disk reported an error",
}


def write_error_in_words(exc: OSError | UnicodeError) -> str:
    """One line saying why a file or a stream could not be written: "the disk is full (No
    space left on device)"; for text the stream's encoding cannot hold, which character."""
    if isinstance(exc, UnicodeEncodeError):
        character = exc.object[exc.start : exc.start + 1]
        return (f"it holds characters such as {character!a} that the {exc.encoding} "
                "encoding cannot write")  # fmt: skip
    if isinstance(exc, UnicodeError):
        return f"an encoding error ({exc})"
    system = exc.strerror or str(exc)
    words = _WRITE_ERRORS.get(exc.errno or 0)
    if words is None or words.lower() == system.lower():
        return system
    return f"{words} ({system})"


class OutputRefused(ValueError):
    """An output path the tool will not write; the message is one line saying why."""


class OutputExists(OutputRefused):
    """The output file exists: replaced only when the person says so (``--force``, or
    yes when the app asks)."""


def check_output_path(
    path: str | os.PathLike[str],
    *,
    force: bool = False,
    protected: tuple[str | os.PathLike[str], ...] = (),
) -> Path:
    """The path a report is about to be written to, checked before any work is done.

    Raises ``OutputRefused`` (one line, naming the reason) for: an empty name; one of the
    ``protected`` files (the profile being audited: never, even with ``force``); a folder;
    a parent folder that does not exist, or that is a file; a folder that cannot be written;
    and ``OutputExists`` for an existing file unless ``force``. A FIFO or a character device
    (``/dev/stdout``) is fine: it is written into, never replaced. Shared by the CLI's
    ``-o`` and the app's exports.
    """
    text = os.fspath(path)
    if not text.strip():
        raise OutputRefused("give a file name")
    target = Path(text).expanduser()
    for guarded in protected:
        if _same_file(target, Path(guarded).expanduser()):
            raise OutputRefused("that is the profile being audited; choose another file name")
    if is_stream_node(target):
        return target
    if target.is_dir():
        raise OutputRefused("that is a folder; give a file name (inside it, if you like)")
    parent = target.parent if str(target.parent) else Path(".")
    ancestor = parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if ancestor.exists() and not ancestor.is_dir():
        raise OutputRefused(f"{ancestor} is a file, not a folder")
    if ancestor != parent:
        raise OutputRefused(f"the folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputRefused(f"cannot write in the folder {parent} (permission denied)")
    if (target.exists() or target.is_symlink()) and not force:
        raise OutputExists("already exists")
    return target


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


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


def default_profile_path() -> Path:
    """Where the app and ``auditor init`` keep the profile when given no file: the user
    config folder (~/.config/candidate-auditor/profile.toml on Linux)."""
    import platformdirs

    return Path(platformdirs.user_config_dir("candidate-auditor")) / "profile.toml"
