"""API keys through the unit of work, on fakes: shown once, kept as a hash, scoped, and refused
the moment they are revoked or expire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from payrun.domain.errors import InvalidInput
from payrun.services.api_keys import CreateKey, KeyChecker, create_key, list_keys, revoke_key
from tests.unit.services.fakes import FakeUnitOfWork

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def cheap_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYRUN_API_KEY_HASH", "cheapest")  # argon2's test profile


def _checker(uow: FakeUnitOfWork) -> KeyChecker:
    uow.read_only = True  # the checker runs on every request and must only read
    return KeyChecker(lambda: uow)


def test_a_new_key_is_returned_once_and_only_a_hash_of_its_secret_is_stored() -> None:
    uow = FakeUnitOfWork(employer_ids={1, 2})
    new = create_key(uow, CreateKey("operator", (2, 1, 2), "90d", "x" * 150), NOW)
    prefix, secret = new.key.removeprefix("prk_").split("_", 1)
    stored = uow.api_keys.rows[new.id]
    assert (stored.prefix, stored.role, stored.employer_ids) == (prefix, "operator", (1, 2))
    assert secret not in stored.secret_hash and stored.secret_hash.startswith("$argon2id$")
    assert (len(stored.name), stored.expires_at) == (100, NOW + timedelta(days=90))
    assert uow.commits == 1


@pytest.mark.parametrize(
    ("cmd", "field"),
    [
        (CreateKey("root"), "--role"),
        (CreateKey("viewer", expires_in="3w"), "--expires"),
        (CreateKey("viewer", (1, 9)), "--employer"),
    ],
)
def test_a_bad_request_names_its_field_and_stores_no_key(cmd: CreateKey, field: str) -> None:
    uow = FakeUnitOfWork(employer_ids={1})
    with pytest.raises(InvalidInput) as error:
        create_key(uow, cmd, NOW)
    assert error.value.field == field
    assert (uow.api_keys.rows, uow.commits) == ({}, 0)


def test_a_key_passes_with_its_role_and_employer_scope() -> None:
    uow = FakeUnitOfWork(employer_ids={1, 2})
    scoped = create_key(uow, CreateKey("viewer", (2,)), NOW)
    every = create_key(uow, CreateKey("admin"), NOW)
    checker = _checker(uow)
    viewer = checker.check(scoped.key, NOW)
    admin = checker.check(every.key, NOW)
    assert viewer is not None and admin is not None
    assert (viewer.role, viewer.sees(2), viewer.sees(1), viewer.may("operator")) == (
        "viewer",
        True,
        False,
        False,
    )
    assert (admin.employer_ids, admin.may("operator")) == (None, True)


def test_a_wrong_secret_an_unknown_prefix_or_a_malformed_key_does_not_pass() -> None:
    uow = FakeUnitOfWork()
    key = create_key(uow, CreateKey("admin"), NOW).key
    checker = _checker(uow)
    wrong_secret = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    unknown_prefix = "prk_000000000000_" + key.rsplit("_", 1)[1]
    for presented in (wrong_secret, unknown_prefix, "prk_short", key + "x"):
        assert checker.check(presented, NOW) is None


def test_a_key_stops_passing_when_it_expires() -> None:
    uow = FakeUnitOfWork()
    key = create_key(uow, CreateKey("viewer", expires_in="12h"), NOW).key
    checker = _checker(uow)
    assert checker.check(key, NOW + timedelta(hours=11, minutes=59)) is not None
    assert checker.check(key, NOW + timedelta(hours=12)) is None


def test_a_revoked_key_stops_passing_at_once_even_after_it_passed() -> None:
    uow = FakeUnitOfWork()
    new = create_key(uow, CreateKey("admin"), NOW)
    checker = KeyChecker(lambda: uow)
    assert checker.check(new.key, NOW) is not None  # now remembered by this process
    revoke_key(uow, new.id, NOW + timedelta(minutes=1))
    assert checker.check(new.key, NOW + timedelta(minutes=2)) is None


def test_revoking_again_keeps_the_first_time_and_an_unknown_key_names_the_key() -> None:
    uow = FakeUnitOfWork()
    new = create_key(uow, CreateKey("admin"), NOW)
    revoke_key(uow, new.id, NOW)
    revoke_key(uow, new.id, NOW + timedelta(days=1))
    assert uow.api_keys.rows[new.id].revoked_at == NOW
    with pytest.raises(InvalidInput) as error:
        revoke_key(uow, 99, NOW)
    assert error.value.field == "key"


def test_keys_are_listed_by_id_without_committing() -> None:
    uow = FakeUnitOfWork()
    ids = [create_key(uow, CreateKey(role), NOW).id for role in ("admin", "viewer")]
    uow.read_only = True
    assert [k.id for k in list_keys(uow)] == ids


def test_making_and_revoking_a_key_is_audited_once_without_its_secret() -> None:
    uow = FakeUnitOfWork(employer_ids={2})
    new = create_key(uow, CreateKey("viewer", (2,)), NOW)
    revoke_key(uow, new.id, NOW + timedelta(hours=1))
    revoke_key(uow, new.id, NOW + timedelta(hours=2))  # again: nothing more recorded
    entries = [(e.actor, e.action, e.subject, e.details) for e, _ in uow.audit.rows]
    prefix = uow.api_keys.rows[new.id].prefix
    assert entries == [
        (
            "cli",
            "api_key.created",
            f"api_keys/{new.id}",
            {
                "role": "viewer",
                "employer_ids": [2],
                "prefix": prefix,
            },
        ),
        ("cli", "api_key.revoked", f"api_keys/{new.id}", {"prefix": prefix}),
    ]
    assert new.key[len("prk_") + 13 :] not in repr(uow.audit.rows)  # the secret
