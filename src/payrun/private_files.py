"""Owner-only files and folders (0700 / 0600) whatever the umask: every local writer uses these.

Payroll files hold names, salaries, birth dates and full bank account numbers, so nothing under
PAYRUN_HOME may be readable by group or others. Each helper creates with the private mode (so
there is no moment the file is open to others) and then chmods explicitly (the umask can only
take bits away, never give them back, but a file that already existed keeps its old mode).
Standard library only: config, adapters and services all import it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import uuid
from pathlib import Path
from typing import IO

DIR_MODE = 0o700
FILE_MODE = 0o600
_OPEN_TO_OTHERS = stat.S_IRWXG | stat.S_IRWXO


def private_dir(path: Path) -> Path:
    """Create path and any missing parents owner-only; an existing folder is tightened."""
    missing: list[Path] = []
    current = Path(path)
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it first
            folder.mkdir(mode=DIR_MODE)
        os.chmod(folder, DIR_MODE)
    if not missing:
        _tighten_one(Path(path), DIR_MODE)
    return Path(path)


def touch_private(path: Path) -> Path:
    """Make sure path exists as an owner-only file (0600) without changing its content."""
    private_dir(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)
    finally:
        os.close(descriptor)
    return path


def open_private(path: Path, mode: str = "ab") -> IO[bytes]:
    """Open for writing ("ab" or "wb"), creating the file 0600 in an owner-only folder."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC)
    private_dir(path.parent)
    descriptor = os.open(path, flags, FILE_MODE)
    os.fchmod(descriptor, FILE_MODE)
    return os.fdopen(descriptor, mode)


def write_private(path: Path, data: bytes, *, sync: bool = True) -> Path:
    """Write data to a 0600 temporary file beside path, then rename it over path (atomic)."""
    private_dir(path.parent)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def open_to_others(root: Path) -> list[Path]:
    """Every file or folder under root (root included) that group or others may touch."""
    found = [root] if _loose(root) else []
    for folder, dirs, files in os.walk(root):
        found += [p for p in (Path(folder, n) for n in dirs + files) if _loose(p)]
    return found


def tighten(root: Path) -> int:
    """Make root and everything under it owner-only; return how many entries were changed."""
    changed = 0
    for path in open_to_others(root):
        changed += _tighten_one(path, DIR_MODE if path.is_dir() else FILE_MODE)
    return changed


# What payrun keeps in PAYRUN_HOME (globs). Only these are tightened, so a home pointed at a
# folder that also holds other things (a user's own home directory) keeps their modes.
HOME_ENTRIES = ("payrun.db*", "temporal.db*", "temporal.log", "secret.key*", "snapshots", "out")


def secure_home(home: Path) -> Path:
    """PAYRUN_HOME, created owner-only. An installation from before (a home open to others)
    has the home and payrun's own files in it tightened once, all the way down, with a
    one-line notice on stderr; after that the home is 0700 and the writers keep everything
    under it private, so a start costs one stat."""
    if not home.exists():
        return private_dir(home)
    if _loose(home):
        ours = [p for pattern in HOME_ENTRIES for p in sorted(home.glob(pattern))]
        changed = _tighten_one(home, DIR_MODE) + sum(tighten(p) for p in ours)
        print(
            f"payrun: made {changed} files and folders under {home} owner-only "
            "(they were open to group or others)",
            file=sys.stderr,
        )
    return home


def _loose(path: Path) -> bool:
    try:
        info = path.lstat()
    except FileNotFoundError:
        return False
    return not stat.S_ISLNK(info.st_mode) and bool(info.st_mode & _OPEN_TO_OTHERS)


def _tighten_one(path: Path, mode: int) -> int:
    """Drop group and other bits (owner gets at least mode); 1 if changed. Symlinks are left
    alone: the file they point to is tightened where it lives, if under the root."""
    if not _loose(path):
        return 0
    try:
        os.chmod(path, (stat.S_IMODE(path.lstat().st_mode) & stat.S_IRWXU) | mode)
    except FileNotFoundError:  # removed meanwhile (a temporary file renamed away)
        return 0
    return 1
