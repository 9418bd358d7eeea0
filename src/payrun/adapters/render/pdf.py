"""Pay stub and payroll receipt PDFs with fpdf2 (pure Python: nothing beyond pip to install)."""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from payrun.adapters.render.formats import hours, money, rate
from payrun.services.stubs import ReceiptView, StubView

NAVY = (31, 78, 121)
STRIPE = (241, 244, 248)
BOX = (246, 248, 251)
MUTED = (91, 101, 115)
INK = (29, 36, 48)
ROW = 5.2  # mm
WIDTH = 190  # Letter minus 13 mm margins


class _Document(FPDF):  # type: ignore[misc]
    def __init__(self, title: str, footer: str) -> None:
        super().__init__(format="Letter", unit="mm")
        self.set_margins(13, 12, 13)
        self.set_auto_page_break(True, 16)
        self.set_title(title)
        self.set_creator("payrun")
        self.footer_text = footer
        self.add_page()

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font("Helvetica", "", 7)
        self.set_text_color(*MUTED)
        self.cell(WIDTH - 20, 4, _latin(self.footer_text))
        self.cell(20, 4, f"page {self.page_no()}", align="R")

    def text_line(
        self,
        text: str,
        size: float = 9,  # float ok: a font size in points
        style: str = "",
        width: float = 0,  # float ok: a width in millimetres
    ) -> None:
        self.set_font("Helvetica", style, size)
        self.cell(width, size * 0.5, _latin(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def section(self, title: str) -> None:
        self.ln(3)
        self.set_text_color(*NAVY)
        self.text_line(title.upper(), 9.5, "B")
        self.set_text_color(*INK)
        self.ln(0.8)

    def grid(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        total: Sequence[str] | None = None,
    ) -> None:
        """Left-aligned first column, right-aligned numbers; a navy heading, striped rows."""
        aligns = ["R" if i and rows and _numeric(rows[0][i]) else "L" for i in range(len(widths))]
        self.set_font("Helvetica", "B", 8.5)
        self.set_fill_color(*NAVY)
        self.set_text_color(255, 255, 255)
        self._row(headings, widths, aligns, fill=True)
        self.set_text_color(*INK)
        self.set_font("Helvetica", "", 8.5)
        self.set_fill_color(*STRIPE)
        for index, cells in enumerate(rows):
            self._row(cells, widths, aligns, fill=index % 2 == 1)
        if total is not None:
            self.set_font("Helvetica", "B", 8.5)
            self.line(self.l_margin, self.get_y(), self.l_margin + sum(widths), self.get_y())
            self._row(total, widths, aligns, fill=False)

    def _row(
        self, cells: Sequence[str], widths: Sequence[float], aligns: Sequence[str], fill: bool
    ) -> None:
        if self.get_y() + ROW > self.page_break_trigger:
            self.add_page()
        for text, width, align in zip(cells, widths, aligns, strict=True):
            self.cell(width, ROW, _latin(text), fill=fill, align=align)
        self.ln(ROW)


def _numeric(text: str) -> bool:
    return bool(text) and text.replace(",", "").replace(".", "").lstrip("-").isdigit()


def _latin(text: str) -> str:
    """The core PDF fonts hold Latin-1; anything else prints as '?' rather than failing."""
    return text.encode("latin-1", "replace").decode("latin-1")


def _letterhead(doc: _Document, party_lines: Sequence[str], title: Sequence[str]) -> None:
    top = doc.get_y()
    doc.set_text_color(*INK)
    doc.text_line(party_lines[0], 15, "B")
    doc.ln(1)
    for line in party_lines[1:]:
        doc.text_line(line, 9)
    bottom = doc.get_y()
    doc.set_xy(doc.l_margin + WIDTH - 80, top)
    doc.set_text_color(*NAVY)
    doc.set_font("Helvetica", "B", 13)
    doc.cell(80, 7, title[0], align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_text_color(*INK)
    for line in title[1:]:
        doc.set_x(doc.l_margin + WIDTH - 80)
        doc.set_font("Helvetica", "", 9)
        doc.cell(80, 4.6, _latin(line), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_y(max(bottom, doc.get_y()) + 2)
    doc.set_draw_color(*NAVY)
    doc.set_line_width(0.8)
    doc.line(doc.l_margin, doc.get_y(), doc.l_margin + WIDTH, doc.get_y())
    doc.set_line_width(0.2)
    doc.set_draw_color(*INK)
    doc.ln(3)


def _boxes(doc: _Document, left: Sequence[str], right: Sequence[str]) -> None:
    top = doc.get_y()
    height = max(len(left), len(right)) * 4.6 + 4
    doc.set_fill_color(*BOX)
    doc.set_draw_color(201, 211, 223)
    for x, lines in ((doc.l_margin, left), (doc.l_margin + WIDTH / 2 + 2, right)):
        doc.rect(x, top, WIDTH / 2 - 2, height, style="DF")
        doc.set_xy(x + 3, top + 2)
        for index, line in enumerate(lines):
            doc.set_font("Helvetica", "B" if index == 0 and lines is left else "", 9)
            doc.set_x(x + 3)
            doc.cell(WIDTH / 2 - 8, 4.6, _latin(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_draw_color(*INK)
    doc.set_y(top + height + 1)


def stub_document(stub: StubView, sections: Sequence[tuple[str, tuple[str, ...]]]) -> bytes:
    doc = _Document(
        f"Pay stub {stub.paycheck_id}",
        "Amounts in US dollars. Employer taxes and contributions are paid by the employer, not "
        "deducted. Items per California Labor Code 226(a).",
    )
    _letterhead(
        doc,
        [stub.employer.name, *stub.employer.address_lines, f"EIN {stub.employer_ein}"],
        [
            "EARNINGS STATEMENT",
            f"Pay date {stub.pay_date.isoformat()}",
            f"Pay period {stub.period_start.isoformat()} to {stub.period_end.isoformat()}",
            f"Paycheck {stub.paycheck_id} ({stub.status})",
        ],
    )
    total_hours = stub.total_hours
    _boxes(
        doc,
        [stub.employee.name, *stub.employee.address_lines],
        [
            f"Employee ID {stub.employee_number}",
            f"SSN XXX-XX-{stub.ssn_last4}",
            f"Pay type {stub.pay_type}"
            + ("" if total_hours is None else f", total hours {hours(total_hours)}"),
            f"Direct deposit to account ****{stub.account_last4}",
        ],
    )
    doc.section("Earnings")
    doc.grid(
        ("Description", "Rate", "Hours", "Current", "Year to date"),
        [
            (line.description, rate(line.rate), hours(line.hours), money(line.cents),
             money(line.ytd_cents))
            for line in stub.of_kind("earning")
        ],
        (70, 30, 25, 32.5, 32.5),
        ("Gross pay", "", hours(total_hours), money(stub.gross_cents),
         money(stub.ytd_gross_cents)),
    )  # fmt: skip
    for title, kinds in sections:
        doc.section(title)
        lines = stub.of_kind(*kinds)
        doc.grid(
            ("Description", "Current", "Year to date"),
            [(line.description, money(line.cents), money(line.ytd_cents)) for line in lines]
            or [("none", "", "")],
            (125, 32.5, 32.5),
            ("Total", money(sum(x.cents for x in lines)), money(sum(x.ytd_cents for x in lines))),
        )
    doc.ln(4)
    doc.set_draw_color(*NAVY)
    doc.set_line_width(0.6)
    doc.set_font("Helvetica", "B", 11)
    doc.cell(120, 9, f"  Net pay, deposited to account ****{stub.account_last4}", border="LTB")
    doc.cell(35, 9, money(stub.net_cents), border="TB", align="R")
    doc.set_font("Helvetica", "", 8.5)
    doc.cell(35, 9, f"YTD {money(stub.ytd_net_cents)}  ", border="TBR", align="R")
    return bytes(doc.output())


def receipt_document(receipt: ReceiptView) -> bytes:
    doc = _Document(
        f"Payroll receipt {receipt.run_id}",
        "Amounts in US dollars. Taxes include the employees' withholding and the employer's own.",
    )
    _letterhead(
        doc,
        [receipt.employer.name, *receipt.employer.address_lines, f"EIN {receipt.employer_ein}"],
        ["PAYROLL RECEIPT", f"Run {receipt.run_id}"]
        + ([f"Pay date {receipt.pay_date.isoformat()}"] if receipt.pay_date else []),
    )
    doc.section(f"Debited from account ****{receipt.funding_last4}")
    doc.grid(
        ("Payment", "Status", "Entries", "Debited", "Credited to employees"),
        [
            (f"#{p.payment_id}" + (f" ref {p.reference}" if p.reference else ""), p.status,
             str(p.entries), money(p.debit_cents), money(p.credit_cents))
            for p in receipt.payments
        ] or [("no payment yet", "", "", "", "")],
        (60, 30, 25, 37.5, 37.5),
        ("Total debited", "", "", money(receipt.debited_cents), ""),
    )  # fmt: skip
    doc.section("Net pay per employee")
    doc.grid(
        ("Employee", "ID", "Account", "Status", "Gross", "Net pay"),
        [
            (e.name, e.employee_number, f"****{e.account_last4}", e.status,
             money(e.gross_cents), money(e.net_cents))
            for e in receipt.employees
        ],
        (60, 25, 22, 23, 30, 30),
        (f"{len(receipt.employees)} paychecks", "", "", "", money(receipt.gross_cents),
         money(receipt.net_cents)),
    )  # fmt: skip
    doc.section("Taxes per agency")
    doc.grid(
        ("Agency", "Tax", "Amount"),
        [(agency, text, money(cents)) for agency, text, cents in receipt.taxes],
        (60, 95, 35),
    )
    for agency, cents in receipt.agency_totals():
        doc.set_font("Helvetica", "B", 8.5)
        doc.cell(155, ROW, _latin(f"Total {agency}"))
        doc.cell(35, ROW, money(cents), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_font("Helvetica", "B", 9)
    doc.cell(155, ROW + 1, "Total taxes")
    doc.cell(35, ROW + 1, money(receipt.tax_cents), align="R")
    return bytes(doc.output())
