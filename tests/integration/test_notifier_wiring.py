"""Notifiers wired from settings: a real pay run signs employer and run webhooks exactly once,
employers with their own webhook or address get their own copy, and email goes over SMTP."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import Employer
from payrun.adapters.notify import InvalidSignature, verify_signature
from payrun.adapters.notify.factory import build_notifier
from payrun.bootstrap import build_context
from payrun.config import Settings
from payrun.domain.errors import InvalidInput
from payrun.services.ports import Notification
from payrun.services.returns import process_returns
from payrun.services.seed import seed_demo
from tests.integration.test_returns import Returned, describe_paid_run, pay_one_run, return_file

SECRET = "whsec-wiring-test"


class Hooks(ThreadingHTTPServer):
    """Every POST by path: its Idempotency-Key, its JSON body, and whether the signature held."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), HookHandler)
        self.received: list[tuple[str, str, dict[str, Any], bool]] = []
        self.lock = threading.Lock()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/{path}"

    def keys(self, path: str) -> Counter[str]:
        return Counter(key for p, key, _, _ in self.received if p == f"/{path}")

    def events(self, path: str) -> Counter[str]:
        return Counter(body["event"] for p, _, body, _ in self.received if p == f"/{path}")


class HookHandler(BaseHTTPRequestHandler):
    server: Hooks

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        try:
            verify_signature(
                SECRET.encode(), body, self.headers["Payrun-Signature"], now=time.time()
            )
            signed = True
        except InvalidSignature:
            signed = False
        with self.server.lock:
            self.server.received.append(
                (self.path, self.headers["Idempotency-Key"], json.loads(body), signed)
            )
        self.send_response(200 if signed else 401)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def hooks() -> Iterator[Hooks]:
    server = Hooks()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def seeded(home: Path, **notify: Any) -> Settings:
    settings = Settings(home=home, database_url=f"sqlite:///{home / 'payrun.db'}", **notify)
    migrate(settings.db_url)
    seed_demo(
        settings.db_url, employers=2, employees=3, seed=11, vault=Vault.for_settings(settings)
    )
    return settings


def employer_ids(settings: Settings) -> list[int]:
    with transaction(settings.db_url) as session:
        return list(session.scalars(select(Employer.id).order_by(Employer.id)))


async def test_a_pay_run_signs_employer_and_run_webhooks_exactly_once(
    hooks: Hooks, payrun_home: Path
) -> None:
    settings = seeded(payrun_home, webhook_url=hooks.url("ops"), webhook_secret=SECRET)
    first, second = employer_ids(settings)
    with transaction(settings.db_url) as session:
        session.execute(
            update(Employer).where(Employer.id == first).values(webhook_url=hooks.url("acme"))
        )

    run_id = await pay_one_run(settings)

    assert all(signed for *_, signed in hooks.received)
    ops, acme = hooks.keys("ops"), hooks.keys("acme")
    assert ops == Counter(
        {
            f"{run_id}-{first}-employer.paid": 1,
            f"{run_id}-{second}-employer.paid": 1,
            f"{run_id}-run.completed": 1,
        }
    )
    assert acme == Counter({f"{run_id}-{first}-employer.paid": 1})
    run_notice = next(b for p, _, b, _ in hooks.received if b["event"] == "run.completed")
    assert run_notice["payload"] == {
        "event": "run.completed",
        "run_id": run_id,
        "employer_id": None,
    }

    # A bank return for the employer with its own webhook reaches it and the operator, once each.
    paid = describe_paid_run(settings, run_id, employer_id=first)
    data = return_file(paid, [Returned("R01", paid.credits[0])])
    ctx = build_context(settings)
    process_returns(ctx, data)
    process_returns(ctx, data)
    assert hooks.events("acme")["paycheck.returned"] == 1
    assert hooks.events("ops")["paycheck.returned"] == 1


class Mailbox:
    """aiosmtpd handler: (recipients, message) of every message handed over."""

    def __init__(self) -> None:
        self.messages: list[tuple[tuple[str, ...], bytes]] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.messages.append((tuple(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def test_email_goes_to_the_operator_and_to_the_employers_address(
    smtp: tuple[Mailbox, int], payrun_home: Path
) -> None:
    mailbox, port = smtp
    settings = seeded(
        payrun_home,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_from="payroll@payrun.test",
        notify_email="ops@payrun.test, audit@payrun.test",
    )
    first, _ = employer_ids(settings)
    with transaction(settings.db_url) as session:
        session.execute(
            update(Employer).where(Employer.id == first).values(notify_email="hr@acme.test")
        )
    notifier = build_notifier(settings)
    assert notifier is not None

    notifier.send(Notification("k-1", "employer.paid", "Paid", "3 paid", {"employer_id": first}))
    notifier.send(Notification("k-2", "run.completed", "Done", "ok", {"employer_id": None}))

    assert sorted(to for to, _ in mailbox.messages) == [
        ("hr@acme.test",),
        ("ops@payrun.test", "audit@payrun.test"),
        ("ops@payrun.test", "audit@payrun.test"),
    ]


def test_nothing_configured_means_no_notifier(payrun_home: Path) -> None:
    assert build_notifier(Settings(home=payrun_home)) is None


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"webhook_url": "http://127.0.0.1:9/x"}, "webhook_secret"),
        ({"webhook_url": "ftp://hooks", "webhook_secret": "s"}, "webhook_url"),
        ({"smtp_host": "127.0.0.1"}, "smtp_from"),
        ({"notify_email": "ops@payrun.test"}, "smtp_host"),
    ],
)
def test_half_a_configuration_is_refused_naming_the_field(
    payrun_home: Path, settings: dict[str, str], field: str
) -> None:
    with pytest.raises(InvalidInput, match=f"^{field}: "):
        build_notifier(Settings(home=payrun_home, **settings))
