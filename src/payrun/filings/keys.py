"""The single table's keys and the filing types (which workflow routes each)."""

from __future__ import annotations

FEDERAL_DEPOSIT, FUTA_DEPOSIT = "federal_deposit", "futa_deposit"
CA_DEPOSIT, CA_UI_DEPOSIT = "ca_deposit", "ca_ui_deposit"
FORM_941, DE_9, FORM_940 = "form_941", "de_9", "form_940"
DEPOSITS = (FEDERAL_DEPOSIT, FUTA_DEPOSIT, CA_DEPOSIT, CA_UI_DEPOSIT)
RETURNS = (FORM_941, DE_9, FORM_940)
# what a return reconciles against
DEPOSITS_OF_RETURN = {
    FORM_941: (FEDERAL_DEPOSIT,),
    DE_9: (CA_DEPOSIT, CA_UI_DEPOSIT),
    FORM_940: (FUTA_DEPOSIT,),
}
AGENCY_OF = {
    FEDERAL_DEPOSIT: "IRS",
    FUTA_DEPOSIT: "IRS",
    FORM_941: "IRS",
    FORM_940: "IRS",
    CA_DEPOSIT: "EDD",
    CA_UI_DEPOSIT: "EDD",
    DE_9: "EDD",
}
STATUSES = ("pending", "blocked", "submitted", "filed", "rejected")
FILING = "filing"  # the `kind` of a filing's META item


def employer_pk(employer_id: int) -> str:
    return f"EMPLOYER#{employer_id}"


def year_pk(employer_id: int, year: int) -> str:
    return f"EMPLOYER#{employer_id}#{year}"


def filing_pk(filing_id: str) -> str:
    return f"FILING#{filing_id}"


def queue_pk(agency: str) -> str:
    return f"QUEUE#{agency}"


def batch_pk(batch_id: str) -> str:
    return f"BATCH#{batch_id}"


def filing_id(employer_id: int, filing_type: str, key: str) -> str:
    return f"{employer_id}-{filing_type}-{key}"
