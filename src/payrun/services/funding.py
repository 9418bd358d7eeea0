"""The employer's funding debit: CCD entries to the registered account (27 checking, 37
savings), in the payroll file or in a file of its own (a re-debit)."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

from payrun.adapters.db.models import Employer
from payrun.domain.ach.spec import AchFileSpec, BatchSpec, EntrySpec, split_amount
from payrun.services.context import PayrollContext

DEBIT_CODES = {"checking": 27, "savings": 37}  # Nacha transaction codes by account type


def funding_debits(
    ctx: PayrollContext, employer: Employer, total_cents: int
) -> tuple[EntrySpec, ...]:
    """The employer's debit of total_cents: one entry per split_amount share, as one entry's
    10-digit amount field holds at most $99,999,999.99."""
    account = ctx.vault.decrypt(employer.funding_account_enc)
    code = DEBIT_CODES[employer.funding_account_type or "checking"]
    company = ach_name(employer.name, 16)
    return tuple(
        EntrySpec(
            transaction_code=code,
            routing=employer.funding_routing,
            account=account,
            amount_cents=amount,
            individual_id=employer.ein.replace("-", ""),
            individual_name=company,
        )
        for amount in split_amount(total_cents, "funding_debit")
    )


def funding_debit_spec(
    ctx: PayrollContext,
    employer: Employer,
    amount_cents: int,
    *,
    effective: date,
    created: datetime,
    description: str,
    first_trace: int = 1,
) -> AchFileSpec:
    """A file holding only the employer's CCD debit batch (225)."""
    company = ach_name(employer.name, 16)
    batch = BatchSpec(
        service_class=225,
        company_name=company,
        company_id=employer.ach_company_id,
        sec_code="CCD",
        entry_description=description,
        effective_date=effective,
        odfi=employer.odfi_routing[:8],
        entries=funding_debits(ctx, employer, amount_cents),
        descriptive_date=effective.strftime("%b %d").upper(),
    )
    return AchFileSpec(
        immediate_destination=employer.odfi_routing,
        immediate_origin=employer.ach_company_id,
        destination_name="PAYRUN ODFI",
        origin_name=ach_name(employer.name, 23),
        created=created.replace(tzinfo=None),
        file_id_modifier="B",
        batches=(batch,),
        first_trace_sequence=first_trace,
    )


def ach_name(text: str, length: int) -> str:
    """Upper-case ASCII for the fixed-width name fields (accents dropped, not rejected)."""
    if not (text.isascii() and text.isprintable()):  # most names are plain ASCII already
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        text = "".join(ch for ch in ascii_text if 32 <= ord(ch) < 127)
    return text.upper()[:length].strip() or "PAYEE"
