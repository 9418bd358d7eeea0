"""A filing's status, history and reconciliation, and what payroll is told about it."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from payrun.domain.errors import InvalidInput
from payrun.filings import keys as k
from payrun.filings import ledger
from payrun.filings.events import FilingUpdate
from payrun.filings.messages import ReturnCheck, StatusChange
from payrun.filings.rules.calendar import quarter_of
from payrun.filings.rules.federal import federal_schedule
from payrun.filings.rules.returns import (
    de_9,
    dollars,
    federal_liability_by_pay_date,
    form_940,
    form_941,
    monthly_liabilities,
    schedule_b,
)
from payrun.filings.service import employer_events, tax_lines
from payrun.filings.store import FilingsStore
from payrun.filings.tables import deposit_rules

STATUS_OF = {"opened": "pending", "blocked": "blocked", "submitted": "submitted"}
STATUS_OF |= {"filed": "filed", "rejected": "rejected"}


def filing(store: FilingsStore, filing_id: str) -> dict[str, Any]:
    item = store.get(k.filing_pk(filing_id), "META")
    if item is None:
        raise InvalidInput("filing_id", f"no filing {filing_id!r}")
    return item


def record_status(store: FilingsStore, change: StatusChange) -> FilingUpdate:
    """Write the new status and its history entry (once per sequence) and return the update
    payroll is sent. A filed deposit adds its amount to what was deposited, once."""
    item = filing(store, change.filing_id)
    status = STATUS_OF[change.status]
    entry = {
        "status": status,
        "at": change.at,
        "reason": change.reason,
        "resource": change.resource,
        "ack_id": change.ack_id,
    }
    new = store.put_new(
        k.filing_pk(change.filing_id),
        f"HISTORY#{change.at}#{change.sequence:05d}",
        "history",
        entry,
    )
    if new:
        item["status"] = status
        item["reasons"] = (
            [{"reason": change.reason, "resource": change.resource}] if change.reason else []
        )
        item["ack_id"] = change.ack_id or item.get("ack_id")
        if status == "filed" and item["filing_type"] in k.DEPOSITS:
            item["deposited_cents"] = int(item.get("deposited_cents", 0)) + change.amount_cents
            ledger.attribute(
                store,
                int(item["employer_id"]),
                int(item["year"]),
                item["filing_type"],
                change.filing_id,
                item["state"]["units"],
                change.amount_cents,
                change.sequence,
            )
        _save(store, item)
    return FilingUpdate(
        filing_id=change.filing_id,
        employer_id=int(item["employer_id"]),
        filing_type=item["filing_type"],
        update_type=change.status,
        at=change.at,
        sequence=change.sequence,
        period=item["period"],
        due=item["due"],
        amount_cents=int(item.get("amount_cents", 0)),
        ack_id=change.ack_id,
        reason=change.reason,
    )


def _save(store: FilingsStore, item: dict[str, Any]) -> None:
    data = {key: v for key, v in item.items() if not key.startswith("_")}
    store.put(
        k.filing_pk(item["filing_id"]),
        "META",
        k.FILING,
        data,
        employer_id=int(item["employer_id"]),
        status=item["status"],
        due=date.fromisoformat(item["due"]),
    )


def history(store: FilingsStore, filing_id: str) -> list[dict[str, Any]]:
    return [
        {key: v for key, v in h.items() if not key.startswith("_")}
        for h in store.query(k.filing_pk(filing_id), "HISTORY#")
    ]


def prepare_return(store: FilingsStore, filing_id: str) -> ReturnCheck:
    """Compute the return from the events and reconcile it with the deposits of its period.
    Not ready while one of those deposits is still on its way; unbalanced (-> blocked) when
    the return's liability and the deposits made differ."""
    item = filing(store, filing_id)
    employer_id, year, quarter = int(item["employer_id"]), int(item["year"]), int(item["quarter"])
    kind = item["filing_type"]
    events = employer_events(store, employer_id, year)
    in_period = [
        e
        for e in events
        if kind == k.FORM_940 or quarter_of(date.fromisoformat(e["pay_date"])) == quarter
    ]
    lines = tax_lines(in_period)
    deposits = [
        d
        for d in store.by_index(k.FILING, employer_id)
        if d["filing_type"] in k.DEPOSITS_OF_RETURN[kind]
        and int(d["year"]) == year
        and (kind == k.FORM_940 or int(d["quarter"]) == quarter)
    ]
    on_the_way = [
        d["filing_id"] for d in deposits if d["status"] in ("pending", "submitted") and _owes(d)
    ]
    types = k.DEPOSITS_OF_RETURN[kind]
    deposited = sum(
        int(d["cents"])
        for d in ledger.deposits(store, employer_id, year)
        if d["filing_type"] in types
        and (kind == k.FORM_940 or ledger.unit_quarter(str(d["unit"])) == quarter)
    )
    if kind == k.FORM_941:
        profile = store.get(k.employer_pk(employer_id), f"YEAR#{year}") or {}
        semiweekly = federal_schedule(
            int(profile.get("lookback_tax_cents", 0)), deposit_rules(year)
        ) == "semiweekly" or any(d["state"]["period"].startswith(("S", "N")) for d in deposits)
        figures = form_941(lines, deposited, semiweekly)
        by_day = federal_liability_by_pay_date(lines)
        liabilities = (
            schedule_b(by_day) if semiweekly else monthly_liabilities(by_day, year, quarter)
        )
        item["liabilities"] = {"schedule_b" if semiweekly else "line_16": liabilities}
        difference, amount = figures["12"] - figures["13"], figures["12"]
        balanced = difference == 0
    elif kind == k.DE_9:
        figures = de_9(lines, deposited)
        item["employees"] = de_9c(in_period)
        difference, amount = figures["J"], figures["H"]
        balanced = difference == 0
    else:
        profile = store.get(k.employer_pk(employer_id), f"YEAR#{year}") or {}
        figures = form_940(
            lines, deposited, Decimal(str(profile.get("futa_credit_reduction", "0")))
        )
        difference, amount = figures["12"] - figures["13"], figures["12"]
        balanced = (
            0 <= difference <= deposit_rules(year).futa_deposit_threshold_cents
        )  # paid with the return
    item["lines"], item["amount_cents"] = figures, amount
    _save(store, item)
    if on_the_way:
        return ReturnCheck(
            False, False, difference, f"waiting for deposits {', '.join(on_the_way)}", amount
        )
    reason = (
        None
        if balanced
        else f"return shows {dollars(amount)} but {dollars(deposited)} was deposited"
        f" (difference {dollars(difference)})"
    )
    return ReturnCheck(True, balanced, difference, reason, amount)


