"""The figures payroll's filing events carry, from a paycheck's YTD delta: which keys hold each
tax's wages, withholding and employer share, Additional Medicare wages, a DE 9C line. Pure."""

from __future__ import annotations

from payrun.filings.events import EmployeeWages

ADDITIONAL_MEDICARE_THRESHOLD_CENTS = 200_000_00  # Pub 15 §9: wages over $200,000 in the year
# tax -> (taxable wages key, withheld key, employer share key) in a paycheck's ytd_delta
KEYS = {
    "FIT": ("fit_wages", "federal_income_tax", None),
    "SOCIAL_SECURITY": (
        "social_security_wages",
        "social_security_tax",
        "employer_social_security_tax",
    ),
    "MEDICARE": ("medicare_wages", "medicare_tax", "employer_medicare_tax"),
    "ADDITIONAL_MEDICARE": (None, "additional_medicare_tax", None),
    "FUTA": ("futa_wages", None, "futa_tax"),
    "CA_PIT": ("state_pit_wages", "state_income_tax", None),
    "CA_SDI": ("sdi_wages", "state_disability_tax", None),
    "CA_UI": ("ca_ui_wages", None, "state_unemployment_tax"),
    "CA_ETT": ("ca_ui_wages", None, "ett_tax"),
}

DELTA_KEYS = sorted({key for keys in KEYS.values() for key in keys if key})


def additional_medicare_wages(ytd_after_cents: int, this_paycheck_cents: int) -> int:
    """Medicare wages of a paycheck over $200,000 for the year (Pub 15 §9)."""
    limit = ADDITIONAL_MEDICARE_THRESHOLD_CENTS
    before = ytd_after_cents - this_paycheck_cents
    return max(0, ytd_after_cents - limit) - max(0, before - limit)


def de9c_line(eid: int, name: str, last4: str, delta: dict[str, int]) -> EmployeeWages:
    return EmployeeWages(
        int(eid),
        name,
        last4,
        subject_wages_cents=int(delta.get("sdi_wages", 0)),
        pit_wages_cents=int(delta.get("state_pit_wages", 0)),
        pit_withheld_cents=int(delta.get("state_income_tax", 0)),
    )
