"""Payroll's outbox keeps every filing event until the filings service has taken it."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import FilingOutbox
from payrun.services.filing_events import add_events, deliver_pending, quarter_closed

NOW = datetime(2026, 4, 2, 12, tzinfo=UTC)


def test_an_undelivered_event_is_delivered_later_and_only_once(database_url: str) -> None:
    migrate(database_url)
    assert add_events(database_url, 4, [quarter_closed(4, 2026, 1)], NOW) == 1
    assert add_events(database_url, 4, [quarter_closed(4, 2026, 1)], NOW) == 0  # same key

    def down(employer_id: int, envelopes: list[dict[str, Any]]) -> None:
        raise ConnectionError("filings service unreachable")

    sent: list[tuple[int, list[dict[str, Any]]]] = []
    assert deliver_pending(database_url, down, NOW) == 0
    with transaction(database_url) as session:
        (row,) = session.scalars(select(FilingOutbox)).all()
        assert (row.delivered_at, row.attempts) == (None, 1)
    assert deliver_pending(database_url, lambda e, env: sent.append((e, env)), NOW) == 1
    assert deliver_pending(database_url, lambda e, env: sent.append((e, env)), NOW) == 0
    assert sent == [
        (
            4,
            [
                {
                    "type": "QuarterClosed",
                    "event": {
                        "event_id": "quarter:4:2026Q1",
                        "employer_id": 4,
                        "year": 2026,
                        "quarter": 1,
                    },
                }
            ],
        )
    ]


def test_the_filings_service_never_loads_the_payroll_tables_or_services() -> None:
    code = (
        "import sys, pkgutil, importlib, payrun.filings as f\n"
        "for m in pkgutil.walk_packages(f.__path__, 'payrun.filings.'):\n"
        "    importlib.import_module(m.name)\n"
        "payroll = ('payrun.adapters.db', 'payrun.services')\n"
        "bad = [m for m in sys.modules if m.startswith(payroll)]\n"
        "print(','.join(sorted(bad)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
