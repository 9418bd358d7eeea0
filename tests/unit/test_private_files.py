"""Owner-only files whatever the umask: the helpers, SQLite's side files, an old home tightened."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from payrun.adapters.db.engine import make_engine
from payrun.config import Settings
from payrun.private_files import (
    open_private,
    open_to_others,
    private_dir,
    secure_home,
    touch_private,
    write_private,
)


@pytest.fixture(autouse=True)
def loose_umask() -> Iterator[None]:
    """The usual umask of a fresh login (022): new files 0644 and folders 0755 by default."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_writers_create_owner_only_files_and_folders(tmp_path: Path) -> None:
    written = write_private(tmp_path / "a" / "b" / "snapshot.json", b"{}")
    with open_private(tmp_path / "logs" / "server.log") as log:
        log.write(b"line\n")
    touched = touch_private(tmp_path / "db" / "payrun.db")

    assert written.read_bytes() == b"{}"
    assert [_mode(p) for p in (written, tmp_path / "logs" / "server.log", touched)] == [0o600] * 3
    assert [_mode(tmp_path / d) for d in ("a", "a/b", "logs", "db")] == [0o700] * 4
    assert [p.name for p in (tmp_path / "a" / "b").iterdir()] == ["snapshot.json"]  # no temp


def test_sqlite_wal_and_shm_files_take_the_private_mode_of_the_database(tmp_path: Path) -> None:
    database = tmp_path / "private" / "payrun.db"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
        side_files = sorted(p.name for p in database.parent.iterdir())
        modes = {p.name: _mode(p) for p in database.parent.iterdir()}
    engine.dispose()

    assert side_files == ["payrun.db", "payrun.db-shm", "payrun.db-wal"]
    assert modes == {"payrun.db": 0o600, "payrun.db-shm": 0o600, "payrun.db-wal": 0o600}


def test_an_existing_home_open_to_others_is_tightened_once_with_a_notice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    (home / "snapshots" / "runs").mkdir(parents=True)  # 0755 under umask 022
    (home / "payrun.db").write_bytes(b"")  # 0644
    (home / "snapshots" / "runs" / "chunk.json").write_bytes(b"{}")
    (home / "notes.txt").write_bytes(b"")  # not payrun's: left as its owner made it
    assert len(open_to_others(home)) == 6

    Settings(home=home).home_dir  # noqa: B018 (the property secures the home)
    first = capsys.readouterr().err
    Settings(home=home).home_dir  # noqa: B018
    second = capsys.readouterr().err

    assert open_to_others(home) == [home / "notes.txt"]
    assert first.count("\n") == 1 and "made 5 files and folders" in first
    assert second == ""  # a private home is not walked again


def test_a_new_home_is_created_owner_only(tmp_path: Path) -> None:
    home = secure_home(tmp_path / "new" / "home")
    assert _mode(home) == 0o700 and _mode(home.parent) == 0o700
    assert _mode(private_dir(home / "out" / "nacha")) == 0o700
