"""Events in: store each once, then compute the employer's deposits and returns from all it
has received, and name the filing workflows whose state changed (routes)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from typing import Any

from payrun.domain.errors import InvalidInput
from payrun.filings import keys as k
from payrun.filings import ledger
from payrun.filings.messages import FilingState, Route
from payrun.filings.rules import Liability, Obligation
from payrun.filings.rules.calendar import quarter_end, quarter_of, quarter_start, return_due
from payrun.filings.rules.california import california_obligations, ui_ett_obligations
from payrun.filings.rules.federal import federal_obligations, federal_schedule, futa_obligations
from payrun.filings.rules.returns import TaxLine, federal_liability_by_pay_date
from payrun.filings.store import FilingsStore
from payrun.filings.tables import deposit_rules

WORKFLOW_OF = {
    k.FEDERAL_DEPOSIT: "FederalDepositWorkflow",
    k.FUTA_DEPOSIT: "FederalDepositWorkflow",
    k.FORM_941: "Form941Workflow",
    k.DE_9: "De9Workflow",
    k.FORM_940: "Form940Workflow",
}


def ca_workflow(impound: bool) -> str:
    """WAIT_FOR_DEBITS only when payroll collects the money from the employer first."""
    return "CaliforniaDepositWorkflow" if impound else "CaliforniaDirectDepositWorkflow"


def receive(store: FilingsStore, envelopes: Sequence[dict[str, Any]]) -> list[Route]:
    """Store each event once (by its id) and return the routes of what changed."""
    touched: set[tuple[int, int]] = set()
    for envelope in envelopes:
        kind, event = envelope.get("type"), dict(envelope.get("event") or {})
        employer_id = int(event["employer_id"])
        if kind == "EmployerEnrolled":
            year = int(event["year"])
            profile = _profile(store, employer_id, year)
            store.put(
                k.employer_pk(employer_id),
                f"YEAR#{year}",
                "profile",
                {**event, "closed": profile["closed"]},
                employer_id=employer_id,
            )
        elif kind == "TaxLiabilityRecorded":
            year = date.fromisoformat(event["pay_date"]).year
            if not _newer_revision(store, k.year_pk(employer_id, year), event):
                continue
        elif kind == "FundingDebitSettled":
            year = int(event["year"])
            if not store.put_new(
                k.year_pk(employer_id, year),
                f"DEBIT#{event['payment_id']}",
                "debit",
                event,
                employer_id=employer_id,
            ):
                continue
        elif kind == "QuarterClosed":
            year = int(event["year"])
            profile = _profile(store, employer_id, year)
            if int(event["quarter"]) in profile["closed"]:
                continue
            profile["closed"] = sorted({*profile["closed"], int(event["quarter"])})
            store.put(
                k.employer_pk(employer_id),
                f"YEAR#{year}",
                "profile",
                profile,
                employer_id=employer_id,
            )
        else:
            raise InvalidInput("type", f"unknown event type {kind!r}")
        touched.add((employer_id, year))
    return [route for e, y in sorted(touched) for route in routes_for(store, e, y)]


def _newer_revision(store: FilingsStore, pk: str, event: dict[str, Any]) -> bool:
    """Keep the event unless one of the same pay run, tax and pay date with at least its
    revision is already stored (a redrive re-sends the run's totals with a higher one)."""
    sk = f"EVENT#{event['event_id']}"
    known = store.get(pk, sk)
    if known is not None and int(known.get("revision", 1)) >= int(event.get("revision", 1)):
        return False
    store.put(pk, sk, "event", event, employer_id=int(event["employer_id"]))
    return True


def _profile(store: FilingsStore, employer_id: int, year: int) -> dict[str, Any]:
    found = store.get(k.employer_pk(employer_id), f"YEAR#{year}")
    default = {
        "employer_id": employer_id,
        "year": year,
        "lookback_tax_cents": 0,
        "tax_impound": True,
        "closed": [],
        "ein": "",
        "name": "",
        "state_account": "",
    }
    return {**default, **(found or {})}


def tax_lines(events: Sequence[dict[str, Any]]) -> list[TaxLine]:
    return [
        TaxLine(
            e["tax"],
            date.fromisoformat(e["pay_date"]),
            e["wages_cents"],
            e["taxable_wages_cents"],
            e["withheld_cents"],
            e["employer_cents"],
            e["employee_count"],
        )
        for e in events
    ]


def employer_events(store: FilingsStore, employer_id: int, year: int) -> list[dict[str, Any]]:
    return store.query(k.year_pk(employer_id, year), "EVENT#")


Candidate = tuple[str, Obligation, dict[str, int]]


def _candidates(store: FilingsStore, employer_id: int, year: int) -> list[Candidate]:
    profile = _profile(store, employer_id, year)
    events = employer_events(store, employer_id, year)
    lines = tax_lines(events)
    rules = deposit_rules(year)
    schedule = federal_schedule(int(profile["lookback_tax_cents"]), rules)
    federal = federal_liability_by_pay_date(lines)
    fed = federal_obligations(schedule, [Liability(d, c) for d, c in federal.items()], rules)
    ca: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for line in lines:
        if line.tax in ("CA_PIT", "CA_SDI"):
            ca[line.pay_date][0] += line.withheld_cents
            if line.tax == "CA_PIT":
                ca[line.pay_date][1] += line.withheld_cents
    ca_obs = california_obligations(
        fed, [Liability(d, c, pit_cents=p) for d, (c, p) in ca.items()], rules
    )
    out: list[Candidate] = [
        (k.FEDERAL_DEPOSIT, o, {d.isoformat(): federal[d] for d in o.pay_dates}) for o in fed
    ]
    out += [(k.CA_DEPOSIT, o, {d.isoformat(): ca[d][0] for d in o.pay_dates}) for o in ca_obs]
    closed = [int(q) for q in profile["closed"]]
    futa = {
        q: sum(x.employer_cents for x in lines if x.tax == "FUTA" and quarter_of(x.pay_date) == q)
        for q in closed
    }
    out += [
        (k.FUTA_DEPOSIT, o, {f"Q{q}": futa[q] for q in closed if _within(q, o)})
        for o in futa_obligations(futa, year, rules)
    ]
    ui = {
        q: sum(
            x.employer_cents
            for x in lines
            if x.tax in ("CA_UI", "CA_ETT") and quarter_of(x.pay_date) == q
        )
        for q in closed
    }
    out += [
        (k.CA_UI_DEPOSIT, o, {f"Q{quarter_of(o.period_end)}": o.cents})
        for o in ui_ett_obligations({q: c for q, c in ui.items() if c}, year)
    ]
    for quarter in closed:
        in_quarter = [x for x in lines if quarter_of(x.pay_date) == quarter]
        end = quarter_end(year, quarter)
        period = Obligation(
            f"{year}Q{quarter}",
            "quarterly",
            quarter_start(year, quarter),
            end,
            return_due(end),
            0,
            (),
        )
        if any(x.tax == "FIT" for x in in_quarter):
            out.append((k.FORM_941, period, {}))
        if any(x.tax == "CA_PIT" for x in in_quarter):
            out.append((k.DE_9, period, {}))
        if quarter == 4 and lines:
            year_end = date(year, 12, 31)
            out.append(
                (
                    k.FORM_940,
                    Obligation(
                        f"{year}", "annual", date(year, 1, 1), year_end, return_due(year_end), 0, ()
                    ),
                    {},
                )
            )
    return out


def _within(quarter: int, ob: Obligation) -> bool:
    return quarter_of(ob.period_start) <= quarter <= quarter_of(ob.period_end)


def routes_for(store: FilingsStore, employer_id: int, year: int) -> list[Route]:
    """Every filing of the employer-year whose state differs from what was last routed,
    including a deposit whose liabilities moved to another (it is now empty)."""
    profile = _profile(store, employer_id, year)
    events = employer_events(store, employer_id, year)
    settled = {int(d["payment_id"]) for d in store.query(k.year_pk(employer_id, year), "DEBIT#")}
    payments_by_date: dict[str, set[int]] = defaultdict(set)
    for e in events:
        if e.get("funding_payment_id"):
            payments_by_date[e["pay_date"]].add(int(e["funding_payment_id"]))
    version = len(events) + len(settled) + len(profile["closed"])
    existing = {
        f["filing_id"]: f for f in store.by_index(k.FILING, employer_id) if f.get("year") == year
    }
    routes: list[Route] = []
    seen: set[str] = set()
    for filing_type, ob, units in _candidates(store, employer_id, year):
        fid = k.filing_id(employer_id, filing_type, ob.key)
        others, own = ledger.split(store, employer_id, year, filing_type, fid, units)
        seen.add(fid)
        payments = sorted(
            {p for d in ob.pay_dates for p in payments_by_date.get(d.isoformat(), set())}
        )
        state = FilingState(
            version=version,
            period=ob.key,
            period_start=ob.period_start.isoformat(),
            period_end=ob.period_end.isoformat(),
            due=ob.due.isoformat(),
            amount_cents=ob.cents,
            deposited_cents=others,
            deposited_self_cents=own,
            units=units,
            payment_ids=tuple(payments),
            settled_payment_ids=tuple(p for p in payments if p in settled),
            year=year,
            quarter=quarter_of(ob.period_start),
        )
        routes += _route_if_changed(
            store, existing.get(fid), fid, employer_id, filing_type, state, profile
        )
    for fid, item in existing.items():
        if fid not in seen and item["filing_type"] in k.DEPOSITS and item["state"]["amount_cents"]:
            empty = FilingState(
                **{
                    **item["state"],
                    "amount_cents": 0,
                    "version": version,
                    "payment_ids": (),
                    "units": {},
                    "settled_payment_ids": (),
                }
            )
            routes += _route_if_changed(
                store, item, fid, employer_id, item["filing_type"], empty, profile
            )
    return routes


def _route_if_changed(
    store: FilingsStore,
    item: dict[str, Any] | None,
    fid: str,
    employer_id: int,
    filing_type: str,
    state: FilingState,
    profile: dict[str, Any],
) -> list[Route]:
    as_dict = _plain(asdict(state))
    if item is not None and {**item["state"], "version": 0} == {**as_dict, "version": 0}:
        return []
    workflow = (
        ca_workflow(bool(profile["tax_impound"]))
        if filing_type in (k.CA_DEPOSIT, k.CA_UI_DEPOSIT)
        else WORKFLOW_OF[filing_type]
    )
    meta = {
        "filing_id": fid,
        "employer_id": employer_id,
        "filing_type": filing_type,
        "agency": k.AGENCY_OF[filing_type],
        "workflow": workflow,
        "year": state.year,
        "quarter": state.quarter,
        "period": state.period,
        "due": state.due,
        "ein": profile.get("ein", ""),
        "employer_name": profile.get("name", ""),
        "status": "pending",
        "reasons": [],
        "lines": {},
        "deposited_cents": state.deposited_self_cents,
        "ack_id": None,
        **(_keep(item) if item else {}),
        "state": as_dict,
        "amount_cents": state.amount_cents,
    }
    store.put(
        k.filing_pk(fid),
        "META",
        k.FILING,
        meta,
        employer_id=employer_id,
        status=meta["status"],
        due=date.fromisoformat(state.due),
    )
    return [Route(workflow, fid, employer_id, filing_type, k.AGENCY_OF[filing_type], state)]


def _keep(item: dict[str, Any]) -> dict[str, Any]:
    """What the workflows wrote, kept when the state is recomputed."""
    return {
        key: item[key]
        for key in ("status", "reasons", "lines", "ack_id", "employees", "liabilities")
        if key in item
    }


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(v) for key, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
