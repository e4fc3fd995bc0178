"""Files written whole or not at all (graph/files.py): what is on disk after success, failure and a folder
that cannot be synced."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graph import files
from graph.export import export
from graph.store import Store


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_file_replaced_whole_and_synced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.txt"
    target.write_bytes(b"old")
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append("folder" if os.path.isdir(f"/proc/self/fd/{fd}") else os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    files.write_whole(target, b"new")
    assert target.read_bytes() == b"new" and names(tmp_path) == ["a.txt"]
    # the temporary file first (its name is gone by now), then the folder that holds the rename
    assert len(synced) == 2 and synced[0].startswith(str(tmp_path / ".a.txt.")) and synced[1] == "folder"


def test_a_failure_leaves_the_old_file_and_no_temporary_one(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_bytes(b"old")
    with pytest.raises(OSError, match="No space left"), files.replacing(target) as out:
        out.write(b"half")
        raise OSError(28, "No space left on device")
    assert target.read_bytes() == b"old" and names(tmp_path) == ["a.txt"]


def test_a_folder_that_cannot_be_synced_fails_only_a_strict_write(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(folder: Path) -> None:
        raise PermissionError(13, "Permission denied", str(folder))

    monkeypatch.setattr(files, "sync_folder", refuse)
    files.write_whole(tmp_path / "draft.yaml", b"whole")
    assert (tmp_path / "draft.yaml").read_bytes() == b"whole"
    with pytest.raises(PermissionError, match="Permission denied"):
        files.write_whole(tmp_path / "journal", b"g\n", strict=True)
    assert (tmp_path / "journal").read_bytes() == b"g\n"  # in place: only its rename's durability is unsure


def test_an_export_into_a_folder_that_cannot_be_synced_says_it_was_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder one may write into but not read (mode -wx) cannot be opened to sync it: the export has
    still written its file whole, and must not report that nothing was written."""
    def refuse(folder: Path) -> None:
        raise PermissionError(13, "Permission denied", str(folder))

    monkeypatch.setattr(files, "sync_folder", refuse)
    with Store.open("memory:") as store:
        done = export(store, "nq", tmp_path / "g.nq")
    assert done.triples == 0 and names(tmp_path) == ["g.nq"]
    assert b"void#Dataset" in (tmp_path / "g.nq").read_bytes()
