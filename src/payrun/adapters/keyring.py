"""Where the vault's keys live: $PAYRUN_SECRET_KEY, else <PAYRUN_HOME>/secret.key.

Either holds one or more Fernet keys, the current (writing) key first: one per line in the file,
comma-separated in the variable. More than one key means a rotation is under way: the others
are still read. The file is owner-only and replaced atomically, so a reader sees the old ring or
the new one, never half of either. Keys are never logged; their ids (crypto.key_id) are.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet

from payrun.domain.errors import InvalidInput
from payrun.private_files import FILE_MODE, private_dir, tighten, write_private

KEY_ENV = "PAYRUN_SECRET_KEY"
KEY_FILE_NAME = "secret.key"


@dataclass
class KeySource:
    """The keys of one installation; `path` None means they come from the environment."""

    path: Path | None
    _seen: tuple[int, int, int] | None = None

    @classmethod
    def for_home(cls, home: Path) -> KeySource:
        if os.environ.get(KEY_ENV, "").strip():
            return cls(None)
        path = home / KEY_FILE_NAME
        load_or_create_key(path)
        return cls(path)

    @property
    def writable(self) -> bool:
        """A file the rotation can change; keys from the environment the operator changes."""
        return self.path is not None

    def read(self) -> list[bytes]:
        """The keys, current first."""
        if self.path is None:
            text = os.environ.get(KEY_ENV, "")
            keys = [k.strip().encode() for k in text.split(",") if k.strip()]
            if not keys:
                raise InvalidInput(KEY_ENV, "is empty")
            return keys
        self._seen = _signature(self.path)
        return [line.strip() for line in self.path.read_bytes().splitlines() if line.strip()]

    def changed(self) -> bool:
        """The file was replaced since the last read (the environment never changes)."""
        return self.path is not None and _signature(self.path) != self._seen

    def write(self, keys: list[bytes]) -> None:
        """Replace the ring (current first) in one atomic rename."""
        if self.path is None:
            raise InvalidInput(KEY_ENV, "keys from the environment are changed by the operator")
        write_private(self.path, b"".join(k + b"\n" for k in keys))


def new_key() -> bytes:
    return Fernet.generate_key()


def _signature(path: Path) -> tuple[int, int, int]:
    info = path.stat()
    return (info.st_ino, info.st_mtime_ns, info.st_size)


def load_or_create_key(path: Path) -> bytes:
    """The current key from the key file, created owner-only (0600) on first use.

    The key is written to a private temporary file and hard-linked into place, so a
    concurrent reader never sees a half-written key and two first uses agree on one key.
    """
    if not path.exists():
        _publish_new_key(path)
    tighten(path)  # a key file from before private files: owner-only now
    return path.read_bytes().strip().splitlines()[0].strip()


def _publish_new_key(path: Path) -> None:
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    private_dir(path.parent)
    draft.unlink(missing_ok=True)
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        os.fchmod(descriptor, FILE_MODE)
        with os.fdopen(descriptor, "wb") as file:
            file.write(new_key())
        os.link(draft, path)
    except FileExistsError:
        pass  # another process published its key first; use that one
    finally:
        draft.unlink(missing_ok=True)
