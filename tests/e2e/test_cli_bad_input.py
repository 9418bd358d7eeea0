"""Bad input at the command line: one line naming the field, exit code 2, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import Employee, PayRun
from payrun.config import Settings
from payrun.services.seed import seed_demo


@pytest.fixture
def home(payrun_home: Path) -> Path:
    settings = Settings(home=payrun_home)
    migrate(settings.db_url)
    seed_demo(settings.db_url, employers=2, employees=3, seed=5, vault=Vault.for_settings(settings))
    return payrun_home


def payrun(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PAYRUN_HOME": str(home), "TEMPORAL_ADDRESS": "127.0.0.1:1"}
    return subprocess.run(
        [sys.executable, "-m", "payrun.entrypoints.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def counts(home: Path) -> tuple[int, int]:
    with transaction(Settings(home=home).db_url) as session:
        return (
            session.scalar(select(func.count()).select_from(Employee)) or 0,
            session.scalar(select(func.count()).select_from(PayRun)) or 0,
        )


GOOD = [
    "--employer", "1", "--external-id", "NEW1", "--first", "Ana", "--last", "Diaz",
    "--ssn", "123-45-6789", "--rate", "65000", "--routing", "021000021",
    "--account", "12345678", "--state", "CA",
]  # fmt: skip


def with_option(option: str, value: str) -> list[str]:
    args = list(GOOD)
    args[args.index(option) + 1] = value
    return args


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["run", "--employer", "999"], "employer"),
        (["run", "--period", "2031-02-30"], "period"),
        (["run", "--schedule", "fortnightly"], "schedule"),
        (["employee", "add", *with_option("--rate", "-5")], "--rate"),
        (["employee", "add", *with_option("--routing", "123456789")], "bank_routing"),
        (["employee", "add", *with_option("--employer", "999")], "--employer"),
        (["seed", "--employers", "-1"], "--employers"),
        (["redrive", "--resolution", "shred"], "resolution"),
    ],
)
def test_bad_input_is_one_line_naming_the_field_exit_2_nothing_written(
    home: Path, args: list[str], field: str
) -> None:
    before = counts(home)
    result = payrun(home, *args)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1, result.stderr
    assert field in lines[0]
    assert counts(home) == before


def test_good_employee_is_added(home: Path) -> None:
    before = counts(home)
    result = payrun(home, "employee", "add", *GOOD)
    assert result.returncode == 0, result.stderr
    assert counts(home) == (before[0] + 1, before[1])


# Every command, tried as a new user would: unknown ids, employers, runs, files and schedules,
# and values that do not parse. Each answer is one line on stderr, exit status 2, no traceback.
EVERY_COMMAND_BAD = {
    "seed": [["seed", "--employers", "many"]],
    "run": [["run", "--employer", "abc"], ["run", "--schedule", "nosuch"]],
    "demo": [["demo", "--employers", "-3"], ["demo", "--bogus"]],
    "dlq": [["dlq", "--error-type", "nope"]],
    "redrive": [["redrive", "--id", "99999"], ["redrive", "--id", "abc"]],
    "worker": [["worker", "--bogus"]],
    "server": [["server", "--bogus"]],
    "calc": [["calc", "/no/such/request.json"]],
    # every field given (a missing SSN or account is asked for at the terminal, unechoed)
    "employee add": [
        [
            *["employee", "add", "--employer", "99999", "--external-id", "E1", "--first"],
            *["Ana", "--last", "Diaz", "--ssn", "123-45-6789", "--rate", "65000", "--routing"],
            *["021000021", "--account", "12345678", "--state", "CA"],
        ],
        ["employee", "add", "--from", "/no/such/employee.json", "--employer", "1"],
    ],
    "ach build": [["ach", "build", "/no/such/spec.json", "-o", "/tmp/never.ach"]],
    "ach check": [["ach", "check", "/no/such/file.ach"]],
    "ach returns": [["ach", "returns", "/no/such/returns.ach"], ["ach", "returns"]],
    "ach reverse": [["ach", "reverse", "--payment", "99999"], ["ach", "reverse", "--payment", "x"]],
    "schedules sync": [["schedules", "sync", "--hour", "25"]],
    "schedules list": [["schedules", "list", "--count", "0"]],
    "schedules pause": [["schedules", "pause", "nosuch"]],
    "schedules resume": [["schedules", "resume", "nosuch"]],
    "schedules backfill": [
        ["schedules", "backfill", "nosuch", "--start", "2026-01-01", "--end", "2026-02-01"],
        ["schedules", "backfill", "weekly", "--start", "soon", "--end", "2026-02-01"],
    ],
    "recovery list": [["recovery", "list", "--status", "LOST"]],
    "recovery resolve": [
        ["recovery", "resolve", "--id", "99999", "--action", "wire"],
        ["recovery", "resolve", "--id", "1", "--action", "shrug"],
    ],
    "recovery redebit-due": [["recovery", "redebit-due", "--on", "tomorrowish"]],
    "payments reconcile": [["payments", "reconcile", "--run", "no-such-run"]],
    "repay account": [
        ["repay", "account", "--employee", "99999", "--account", "12345678"],
        ["repay", "account", "--employee", "1", "--routing", "123456789"],
    ],
    "repay write-off": [["repay", "write-off", "--paycheck", "99999"]],
    "repay send": [["repay", "send", "--paycheck", "99999"], ["repay", "send", "--paycheck", "1x"]],
    "api": [["api", "--port", "http"], ["api", "--certfile", "/no/such/cert.pem"]],
    "keys create": [["keys", "create", "--role", "superuser"], ["keys", "create"]],
    "keys list": [["keys", "list", "--bogus"]],
    "keys revoke": [["keys", "revoke", "99999"], ["keys", "revoke", "first"]],
    "employee import": [["employee", "import", "/no/such/people.csv", "--employer", "1"]],
    "stub": [["stub", "99999", "-o", "/tmp/never.pdf"], ["stub", "x", "-o", "/tmp/never.pdf"]],
    "receipt": [["receipt", "no-such-run", "--employer", "1", "-o", "/tmp/never.pdf"]],
    "tables check": [["tables", "check", "--year", "1999"]],
    "purge": [["purge", "--before", "2026-01-01"], ["purge", "--before", "someday"]],
    "secrets rotate": [["secrets", "rotate", "--batch-size", "0"]],
    "secrets status": [["secrets", "status", "--bogus"]],
    "filings list": [
        ["filings", "list", "--status", "lost"],
        ["filings", "list", "--employer", "x"],
    ],
    "filings show": [["filings", "show", "no-such-filing"]],
    "filings retry": [["filings", "retry", "no-such-filing"]],
    "filings close-quarter": [
        ["filings", "close-quarter", "--year", "2026", "--quarter", "5"],
        ["filings", "close-quarter", "--year", "2026"],
        ["filings", "close-quarter", "--year", "2999", "--quarter", "1"],
        ["filings", "close-quarter", "--year", "2099", "--quarter", "4"],  # not ended yet
    ],
    "filings relay": [["filings", "relay", "--bogus"]],
    "filings worker": [["filings", "worker", "--bogus"]],
    "": [["no-such-command"]],
}


def registered_commands() -> set[str]:
    import typer

    from payrun.entrypoints.cli import _register_subcommands, app

    _register_subcommands()

    def walk(command: object, path: list[str]) -> list[str]:
        subs = getattr(command, "commands", None)
        if not subs:
            return [" ".join(path)]
        return [name for n, c in subs.items() for name in walk(c, [*path, n])]

    return set(walk(typer.main.get_command(app), []))


def test_every_command_answers_bad_input_in_one_line_with_status_2(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In this process (a subprocess per case costs seconds of start-up each): the same
    entry point `payrun` runs, _answer around the Typer app."""
    from payrun.entrypoints.cli import _answer, app

    monkeypatch.setenv("PAYRUN_HOME", str(home))
    monkeypatch.setenv("TEMPORAL_ADDRESS", "127.0.0.1:1")
    monkeypatch.delenv("PAYRUN_DATABASE_URL", raising=False)
    assert registered_commands() <= set(EVERY_COMMAND_BAD), "a command has no bad-input case"
    before, wrong = counts(home), []
    for args in [args for tries in EVERY_COMMAND_BAD.values() for args in tries]:
        code = _answer(lambda argv=args, **options: app(args=argv, **options))
        err = capsys.readouterr().err
        if code != 2 or len(err.strip().splitlines()) != 1 or not err.startswith("error: "):
            wrong.append((" ".join(args), code, err[-300:]))
    assert wrong == []
    assert counts(home) == before


def test_an_unknown_dead_letter_is_one_line_from_the_real_command(home: Path) -> None:
    """The issue's own example, as a new user types it (a real process, no Temporal needed)."""
    result = payrun(home, "redrive", "--id", "99999")

    assert (result.returncode, result.stderr) == (2, "error: --id: no dead letter 99999\n")
