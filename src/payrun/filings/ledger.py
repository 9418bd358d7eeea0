"""What was deposited for which liability: each filed deposit is attributed to the pay dates
(or quarters) it paid, so a liability that moves to another deposit is never paid twice."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from payrun.filings import keys as k
from payrun.filings.rules.calendar import quarter_of
from payrun.filings.store import FilingsStore


def unit_quarter(unit: str) -> int:
    """A unit is a pay date (ISO) or a quarter ("Q3")."""
    return int(unit[1:]) if unit.startswith("Q") else quarter_of(date.fromisoformat(unit))


def deposits(store: FilingsStore, employer_id: int, year: int) -> list[dict[str, object]]:
    return store.query(k.year_pk(employer_id, year), "DEPOSITED#")


def by_unit(
    store: FilingsStore, employer_id: int, year: int, filing_type: str
) -> dict[str, dict[str, int]]:
    """unit -> filing id -> cents deposited, for one deposit type."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for d in deposits(store, employer_id, year):
        if d["filing_type"] == filing_type:
            out[str(d["unit"])][str(d["filing_id"])] += int(d["cents"])  # type: ignore[call-overload]
    return out


def split(
    store: FilingsStore,
    employer_id: int,
    year: int,
    filing_type: str,
    fid: str,
    units: dict[str, int],
) -> tuple[int, int]:
    """(deposited by other filings, deposited by this one) for these liabilities."""
    known = by_unit(store, employer_id, year, filing_type)
    others = sum(c for u in units for f, c in known.get(u, {}).items() if f != fid)
    own = sum(c for u in units for f, c in known.get(u, {}).items() if f == fid)
    return others, own


def attribute(
    store: FilingsStore,
    employer_id: int,
    year: int,
    filing_type: str,
    fid: str,
    units: dict[str, int],
    cents: int,
    sequence: int,
) -> None:
    """Record a filed deposit of `cents` against the still-unpaid part of its liabilities,
    in unit order (once per status change: the key carries its sequence)."""
    known = by_unit(store, employer_id, year, filing_type)
    left = cents
    ordered = sorted(units)
    for index, unit in enumerate(ordered):
        unpaid = units[unit] - sum(known.get(unit, {}).values())
        give = left if index == len(ordered) - 1 else min(left, max(0, unpaid))
        if give <= 0:
            continue
        data = {"filing_type": filing_type, "filing_id": fid, "unit": unit, "cents": give}
        sk = f"DEPOSITED#{filing_type}#{unit}#{fid}#{sequence:05d}"
        store.put_new(k.year_pk(employer_id, year), sk, "deposit", data, employer_id=employer_id)
        left -= give
