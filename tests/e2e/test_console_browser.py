"""The console in headless Chromium (Debian's `chromium`, driven by Playwright) against a real
`payrun api` process with its embedded Temporal and worker: log in, start a run, watch it reach
100%, open an employee's history, resolve a dead letter; a viewer has no resolve button.
Screenshots go to $PAYRUN_TEST_OUTPUT/console (default test-output/console)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from payrun.adapters.crypto import Vault
from payrun.adapters.db.engine import migrate, transaction
from payrun.adapters.db.models import DeadLetter, Employee, Employer, PaySchedule
from payrun.adapters.db.unit_of_work import SqlUnitOfWork
from payrun.config import Settings
from payrun.services.api_keys import CreateKey, create_key
from payrun.services.context import utc_now
from payrun.services.seed import seed_demo

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
SHOTS = Path(os.environ.get("PAYRUN_TEST_OUTPUT", "test-output")) / "console"

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip(
        "no chromium: `make test` installs Debian's chromium when run as root",
        allow_module_level=True,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(payrun_home: Path) -> Iterator[tuple[str, Settings, dict[str, str]]]:
    settings = Settings(home=payrun_home)
    migrate(settings.db_url)
    seed_demo(settings.db_url, employers=3, employees=6, seed=5, vault=Vault.for_settings(settings))
    now = datetime.now(UTC)
    with transaction(settings.db_url) as s:
        employer = s.scalars(select(Employer).order_by(Employer.id)).first()
        assert employer is not None
        schedule = s.get(PaySchedule, employer.schedule_id)
        assert schedule is not None
        employee = s.scalars(select(Employee).where(Employee.employer_id == employer.id)).first()
        assert employee is not None
        for step in ("time_entry", "taxes"):  # one for the operator to skip, one left open
            s.add(DeadLetter(run_id="payrun-earlier", employer_id=employer.id,
                             employee_id=employee.id, step=step, error_type="validation",
                             error=f"{step}: rejected", first_failed_at=now,
                             last_failed_at=now))  # fmt: skip
    keys = {
        role: create_key(SqlUnitOfWork(settings.db_url), CreateKey(role), utc_now()).key
        for role in ("operator", "viewer")
    }
    keys["schedule"] = schedule.name
    port = _free_port()
    env = {
        **os.environ,
        "PAYRUN_HOME": str(payrun_home),
        "PAYRUN_API_PORT": str(port),
        "PAYRUN_TEMPORAL_PORT": str(_free_port()),
        "PAYRUN_TEMPORAL_UI_PORT": str(_free_port()),
        "PAYRUN_CHUNK_SIZE": "4",
    }
    log = (payrun_home / "api.log").open("w")
    api = subprocess.Popen(
        [sys.executable, "-m", "payrun.entrypoints.cli", "api"],
        env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert api.poll() is None, (payrun_home / "api.log").read_text()
            try:
                if httpx.get(f"{base}/console/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "payrun api did not start"
            time.sleep(0.3)
        yield base, settings, keys
    finally:
        api.terminate()
        try:
            api.wait(30)
        except subprocess.TimeoutExpired:
            api.kill()


def test_console_in_chromium(served) -> None:  # type: ignore[no-untyped-def]
    base, _, keys = served
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        expect = sync_api.expect
        page.set_default_timeout(30_000)

        def login(key: str) -> None:
            page.goto(f"{base}/console/login")
            page.fill("input[name=api_key]", key)
            page.click("button[type=submit]")
            expect(page.get_by_role("heading", name="Pay runs")).to_be_visible()

        login(keys["operator"])
        page.fill("input[name=schedule]", keys["schedule"])
        page.click("text=Start pay run")
        expect(page.locator("#run-percent")).to_have_text("100%", timeout=180_000)
        expect(page.locator(".run-head .status")).to_have_text("COMPLETED")
        page.screenshot(path=str(SHOTS / "1-run-complete.png"), full_page=True)

        page.locator("#progress table a").first.click()
        page.locator("table a").first.click()  # the first employee of that employer
        expect(page.get_by_role("heading", name="Status history")).to_be_visible()
        expect(page.locator("ol.steps").first).to_contain_text("paid")
        expect(page.locator("text=stub").first).to_be_visible()
        page.screenshot(path=str(SHOTS / "2-employee-history.png"), full_page=True)

        page.goto(f"{base}/console/dead-letters")
        expect(page.locator("tbody tr")).to_have_count(2)
        row = page.locator("tbody tr", has_text="time_entry: rejected")
        row.locator("input[name=reason]").fill("entered twice")
        row.locator("button.resolve-skip").click()
        expect(page.locator("tbody tr")).to_have_count(1)
        expect(page.locator("tbody")).not_to_contain_text("time_entry: rejected")
        page.screenshot(path=str(SHOTS / "3-dead-letter-resolved.png"), full_page=True)

        page.click("text=Log out")
        login(keys["viewer"])
        page.goto(f"{base}/console/dead-letters")
        expect(page.locator("tbody")).to_contain_text("taxes: rejected")
        expect(page.locator("button.resolve-skip")).to_have_count(0)
        expect(page.locator("button.resolve-retry")).to_have_count(0)
        page.screenshot(path=str(SHOTS / "4-viewer-no-resolve.png"), full_page=True)
        browser.close()
