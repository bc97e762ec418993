"""The invoice PDF of a payment (fpdf2). Rendering only: the number comes from
payments.services.payment_invoice_issue and never changes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from fpdf import FPDF
from fpdf.fonts import FontFace

from network import formatting
from network.formatting import money
from payments.models import ZERO, Payment

# The PDF core font (Helvetica) knows Windows-1252 only (Latin-1 and "€"), but costs
# nothing to load. Invoices with other characters (a name like "Ζήνων", or Romanian's
# "ș") use a Unicode TrueType font when the system has one; loading and subsetting it
# costs ~200 ms, so only those invoices pay for it.
CORE_FONT_ENCODING = "windows-1252"
# Languages whose words and money the core font writes ("1 234,50 €" once its narrow
# no-break space is a no-break space).
CORE_FONT_LANGUAGES = {"en", "fr", "nl", "nb"}
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


def _core_font_text(text: str) -> str:
    return text.replace("\u202f", "\u00a0")


def _core_font_safe(text: str) -> bool:
    try:
        _core_font_text(text).encode(CORE_FONT_ENCODING)
    except UnicodeEncodeError:
        return False
    return True


class _Invoice(FPDF):
    def __init__(self, *, needs_unicode: bool) -> None:
        super().__init__(format="A4")
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(auto=True, margin=18)
        self.face = "Helvetica"
        self.core_fonts_encoding = CORE_FONT_ENCODING
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
        encoding = CORE_FONT_ENCODING
        return _core_font_text(text).encode(encoding, "replace").decode(encoding)

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


def invoice_language(payment: Payment) -> str:
    """An invoice is issued in its customer's language, if they chose one, else in the
    network's (settings.NETWORK_DEFAULT_LANGUAGE): not in the admin's who downloads it."""
    return payment.customer.user.language or settings.NETWORK_DEFAULT_LANGUAGE


def invoice_pdf(payment: Payment, line_items) -> bytes:
    """The invoice in its language (invoice_language): its words, dates and money; the
    names, addresses and descriptions are data and stay as written."""
    if payment.invoice_number is None:
        raise ValueError("Issue the invoice number first (payment_invoice_issue).")
    with translation.override(invoice_language(payment)):
        return _invoice_pdf(payment, line_items)


def _invoice_pdf(payment: Payment, line_items) -> bytes:
    seller = settings.INVOICE_SELLER
    currency = payment.currency
    issued = timezone.localtime(payment.invoice_issued_at)
    seller_lines = [seller["name"], seller["address"], seller["email"]]
    billing_lines = _billing_lines(payment)
    line_items = list(line_items)
    reference = payment.invoice_reference

    heading = [
        (_("Invoice").upper(), 22),
        (_("Invoice number %(reference)s") % {"reference": reference}, 12),
    ]
    facts = [
        _("Issued %(day)s") % {"day": formatting.day(issued)},
        _("Payment %(reference)s of %(day)s · %(status)s")
        % {
            "reference": payment.reference,
            "day": formatting.day(payment.created_at),
            "status": payment.get_status_display(),
        },
    ]
    parties = [
        (pgettext("invoice", "From").upper(), seller_lines),
        (_("Bill to").upper(), billing_lines),
    ]
    columns = [_("Description"), pgettext("invoice", "Qty"), _("Unit price"), _("Amount")]
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
            _("Payment %(reference)s") % {"reference": payment.reference},
            "1",
            money(payment.subtotal, currency),
            money(payment.subtotal, currency),
        )
    ]
    # (label, amount, whether it is a grand total)
    totals = [
        (_("Subtotal"), payment.subtotal, False),
        (_("Discount"), _negated(payment.discount_total), False),
        (_("Tax"), payment.tax_total, False),
        (_("Total"), payment.total, True),
    ]
    if payment.refunded_total > ZERO:
        totals += [
            (_("Refunded"), _negated(payment.refunded_total), False),
            (_("Net paid"), payment.total - payment.refunded_total, True),
        ]
    totals_shown = [(label, money(amount, currency), strong) for label, amount, strong in totals]
    footer = []
    if payment.membership_id:
        footer.append(
            _("For membership %(reference)s.") % {"reference": payment.membership.reference}
        )
    footer.append(_("Questions about this invoice: %(email)s") % {"email": seller["email"]})

    texts = [
        *(text for text, _size in heading),
        *facts,
        *(title for title, _lines in parties),
        *seller_lines,
        *billing_lines,
        *columns,
        *(value for row in rows for value in row),
        *(text for label, amount, _strong in totals_shown for text in (label, amount)),
        *footer,
    ]
    pdf = _Invoice(needs_unicode=not all(_core_font_safe(text) for text in texts))
    pdf.set_title(_("Invoice %(reference)s") % {"reference": reference})
    pdf.set_author(seller["name"])
    pdf.set_creation_date(issued)
    pdf.add_page()

    for text, size in heading:
        pdf.write_line(text, size=size, bold=True)
    for text in facts:
        pdf.write_line(text, color=MUTED)
    pdf.ln(6)

    top = pdf.get_y()
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    for x, (title, lines) in zip((pdf.l_margin, pdf.l_margin + half), parties, strict=True):
        pdf.set_xy(x, top)
        pdf.set_font(pdf.face, "B", 9)
        pdf.set_text_color(*MUTED)
        pdf.cell(half - 4, 5, pdf.text_safe(title), new_x="LEFT", new_y="NEXT")
        pdf.set_font(pdf.face, "", 10)
        pdf.set_text_color(*INK)
        for line in lines:
            pdf.multi_cell(half - 4, 5, pdf.text_safe(line), new_x="LEFT", new_y="NEXT")
    pdf.set_xy(pdf.l_margin, max(pdf.get_y(), top + 30) + 6)

    pdf.set_font(pdf.face, "", 10)
    pdf.set_draw_color(*RULE)
    with pdf.table(
        col_widths=(90, 16, 34, 34),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis="BOLD", color=MUTED),
        line_height=7,
    ) as table:
        table.row([pdf.text_safe(title) for title in columns])
        for values in rows:
            table.row([pdf.text_safe(value) for value in values])
    pdf.ln(6)

    label_x = pdf.w - pdf.r_margin - 80
    for label, amount, strong in totals_shown:
        pdf.set_x(label_x)
        pdf.set_font(pdf.face, "B" if strong else "", 11 if strong else 10)
        pdf.set_text_color(*(INK if strong else MUTED))
        pdf.cell(40, 7, pdf.text_safe(label))
        pdf.set_text_color(*INK)
        pdf.cell(40, 7, pdf.text_safe(amount), align="R", new_x="LMARGIN", new_y="NEXT")

    pdf.ln(10)
    for text in footer:
        pdf.write_line(text, size=9, color=MUTED)
    return bytes(pdf.output())
