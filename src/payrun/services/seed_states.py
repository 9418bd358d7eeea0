"""Demo state certificates and residences for the seed's employees in the states with a rule
file: each form drawn from its own stream, so adding states never changes the other people."""

from __future__ import annotations

import random
from typing import Any

Row = dict[str, Any]


def state_profile(rng: random.Random, work_state: str, home_state: str) -> Row:
    """The employee's state forms for ``work_state``; one in ten has none on file (each state's
    "no certificate" default), and a home elsewhere is the residence."""
    draw = _FORMS.get(work_state)
    profile: Row = {}
    if home_state != work_state:
        profile["residence"] = {"state": home_state}
    if draw is None or rng.random() < 0.1:
        return profile
    return {**profile, **draw(rng, home_state == work_state)}


def _ny(rng: random.Random, resident: bool) -> Row:
    form: Row = {
        "filing_status": rng.choice(["single", "married", "married_single_rate"]),
        "allowances": rng.randint(0, 3),
    }
    city = rng.choices(["NYC", "YONKERS", None], (30, 5, 65))[0] if resident else None
    row: Row = {"ny_it2104": form}
    if city == "NYC":
        form["nyc_allowances"] = rng.randint(0, 3)
    if city is not None:
        row["residence"] = {"state": "NY", "city": city}
    return row


def _pa(rng: random.Random, resident: bool) -> Row:
    if resident and rng.random() < 0.3:
        return {"residence": {"state": "PA", "city": "PHILADELPHIA"}}
    local = {
        # an out-of-state resident owes no resident EIT: only the work location's rate
        "resident_eit_percent": rng.choice(["1.0", "1.6", "0.5"]) if resident else "0",
        "work_nonresident_eit_percent": rng.choice(["1.28", "1.0", "0"]),
        "lst_annual": rng.choice(["52.00", "52.00", "10.00"]),
    }
    row: Row = {"pa_local": local}
    if resident:
        row["residence"] = {"state": "PA", "psd_code": "480501"}
    return row


def _mi(rng: random.Random, resident: bool) -> Row:
    row: Row = {"mi_w4": {"exemptions": rng.randint(0, 4)}}
    if resident and rng.random() < 0.25:
        row["residence"] = {"state": "MI", "city": "DETROIT"}
        row["detroit_5527"] = {"exemptions": rng.randint(0, 3)}
    return row


_FORMS = {
    "NY": _ny,
    "IL": lambda rng, _: {
        "il_w4": {"basic_allowances": rng.randint(0, 3), "additional_allowances": rng.randint(0, 1)}
    },
    "PA": _pa,
    "NJ": lambda rng, _: {
        "nj_w4": {
            "filing_status": rng.choice(["single", "married_joint", "head_of_household"]),
            "allowances": rng.randint(0, 4),
        }
    },
    "GA": lambda rng, _: {
        "ga_g4": {"marital_status": rng.choice("ABCD"), "dependent_allowances": rng.randint(0, 3)}
    },
    "NC": lambda rng, _: {
        "nc4": {
            "filing_status": rng.choice(["single", "married", "head_of_household"]),
            "allowances": rng.randint(0, 3),
        }
    },
    "MI": _mi,
    "OH": lambda rng, _: {"oh_it4": {"exemptions": rng.randint(0, 4)}},
    "MA": lambda rng, _: {
        "ma_m4": {"exemptions": rng.randint(0, 4), "head_of_household": rng.random() < 0.1}
    },
    "VA": lambda rng, _: {"va4": {"personal_exemptions": rng.randint(0, 4)}},
}