def _owes(deposit: dict[str, Any]) -> bool:
    state = deposit["state"]
    paid = state["deposited_cents"] + state.get("deposited_self_cents", 0)
    return bool(state["amount_cents"] > paid)


def de_9c(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each employee's quarter: subject wages, PIT wages, PIT withheld (cents)."""
    totals: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"subject_wages": 0, "pit_wages": 0, "pit_withheld": 0}
    )
    for event in events:
        if event["tax"] != "CA_PIT":
            continue
        for emp in event.get("employees", []):
            row = totals[int(emp["employee_id"])]
            row.update(
                employee_id=int(emp["employee_id"]), name=emp["name"], ssn_last4=emp["ssn_last4"]
            )
            row["subject_wages"] += emp["subject_wages_cents"]
            row["pit_wages"] += emp["pit_wages_cents"]
            row["pit_withheld"] += emp["pit_withheld_cents"]
    return [totals[e] for e in sorted(totals)]


def list_filings(
    store: FilingsStore, employer_id: int | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    if status is not None and status not in k.STATUSES:
        raise InvalidInput("status", f"must be one of {', '.join(k.STATUSES)}")
    return [summary(f) for f in store.by_index(k.FILING, employer_id, status)]


def summary(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": item["filing_id"],
        "employer_id": item["employer_id"],
        "type": item["filing_type"],
        "agency": item["agency"],
        "period": item["period"],
        "due": item["due"],
        "status": item["status"],
        "amount": dollars(int(item.get("amount_cents", 0))),
        "ack_id": item.get("ack_id"),
        "reasons": item.get("reasons", []),
    }


def show(store: FilingsStore, filing_id: str) -> dict[str, Any]:
    """The filing with its lines by form number (dollars, two decimals) and its history."""
    item = filing(store, filing_id)
    out = summary(item)
    out["deposited"] = dollars(int(item.get("deposited_cents", 0)))
    out["lines"] = {
        key: (v if key == "1" else dollars(int(v))) for key, v in item.get("lines", {}).items()
    }
    for name, values in item.get("liabilities", {}).items():
        out[name] = {key: dollars(int(v)) for key, v in values.items()}
    if "employees" in item:
        out["de_9c"] = [
            {
                "employee_id": e["employee_id"],
                "name": e["name"],
                "ssn_last4": e["ssn_last4"],
                "subject_wages": dollars(e["subject_wages"]),
                "pit_wages": dollars(e["pit_wages"]),
                "pit_withheld": dollars(e["pit_withheld"]),
            }
            for e in item["employees"]
        ]
    out["history"] = history(store, filing_id)
    return out
