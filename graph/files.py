"""Files written whole or not at all: the new content goes to a temporary name beside the file, is synced
to disk, and is renamed over the file; the folder is then synced, so that the rename survives a crash too.
A reader, or the file after a crash, sees the old content or the whole new one, never a part."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def _temp_name(path: Path) -> Path:
    """A name beside `path` that no other writer picks: hidden, with a random part, ending in ``.part``."""
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")


@contextmanager
def replacing(path: Path, *, strict: bool = False) -> Iterator[BinaryIO]:
    """A binary file open under a temporary name in `path`'s folder, which becomes `path` when the block
    succeeds and is removed when it fails, whatever the exception. Opening it raises OSError as `open` does.
    Once the file is in place, a folder that cannot be synced raises only when `strict` (a store's own
    files): elsewhere it would say that a file written whole was not.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with replacing(folder / "a.txt") as out:
    ...     _ = out.write(b"whole")
    >>> (folder / "a.txt").read_bytes(), sorted(p.name for p in folder.iterdir())
    (b'whole', ['a.txt'])
    >>> try:
    ...     with replacing(folder / "a.txt") as out:
    ...         _ = out.write(b"part")
    ...         raise KeyboardInterrupt
    ... except KeyboardInterrupt:
    ...     pass
    >>> (folder / "a.txt").read_bytes(), sorted(p.name for p in folder.iterdir())
    (b'whole', ['a.txt'])
    """
    temp = _temp_name(path)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    try:
        sync_folder(path.parent)
    except OSError:  # a folder one may write into but not open (mode -wx), or a file system that cannot
        if strict:   # sync a folder: the file is whole and in place, only the rename's durability unsure
            raise


def write_whole(path: Path, data: bytes, *, strict: bool = False) -> None:
    """Replace the file at `path` by `data`, whole or not at all (see :func:`replacing`)."""
    with replacing(path, strict=strict) as out:
        out.write(data)


def remove(path: Path) -> None:
    """Remove the file at `path`, and sync its folder so that the removal survives a crash."""
    path.unlink()
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# Looking a name up: False for one the system cannot look up (longer than it allows, say), as for one that
# is not there; whatever then tries to open or make it reports the system's reason with the name.

def is_file(path: str | os.PathLike[str]) -> bool:
    return _looked_up(Path(path).is_file)


def is_folder(path: str | os.PathLike[str]) -> bool:
    return _looked_up(Path(path).is_dir)


def exists(path: str | os.PathLike[str]) -> bool:
    return _looked_up(Path(path).exists)


def _looked_up(test: Callable[[], bool]) -> bool:
    try:
        return test()
    except OSError:
        return False
