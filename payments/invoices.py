"""The invoice PDF of a payment (fpdf2). Rendering only: the number comes from
payments.services.payment_invoice_issue and never changes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from fpdf import FPDF
from fpdf.fonts import FontFace

from network import formatting
from network.formatting import money
from payments.models import ZERO, Payment

# The PDF core font (Helvetica) knows Latin-1 only, but costs nothing to load. Invoices
# with other characters (a name like "Ζήνων") use a Unicode TrueType font when the system
# has one; loading and subsetting it costs ~200 ms, so only those invoices pay for it.
UNICODE_FONTS = [
    (
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ),
]
INK = (29, 35, 48)
MUTED = (107, 114, 128)
RULE = (227, 230, 235)


def _negated(amount: Decimal) -> Decimal:
    return -amount if amount else amount


def _latin_1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


class _Invoice(FPDF):
    def __init__(self, *, needs_unicode: bool) -> None:
        super().__init__(format="A4")
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(auto=True, margin=18)
        self.face = "Helvetica"
        self.unicode_font = False
        for regular, bold in UNICODE_FONTS if needs_unicode else []:
            if regular.exists() and bold.exists():
                self.add_font("Invoice", "", str(regular))
                self.add_font("Invoice", "B", str(bold))
                self.face, self.unicode_font = "Invoice", True
                break

    def text_safe(self, text: str) -> str:
        if self.unicode_font:
            return text
        return text.encode("latin-1", "replace").decode("latin-1")

    def write_line(self, text: str, *, size: float = 10, bold: bool = False, color=INK) -> None:
        self.set_font(self.face, "B" if bold else "", size)
        self.set_text_color(*color)
        self.multi_cell(0, size * 0.5, self.text_safe(text), new_x="LMARGIN", new_y="NEXT")


def _billing_lines(payment: Payment) -> list[str]:
    customer, user = payment.customer, payment.customer.user
    place = " ".join(part for part in (customer.postal_code, customer.city) if part)
    lines = [
        customer.company_name,
        user.display_name,
        customer.billing_email or user.email,
        customer.address_line_1,
        customer.address_line_2,
        ", ".join(part for part in (place, customer.state) if part),
        customer.country.name if customer.country else "",
    ]
    return [line for line in lines if line]


def invoice_pdf(payment: Payment, line_items) -> bytes:
    if payment.invoice_number is None:
        raise ValueError("Issue the invoice number first (payment_invoice_issue).")
    seller = settings.INVOICE_SELLER
    currency = payment.currency
    issued = timezone.localtime(payment.invoice_issued_at)
    seller_lines = [seller["name"], seller["address"], seller["email"]]
    billing_lines = _billing_lines(payment)
    line_items = list(line_items)
    texts = [*seller_lines, *billing_lines, *(item.description for item in line_items)]

    pdf = _Invoice(needs_unicode=not all(_latin_1(text) for text in texts))
    pdf.set_title(f"Invoice {payment.invoice_reference}")
    pdf.set_author(seller["name"])
    pdf.set_creation_date(issued)
    pdf.add_page()

    pdf.write_line("INVOICE", size=22, bold=True)
    pdf.write_line(f"Invoice number {payment.invoice_reference}", size=12, bold=True)
    pdf.write_line(f"Issued {formatting.day(issued)}", color=MUTED)
    pdf.write_line(
        f"Payment {payment.reference} of {formatting.day(payment.created_at)}"
        f" · {payment.get_status_display()}",
        color=MUTED,
    )
    pdf.ln(6)

    top = pdf.get_y()
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    for x, title, lines in (
        (pdf.l_margin, "From", seller_lines),
        (pdf.l_margin + half, "Bill to", billing_lines),
    ):
        pdf.set_xy(x, top)
        pdf.set_font(pdf.face, "B", 9)
        pdf.set_text_color(*MUTED)
        pdf.cell(half - 4, 5, title.upper(), new_x="LEFT", new_y="NEXT")
        pdf.set_font(pdf.face, "", 10)
        pdf.set_text_color(*INK)
        for line in lines:
            pdf.multi_cell(half - 4, 5, pdf.text_safe(line), new_x="LEFT", new_y="NEXT")
    pdf.set_xy(pdf.l_margin, max(pdf.get_y(), top + 30) + 6)

    rows = [
        (
            item.description,
            str(item.quantity),
            money(item.unit_price, currency),
            money(item.total, currency),
        )
        for item in line_items
    ] or [
        (
            f"Payment {payment.reference}",
            "1",
            money(payment.subtotal, currency),
            money(payment.subtotal, currency),
        )
    ]
    pdf.set_font(pdf.face, "", 10)
    pdf.set_draw_color(*RULE)
    with pdf.table(
        col_widths=(90, 16, 34, 34),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis="BOLD", color=MUTED),
        line_height=7,
    ) as table:
        table.row(["Description", "Qty", "Unit price", "Amount"])
        for values in rows:
            table.row([pdf.text_safe(value) for value in values])
    pdf.ln(6)

    totals = [
        ("Subtotal", payment.subtotal),
        ("Discount", _negated(payment.discount_total)),
        ("Tax", payment.tax_total),
        ("Total", payment.total),
    ]
    if payment.refunded_total > ZERO:
        totals += [
            ("Refunded", _negated(payment.refunded_total)),
            ("Net paid", payment.total - payment.refunded_total),
        ]
    label_x = pdf.w - pdf.r_margin - 80
    for label, amount in totals:
        strong = label in ("Total", "Net paid")
        pdf.set_x(label_x)
        pdf.set_font(pdf.face, "B" if strong else "", 11 if strong else 10)
        pdf.set_text_color(*(INK if strong else MUTED))
        pdf.cell(40, 7, label)
        pdf.set_text_color(*INK)
        pdf.cell(40, 7, money(amount, currency), align="R", new_x="LMARGIN", new_y="NEXT")

    pdf.ln(10)
    if payment.membership_id:
        pdf.write_line(f"For membership {payment.membership.reference}.", size=9, color=MUTED)
    pdf.write_line(f"Questions about this invoice: {seller['email']}", size=9, color=MUTED)
    return bytes(pdf.output())
