"""Every endpoint x every role x in and out of employer scope, each cell asserted; and every
endpoint refuses a missing, malformed, unknown, revoked or expired key with 401."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, text, update

from payrun.adapters.db.engine import make_engine, transaction
from payrun.adapters.db.models import ApiKey, DeadLetter, Paycheck, PayRun, RecoveryCase
from payrun.services.context import utc_now
from payrun.services.messages import PayRunInput
from tests.integration.api.conftest import ROUTING, Api, RecordingTemporal, employer_body

ROLES = ("viewer", "operator", "admin")
RANK = {role: rank for rank, role in enumerate(ROLES)}
_serial = itertools.count(1)


class FinishingTemporal(RecordingTemporal):
    """Records a started run and marks it finished, as a pay run that found nothing to do."""

    db_url: str = ""

    async def start_run(self, inp: PayRunInput) -> None:
        await super().start_run(inp)
        with transaction(self.db_url) as session:
            session.execute(
                update(PayRun).where(PayRun.id == inp.run_id).values(status="COMPLETED")
            )


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # formatted with the world's ids of employer A or B
    role: str  # the least role that may call it
    kind: str  # target: about one employer; list; create (unscoped only); global (unscoped only)
    ok: int  # the status of an allowed call
    body: Callable[[dict[str, Any]], Any] | None = None
    headers: Callable[[], dict[str, str]] | None = None


def _employee(ids: dict[str, Any]) -> dict[str, Any]:
    return {
        "external_id": f"M{next(_serial)}",
        "first_name": "Mia",
        "last_name": "Park",
        "ssn": "123-45-6789",
        "work_state": "CA",
        "hire_date": "2024-01-02",
        "pay": {"salary": "52000.00"},
        "bank_account": {"routing": ROUTING, "account": "55554444", "type": "checking"},
        "employee": {"w4": {"filing_status": "single"}},
    }


def _ein(_: dict[str, Any]) -> dict[str, Any]:
    return employer_body(ein=f"77-{next(_serial):07d}")


def _key() -> dict[str, str]:
    return {"Idempotency-Key": f"matrix-{next(_serial)}"}


ENDPOINTS = (
    Endpoint("GET", "/v1/employers", "viewer", "list", 200),
    Endpoint("POST", "/v1/employers", "admin", "create", 201, _ein),
    Endpoint("GET", "/v1/employers/{employer}", "viewer", "target", 200),
    Endpoint(
        "PATCH", "/v1/employers/{employer}", "admin", "target", 200, lambda _: {"name": "Renamed"}
    ),
    Endpoint("POST", "/v1/employers/{employer}/employees", "operator", "target", 201, _employee),
    Endpoint("GET", "/v1/employers/{employer}/employees", "viewer", "target", 200),
    Endpoint(
        "PATCH",
        "/v1/employers/{employer}/employees/{employee}",
        "operator",
        "target",
        200,
        lambda _: {"last_name": "Park-Lee"},
    ),
    Endpoint("GET", "/v1/employees/{employee}", "viewer", "target", 200),
    Endpoint(
        "POST",
        "/v1/employers/{employer}/time-entries",
        "operator",
        "target",
        200,
        lambda ids: [{"employee_id": ids["employee"], "date": "2026-01-05", "hours": "8"}],
    ),
    Endpoint(
        "POST",
        "/v1/payruns",
        "operator",
        "target",
        202,
        lambda ids: {"employer_ids": [ids["employer"]], "period_start": ids["period"]},
        _key,
    ),
    Endpoint("GET", "/v1/payruns", "viewer", "list", 200),
    Endpoint("GET", "/v1/payruns/{run}", "viewer", "target", 200),
    Endpoint("GET", "/v1/paychecks", "viewer", "list", 200),
    Endpoint("GET", "/v1/paychecks/{paycheck}", "viewer", "target", 200),
    Endpoint("POST", "/v1/paychecks/{paycheck}/void", "operator", "target", 200, None, _key),
    Endpoint(  # unpaid: nothing to reverse
        "POST", "/v1/paychecks/{paycheck}/reverse", "operator", "target", 409, None, _key
    ),
    Endpoint("GET", "/v1/dead-letters", "viewer", "list", 200),
    Endpoint("GET", "/v1/dead-letters/{letter}", "viewer", "target", 200),
    Endpoint(
        "POST",
        "/v1/dead-letters/{letter}/resolve",
        "operator",
        "target",
        202,
        lambda _: {"resolution": "retry"},
        _key,
    ),
    Endpoint(
        "POST",
        "/v1/dead-letters/resolve",
        "operator",
        "list",
        202,
        lambda _: {"resolution": "retry", "error_type": "validation"},
        _key,
    ),
    Endpoint("GET", "/v1/recovery-cases", "viewer", "list", 200),
    Endpoint("GET", "/v1/recovery-cases/{case}", "viewer", "target", 200),
    Endpoint(
        "POST",
        "/v1/recovery-cases/{case}/resolve",
        "operator",
        "target",
        409,  # the world's cases are resolved already: allowed, but nothing left to decide
        lambda _: {"action": "write_off"},
        _key,
    ),
    Endpoint("GET", "/v1/schedules/{schedule}", "viewer", "global", 200),
    Endpoint("POST", "/v1/schedules/{schedule}/pause", "admin", "global", 200),
    Endpoint("POST", "/v1/schedules/{schedule}/resume", "admin", "global", 200),
)


def _world(api: Api) -> dict[str, dict[str, Any]]:
    """Employers A and B, each with an employee, a finished run, a paycheck, a dead letter and
    a (resolved) recovery case."""
    admin = api.as_key(api.key("admin"))
    world: dict[str, dict[str, Any]] = {}
    for name, ein, start in (("A", "11-1111111", "2025-12-28"), ("B", "22-2222222", "2025-12-21")):
        body = employer_body(
            ein=ein, pay_schedule={"frequency": "weekly", "first_period_start": start}
        )
        employer = api.client.post("/v1/employers", json=body, headers=admin).json()
        employee = api.client.post(
            f"/v1/employers/{employer['id']}/employees", json=_employee({}), headers=admin
        ).json()
        run = api.client.post(
            "/v1/payruns",
            json={"employer_ids": [employer["id"]], "period_start": start},
            headers={**admin, **_key()},
        ).json()
        world[name] = {
            "employer": employer["id"],
            "employee": employee["id"],
            "run": run["id"],
            "period": start,
            "schedule": employer["pay_schedule"]["name"],
        }
    with transaction(api.settings.db_url) as session:
        for ids in world.values():
            run = session.get(PayRun, ids["run"])
            check = Paycheck(
                idempotency_key=f"regular-{run.pay_period_id}-{ids['employee']}",
                run_id=run.id,
                employer_id=ids["employer"],
                employee_id=ids["employee"],
                pay_period_id=run.pay_period_id,
                kind="regular",
                pay_date=date(2026, 1, 9),
                status="CALCULATED",
                gross_cents=100000,
                employee_taxes_cents=20000,
                employer_taxes_cents=8000,
                deductions_cents=0,
                net_cents=80000,
                created_at=utc_now(),
            )
            letter = DeadLetter(
                run_id=run.id,
                employer_id=ids["employer"],
                employee_id=ids["employee"],
                step="net_pay",
                error_type="validation",
                error="negative net pay",
                first_failed_at=utc_now(),
                last_failed_at=utc_now(),
            )
            case = RecoveryCase(
                idempotency_key=f"return-{run.id}-{ids['employer']}",
                employer_id=ids["employer"],
                run_id=run.id,
                payment_id=1,
                return_code="R02",
                original_trace="021000020000001",
                amount_cents=80000,
                status="RESOLVED",
                resolution="write-off",
                redebits=0,
                created_at=utc_now(),
                resolved_at=utc_now(),
            )
            session.add_all([check, letter, case])
            session.flush()
            ids["paycheck"], ids["letter"], ids["case"] = check.id, letter.id, case.id
    return world


def _expected(endpoint: Endpoint, role: str, scope: str) -> int:
    """scope: 'all' (an unscoped key), 'in' (key limited to A, target A), 'out' (target B)."""
    if RANK[role] < RANK[endpoint.role]:
        return 403
    if scope != "all" and endpoint.kind == "create":
        return 403
    if scope != "all" and endpoint.kind == "global":
        return 404
    if scope == "out" and endpoint.kind == "target":
        return 404
    return endpoint.ok


def _call(api: Api, endpoint: Endpoint, key: str, ids: dict[str, Any]) -> Any:
    headers = {**api.as_key(key), **(endpoint.headers() if endpoint.headers else {})}
    body = endpoint.body(ids) if endpoint.body else None
    return api.client.request(
        endpoint.method, endpoint.path.format(**ids), json=body, headers=headers
    )


def test_every_endpoint_role_and_scope_gets_its_status(api: Api) -> None:
    temporal = FinishingTemporal()
    temporal.db_url = api.settings.db_url
    api.client.app.state.temporal = temporal  # type: ignore[attr-defined]
    world = _world(api)
    a_only = world["A"]["employer"]
    failures = []
    for role in ROLES:
        keys = {
            "all": api.key(role),
            "in": api.key(role, (a_only,)),
            "out": api.key(role, (a_only,)),
        }
        for endpoint, scope in itertools.product(ENDPOINTS, ("all", "in", "out")):
            ids = world["B" if scope == "out" else "A"]
            response = _call(api, endpoint, keys[scope], ids)
            wanted = _expected(endpoint, role, scope)
            if response.status_code != wanted:
                failures.append(
                    (endpoint.method, endpoint.path, role, scope, wanted, response.status_code)
                )
            elif endpoint.kind == "list" and wanted == 200 and scope != "all":
                assert world["B"]["employer"] not in _employer_ids(response.json())
    assert failures == []


def _employer_ids(page: dict[str, Any]) -> set[int]:
    """The employers a listed page shows (employers by id, runs by their employer_ids)."""
    seen: set[int] = set()
    for item in page.get("items", []):
        if "employer_ids" in item:
            seen.update(item["employer_ids"])
        else:
            seen.add(item.get("employer_id", item.get("id")))
    return seen


def test_every_endpoint_refuses_missing_malformed_unknown_revoked_and_expired_keys(
    api: Api,
) -> None:
    world = _world(api)["A"]
    revoked, expired = api.key("admin"), api.key("admin", expires="1h")
    with transaction(api.settings.db_url) as session:
        session.execute(
            update(ApiKey).where(ApiKey.prefix == revoked[4:16]).values(revoked_at=utc_now())
        )
    with make_engine(api.settings.db_url).begin() as conn:
        conn.execute(
            text("UPDATE api_keys SET expires_at = '2020-01-01 00:00:00' WHERE prefix = :p"),
            {"p": expired[4:16]},
        )
    bad = {
        "missing": {},
        "malformed": {"Authorization": "Token abc"},
        "unknown": {"Authorization": "Bearer prk_0123456789ab_" + "x" * 43},
        "revoked": api.as_key(revoked),
        "expired": api.as_key(expired),
    }
    failures = []
    for endpoint, (name, headers) in itertools.product(ENDPOINTS, bad.items()):
        body = endpoint.body(world) if endpoint.body else None
        response = api.client.request(
            endpoint.method, endpoint.path.format(**world), json=body, headers=headers
        )
        if response.status_code != 401:
            failures.append((endpoint.method, endpoint.path, name, response.status_code))
    assert failures == []
    with transaction(api.settings.db_url) as session:
        assert session.scalar(select(ApiKey.id).where(ApiKey.prefix == revoked[4:16])) is not None
