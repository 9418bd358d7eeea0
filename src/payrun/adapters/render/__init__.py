"""Documents for people: pay stubs and payroll receipts as HTML (Jinja2) and PDF (fpdf2)."""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, select_autoescape

from payrun.adapters.render import formats
from payrun.services.stubs import ReceiptView, StubView

STUB_SECTIONS = (
    ("Taxes withheld", ("employee_tax",)),
    ("Deductions", ("deduction",)),
    ("Employer taxes and contributions (not deducted)", ("employer_tax", "employer_contribution")),
)


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("payrun.adapters.render", "templates"),
        autoescape=select_autoescape(("html",), default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(money=formats.money, hours=formats.hours, rate=formats.rate)
    return env


def stub_html(stub: StubView) -> str:
    return environment().get_template("stub.html").render(s=stub, sections=STUB_SECTIONS)


def receipt_html(receipt: ReceiptView) -> str:
    return environment().get_template("receipt.html").render(r=receipt)


def stub_pdf(stub: StubView) -> bytes:
    from payrun.adapters.render.pdf import stub_document

    return stub_document(stub, STUB_SECTIONS)


def receipt_pdf(receipt: ReceiptView) -> bytes:
    from payrun.adapters.render.pdf import receipt_document

    return receipt_document(receipt)
