"""Pay runs under an Idempotency-Key, and voiding a paycheck (its YTD taken out once)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from payrun.adapters.db.engine import reading, transaction
from payrun.adapters.db.models import Employee, Paycheck, PaycheckDetail, PayRun, YtdAccumulator
from payrun.services.context import utc_now
from tests.integration.api.conftest import EMPLOYEE_BODY, Api, assert_problem, employer_body, once


def _employer(api: Api, headers: dict[str, str]) -> int:
    employer = api.client.post("/v1/employers", json=employer_body(), headers=headers).json()
    api.client.post(
        f"/v1/employers/{employer['id']}/employees", json=EMPLOYEE_BODY, headers=headers
    )
    return int(employer["id"])


def test_the_same_key_and_body_start_one_run_and_another_body_is_409(api: Api) -> None:
    admin = api.as_key(api.key("admin"))
    employer_id = _employer(api, admin)
    body = {"employer_ids": [employer_id], "period_start": "2025-12-28"}
    keyed = {**admin, "Idempotency-Key": "payroll-2026-01"}
    first = api.client.post("/v1/payruns", json=body, headers=keyed)
    again = api.client.post("/v1/payruns", json=dict(reversed(body.items())), headers=keyed)
    assert first.status_code == again.status_code == 202
    assert (
        first.json()["id"] == again.json()["id"] == "payrun-biweekly-2025-12-28-2025-12-28-regular"
    )
    other = api.client.post(
        "/v1/payruns", json={**body, "period_start": "2026-01-11"}, headers=keyed
    )
    assert_problem(other, 409, "idempotency_key_reused", "Idempotency-Key")
    with reading(api.settings.db_url) as session:
        runs = session.scalars(select(PayRun)).all()
    assert [r.id for r in runs] == [first.json()["id"]]
    assert {r.run_id for r in api.temporal.runs} == {first.json()["id"]}  # one workflow id
    missing = api.client.post("/v1/payruns", json=body, headers=admin)
    assert_problem(missing, 422, "idempotency_key_required", "Idempotency-Key")


def test_a_run_of_a_period_still_going_is_409_for_a_new_key(api: Api) -> None:
    admin = api.as_key(api.key("admin"))
    employer_id = _employer(api, admin)
    body = {"employer_ids": [employer_id], "period_start": "2025-12-28"}
    assert (
        api.client.post(
            "/v1/payruns", json=body, headers={**admin, "Idempotency-Key": "a"}
        ).status_code
        == 202
    )
    again = api.client.post("/v1/payruns", json=body, headers={**admin, "Idempotency-Key": "b"})
    assert_problem(again, 409, "conflict", "period_start")


def test_voiding_an_unpaid_paycheck_takes_it_out_of_ytd_once(api: Api) -> None:
    admin = api.as_key(api.key("admin"))
    employer_id = _employer(api, admin)
    started = api.client.post(
        "/v1/payruns",
        json={"employer_ids": [employer_id], "period_start": "2025-12-28"},
        headers={**admin, "Idempotency-Key": "k"},
    ).json()
    with transaction(api.settings.db_url) as session:
        run = session.get(PayRun, started["id"])
        run.status = "COMPLETED"
        check = Paycheck(
            idempotency_key="regular-1-1",
            run_id=run.id,
            employer_id=employer_id,
            employee_id=1,
            pay_period_id=run.pay_period_id,
            kind="regular",
            pay_date=date(2026, 1, 16),
            status="CALCULATED",
            gross_cents=250000,
            employee_taxes_cents=50000,
            employer_taxes_cents=20000,
            deductions_cents=0,
            net_cents=200000,
            created_at=utc_now(),
        )
        session.add(check)
        session.flush()
        # YTD before this paycheck: 1,000.00 gross; the paycheck added 2,500.00 (3,500.00 after)
        session.add(
            PaycheckDetail(
                paycheck_id=check.id,
                lines=[],
                ytd_after={"gross": 350000},
                ytd_delta={"gross": 250000, "net_pay": 200000},
            )
        )
        session.add(
            YtdAccumulator(
                employee_id=1,
                year=2026,
                amounts={"gross": 350000, "net_pay": 280000},
                last_paycheck_id=check.id,
            )
        )
        check_id = check.id
    shown = api.client.get(f"/v1/paychecks/{check_id}", headers=admin).json()
    assert (shown["gross"], shown["net_pay"], shown["status"]) == (
        "2500.00",
        "2000.00",
        "CALCULATED",
    )
    for action in ("void", "reverse"):  # they move money: never without a key
        keyless = api.client.post(f"/v1/paychecks/{check_id}/{action}", headers=admin)
        assert_problem(keyless, 422, "idempotency_key_required", "Idempotency-Key")
    assert api.client.get(f"/v1/paychecks/{check_id}", headers=admin).json()["status"] == (
        "CALCULATED"
    )
    first = api.client.post(f"/v1/paychecks/{check_id}/void", headers=once(admin))
    second = api.client.post(f"/v1/paychecks/{check_id}/void", headers=once(admin))
    assert first.json() == {"paycheck_id": check_id, "status": "VOIDED", "changed": True}
    assert second.json() == {"paycheck_id": check_id, "status": "VOIDED", "changed": False}
    with reading(api.settings.db_url) as session:
        ytd = session.scalars(select(YtdAccumulator)).one()
    assert ytd.amounts == {"gross": 100000, "net_pay": 80000}  # 3,500 - 2,500; 2,800 - 2,000
    reversed_ = api.client.post(f"/v1/paychecks/{check_id}/reverse", headers=once(admin))
    assert_problem(reversed_, 409, "conflict", "status")


def test_a_preview_calculates_every_paycheck_and_blocker_and_writes_nothing(api: Api) -> None:
    admin = api.as_key(api.key("admin"))
    employer_id = _employer(api, admin)  # Ana: $65,000 a year, $2,500.00 a biweekly period
    for number in (2, 3):
        other = {**EMPLOYEE_BODY, "external_id": f"E{number}"}
        api.client.post(f"/v1/employers/{employer_id}/employees", json=other, headers=admin)
    with transaction(api.settings.db_url) as session:  # rows as an old import left them
        session.get(Employee, 2).bank_account_last4 = ""
        session.get(Employee, 3).profile = {"w4": {"filing_status": "bogus"}}
    before = _written(api)
    body = {"employer_ids": [employer_id], "period_start": "2025-12-28", "preview": True}
    response = api.client.post("/v1/payruns", json=body, headers=admin)  # no key needed
    assert response.status_code == 200, response.text
    preview = response.json()
    assert (preview["period_start"], preview["pay_date"]) == ("2025-12-28", "2026-01-16")
    [ana] = preview["paychecks"]
    assert ana["employee_id"] == 1 and ana["gross"] == "2500.00"
    assert preview["totals"]["gross"] == "2500.00" and preview["employees"] == 1
    codes = [(b["employee_id"], b["code"]) for b in preview["blockers"]]
    assert codes == [
        (2, "missing_bank_account"),
        (3, "calculation_error"),
        (None, "employer_on_hold"),  # the default policy: one failed employee holds them all
    ]
    assert "employee.w4.filing_status" in preview["blockers"][1]["detail"]
    assert _written(api) == before
    assert api.temporal.runs == []


def _written(api: Api) -> tuple[int, ...]:
    from sqlalchemy import func

    from payrun.adapters.db.models import ApiRequest, YtdAccumulator

    with reading(api.settings.db_url) as session:
        return tuple(
            session.scalar(select(func.count()).select_from(table)) or 0
            for table in (Paycheck, PayRun, ApiRequest, YtdAccumulator)
        )


def test_a_run_recorded_while_temporal_was_down_starts_when_the_request_is_sent_again(
    api: Api,
) -> None:
    admin = api.as_key(api.key("admin"))
    employer_id = _employer(api, admin)
    body = {"employer_ids": [employer_id], "period_start": "2025-12-28"}
    keyed = {**admin, "Idempotency-Key": "while-down"}

    async def refuse(_: object) -> None:
        raise RuntimeError("Temporal unavailable")

    working = api.temporal.start_run
    api.temporal.start_run = refuse  # type: ignore[method-assign]
    down = api.client.post("/v1/payruns", json=body, headers=keyed)
    assert assert_problem(down, 503, "temporal_unavailable")["retryable"] is True
    api.temporal.start_run = working  # type: ignore[method-assign]
    again = api.client.post("/v1/payruns", json=body, headers=keyed)
    assert again.status_code == 202
    assert [r.run_id for r in api.temporal.runs] == [again.json()["id"]]


def test_an_off_cycle_run_pays_only_its_earnings_to_employees_of_its_employers(api: Api) -> None:
    admin = api.as_key(api.key("admin"))
    employer_id = _employer(api, admin)  # employee 1
    other = api.client.post("/v1/employers", json=employer_body("55-5555555"), headers=admin)
    api.client.post(
        f"/v1/employers/{other.json()['id']}/employees",
        json={**EMPLOYEE_BODY, "external_id": "X1"},
        headers=admin,
    )  # employee 2, of the other employer
    body = {"employer_ids": [employer_id], "period_start": "2025-12-28", "kind": "off_cycle"}
    keyed = {**admin, "Idempotency-Key": "bonus"}
    none = api.client.post("/v1/payruns", json=body, headers=keyed)
    assert_problem(none, 422, "invalid_input", "earnings")
    stranger = {**body, "earnings": {"2": {"bonus": "100.00"}}}
    refused = api.client.post("/v1/payruns", json=stranger, headers=keyed)
    assert_problem(refused, 422, "invalid_input", "earnings.2")
    float_bonus = {**body, "earnings": {"1": {"bonus": 100.0}}}
    assert_problem(
        api.client.post("/v1/payruns", json=float_bonus, headers=keyed),
        422,
        "invalid_input",
        "earnings.1.bonus",
    )
    started = api.client.post(
        "/v1/payruns", json={**body, "earnings": {"1": {"bonus": "100.00"}}}, headers=keyed
    )
    assert started.status_code == 202
    assert started.json()["id"].startswith("payrun-biweekly-2025-12-28-2025-12-28-offcycle-")
    [run] = api.temporal.runs
    assert run.kind.startswith("offcycle-") and run.earnings == {"1": {"bonus": "100.00"}}
