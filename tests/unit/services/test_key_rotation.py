"""The rotation's logic against in-memory fakes: passes until nothing is stale, then retire."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from cryptography.fernet import Fernet

from payrun.adapters.crypto import Vault, key_id
from payrun.services.key_rotation import LEGACY, keys_in_use, rotate


class FakeCiphertexts:
    """Columns of {row id: ciphertext}; `after_pass` runs once the first full pass is done."""

    def __init__(self, columns: dict[str, dict[int, bytes]]) -> None:
        self.data, self.passes = columns, 0
        self.after_pass: Callable[[], None] = lambda: None

    def columns(self) -> list[str]:
        return list(self.data)

    def reseal_batch(
        self, column: str, after: int, size: int, reseal: Callable[[bytes], bytes | None]
    ) -> tuple[int | None, int]:
        ids = sorted(i for i in self.data[column] if i > after)[:size]
        changed = 0
        for i in ids:
            fresh = reseal(self.data[column][i])
            if fresh is not None:
                self.data[column][i], changed = fresh, changed + 1
        if not ids and column == self.columns()[-1]:
            self.passes += 1
            if self.passes == 1:
                self.after_pass()
        return (ids[-1] if ids else None), changed

    def count_by(self, column: str, label: Callable[[bytes], str]) -> Counter[str]:
        return Counter(label(t) for t in self.data[column].values())


class FakeRing:
    """The key file: read, written, and whether it changed since the last read."""

    def __init__(self, keys: list[bytes], writable: bool = True) -> None:
        self.keys, self.writable, self.writes, self._seen = keys, writable, 0, 0

    def read(self) -> list[bytes]:
        self._seen = self.writes
        return list(self.keys)

    def changed(self) -> bool:
        return self._seen != self.writes

    def write(self, keys: list[bytes]) -> None:
        self.keys, self.writes = list(keys), self.writes + 1


class FakeAudit:
    def __init__(self) -> None:
        self.entries: list[tuple[str, str, dict[str, Any]]] = []

    def audit(
        self,
        at: datetime,
        actor: str,
        action: str,
        subject: str,
        details: dict[str, Any],
        outcome: str = "ok",
    ) -> None:
        self.entries.append((action, subject, details))


def _vault_over(ring: FakeRing) -> Vault:
    return Vault.reading(ring)  # reload() reads the fake ring


def test_a_value_written_under_the_old_key_during_the_sweep_is_resealed_before_retiring() -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    legacy = Fernet(old).encrypt(b"123456789")  # a Fernet token from before key ids
    data = FakeCiphertexts({"employees.ssn_enc": {1: Vault(old).encrypt("111223333"), 2: legacy}})
    data.after_pass = lambda: data.data["employees.ssn_enc"].update({3: Vault(old).encrypt("x")})
    ring, audit = FakeRing([old]), FakeAudit()

    result = rotate(data, audit, _vault_over(ring), ring, lambda: new, batch_size=1, grace=0)

    assert data.passes >= 2 and ring.keys == [new] and ring.writes == 2
    assert keys_in_use(data, Vault(new)) == {"employees.ssn_enc": Counter({key_id(new): 3})}
    assert result.resealed == {"employees.ssn_enc": 3} and result.retired == [key_id(old)]
    assert [Vault(new).decrypt(t) for t in data.data["employees.ssn_enc"].values()] == [
        "111223333",
        "123456789",
        "x",
    ]
    assert [(a, s) for a, s, _ in audit.entries] == [("secrets.rotate", f"key {key_id(new)}")]


def test_keys_from_the_environment_are_never_written_and_the_old_one_is_reported() -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    data = FakeCiphertexts({"employers.funding_account_enc": {7: Vault(old).encrypt("9")}})
    ring = FakeRing([new, old], writable=False)  # PAYRUN_SECRET_KEY=NEW,OLD

    result = rotate(data, FakeAudit(), Vault([new, old]), ring, Fernet.generate_key, grace=0)

    assert ring.writes == 0 and result.began is False and result.retired == [key_id(old)]
    assert keys_in_use(data, Vault(new)) == {
        "employers.funding_account_enc": Counter({key_id(new): 1})
    }
    assert LEGACY not in keys_in_use(data, Vault(new))["employers.funding_account_enc"]
