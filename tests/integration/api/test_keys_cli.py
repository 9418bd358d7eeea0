"""`payrun keys create|list|revoke`: the key is printed once, last; only its hash is kept."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from payrun.adapters.db.engine import reading
from payrun.adapters.db.models import ApiKey
from payrun.adapters.db.unit_of_work import SqlUnitOfWork
from payrun.config import Settings
from payrun.entrypoints.api_cli import api_app
from payrun.services.api_keys import KeyChecker
from payrun.services.context import utc_now

runner = CliRunner()


def test_keys_create_prints_the_key_alone_on_its_last_line_and_list_never_shows_it(
    payrun_home: Path,
) -> None:
    created = runner.invoke(api_app, ["keys", "create", "--role", "operator", "--expires", "90d"])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[-1]  # stdout: warnings go to stderr
    assert key.startswith("prk_") and " " not in key
    db_url = Settings().db_url
    principal = KeyChecker(lambda: SqlUnitOfWork(db_url, read_only=True)).check(key, utc_now())
    assert principal is not None and principal.role == "operator"
    assert principal.employer_ids is None
    listed = runner.invoke(api_app, ["keys", "list"])
    assert listed.exit_code == 0 and key[4:16] in listed.output
    secret = key[len("prk_") + 12 + 1 :]  # the secret itself may hold "_"
    assert len(secret) == 43 and secret not in listed.output and key not in listed.output
    with reading(db_url) as session:
        row = session.scalars(select(ApiKey)).one()
    assert row.expires_at is not None

    revoked = runner.invoke(api_app, ["keys", "revoke", str(row.id)])
    assert revoked.exit_code == 0
    assert KeyChecker(lambda: SqlUnitOfWork(db_url, read_only=True)).check(key, utc_now()) is None


def test_keys_create_refuses_an_unknown_role_or_employer_and_writes_nothing(
    payrun_home: Path,
) -> None:
    bad_role = runner.invoke(api_app, ["keys", "create", "--role", "root"])
    bad_employer = runner.invoke(api_app, ["keys", "create", "--role", "viewer", "--employer", "9"])
    bad_expiry = runner.invoke(api_app, ["keys", "create", "--role", "viewer", "--expires", "1y"])
    cases = ((bad_role, "--role"), (bad_employer, "--employer"), (bad_expiry, "--expires"))
    for result, field in cases:
        assert result.exit_code != 0
        assert field in str(result.exception)
    with reading(Settings().db_url) as session:
        assert session.scalars(select(ApiKey)).all() == []
