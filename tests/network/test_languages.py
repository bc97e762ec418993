from __future__ import annotations

import io
import re
import shutil
from datetime import UTC, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.template import Context, Template
from django.utils import translation
from pypdf import PdfReader

from network.formatting import day, moment, money
from payments.models import PaymentLineItem
from tests.conftest import network_url
from tests.factories import PaymentFactory

LIST = network_url("customers:list")
CATALOGUES = sorted(settings.BASE_DIR.glob("locale/*/LC_MESSAGES/django.po"))


def detail(client, customer, **headers):
    return client.get(network_url("customers:detail", customer.pk), headers=headers)


def test_the_detail_page_follows_the_browsers_language(admin_client, customer):
    html = detail(admin_client, customer, accept_language="fr").content.decode()

    assert '<html lang="fr">' in html
    for block in ["Aperçu", "Options client", "Infos de facturation", "Champs", "Horodatages"]:
        assert f">{block}<" in html, block
    assert ">Abonnements <" in html and ">Paiements <" in html
    assert "Dernière connexion et IP" in html
    assert ">At a Glance<" not in html


def test_the_customer_list_follows_the_browsers_language(admin_client, customer):
    html = admin_client.get(LIST, headers={"accept-language": "fr"}).content.decode()

    assert "<h1>Clients</h1>" in html
    assert "1 client\n" in html
    assert ">Gérer</a>" in html
    assert "+ Ajouter un client" in html


def test_a_super_admins_chosen_language_wins_over_the_browsers(admin_client, super_admin, customer):
    super_admin.language = "nb"
    super_admin.save(update_fields=["language"])

    html = detail(admin_client, customer, accept_language="fr").content.decode()

    assert '<html lang="nb">' in html
    assert ">Kundeinnstillinger<" in html and ">Fakturainfo<" in html
    assert ">Options client<" not in html


def test_without_a_choice_or_a_browser_language_the_admin_speaks_english(admin_client, customer):
    html = detail(admin_client, customer).content.decode()

    assert '<html lang="en">' in html
    assert ">At a Glance<" in html and ">Customer Options<" in html


def test_the_login_page_of_a_subsite_follows_the_browsers_language(make_site, client):
    make_site("acme", title="Acme")

    html = client.get("/login/", headers={"host": "acme.localhost", "accept-language": "ro"})

    assert "Autentificare" in html.content.decode()
    assert "în Acme" in html.content.decode()


def po_entries(path):
    """(msgid, msgstrs, flags) of each entry but the header, read without a library."""
    for block in path.read_text().split("\n\n"):
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', line)
            if match:
                key = match[1]
                fields[key] = ""
                line = match[2]
            elif not line.startswith('"'):
                continue
            fields[key] += line[1:-1]
        if fields.get("msgid"):
            yield fields["msgid"], [v for k, v in fields.items() if k.startswith("msgstr")], flags


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda path: path.parts[-3])
def test_every_catalogue_is_fully_translated(catalogue):
    entries = list(po_entries(catalogue))

    assert len(entries) > 100
    assert [msgid for msgid, msgstrs, _ in entries if not all(msgstrs)] == []
    assert [msgid for msgid, _, flags in entries if "fuzzy" in flags] == []


def test_there_is_a_catalogue_for_every_language_but_english():
    assert [path.parts[-3] for path in CATALOGUES] == ["fr", "nb", "nl", "ro"]
    assert {code for code, _ in settings.LANGUAGES} == {"en", "fr", "nl", "nb", "ro"}


# --- Formats follow the language.

MONEY = {
    "en": ("1,234.50 EUR", "-5.00 USD", "38.00 NOK"),
    "fr": ("1\u202f234,50\xa0€", "-5,00\xa0$US", "38,00\xa0NOK"),
    "nl": ("€\xa01.234,50", "US$\xa0-5,00", "NOK\xa038,00"),
    "nb": ("1\xa0234,50\xa0€", "-5,00\xa0USD", "38,00\xa0kr"),
    "ro": ("1.234,50\xa0EUR", "-5,00\xa0USD", "38,00\xa0NOK"),
}
MOMENTS = {
    "en": ("Nov 3, 2025 14:05 UTC", "Nov 3, 2025"),
    "fr": ("3 nov. 2025 14:05 UTC", "3 nov. 2025"),
    "nl": ("3 nov 2025 14:05 UTC", "3 nov 2025"),
    "nb": ("3. nov. 2025 14:05 UTC", "3. nov. 2025"),
    "ro": ("3 nov. 2025 14:05 UTC", "3 nov. 2025"),
}
NOV_3 = datetime(2025, 11, 3, 14, 5, tzinfo=UTC)


@pytest.mark.parametrize("language", MONEY)
def test_money_is_written_as_the_language_writes_it(language):
    with translation.override(language):
        written = (
            money(Decimal("1234.50"), "EUR"),
            money(Decimal("-5"), "usd"),
            money(Decimal("38"), "NOK"),
        )
    assert written == MONEY[language]


def test_money_without_a_currency_or_an_amount():
    with translation.override("fr"):
        assert money(Decimal("1234.5")) == "1\u202f234,50"
        assert money(None, "EUR") == ""
    with translation.override("en"):
        assert money(Decimal("1234.5")) == "1,234.50"


@pytest.mark.parametrize("language", MOMENTS)
def test_moments_and_days_are_written_as_the_language_writes_them(language):
    with translation.override(language):
        assert (moment(NOV_3), day(NOV_3)) == MOMENTS[language]


def test_the_template_filters_follow_the_language():
    template = Template(
        "{% load network_tags %}{{ total|money:'EUR' }} | {{ at|moment }} | {{ at|calendar_day }}"
    )
    with translation.override("nb"):
        html = template.render(Context({"total": Decimal("1234.5"), "at": NOV_3}))
    assert html.startswith("1\xa0234,50\xa0€ | ")
    assert ">3. nov. 2025 14:05 UTC</time> | " in html
    assert 'title="3. nov. 2025 14:05 UTC">3. nov. 2025</time>' in html


def test_the_customer_page_writes_money_in_the_browsers_language(admin_client, customer):
    PaymentFactory(customer=customer, total=Decimal("1234.50"), currency="EUR")
    url = network_url("customers:detail", customer.pk)

    french = admin_client.get(url, headers={"accept-language": "fr"}).content.decode()
    dutch = admin_client.get(url, headers={"accept-language": "nl"}).content.decode()

    assert "1\u202f234,50\xa0€" in french
    assert "€\xa01.234,50" in dutch


# --- Invoices: in the customer's language, else the network's.


@pytest.fixture
def invoiced(customer):
    payment = PaymentFactory(
        customer=customer,
        currency="EUR",
        subtotal=Decimal("1250.00"),
        discount_total=Decimal("20.00"),
        tax_total=Decimal("4.50"),
        total=Decimal("1234.50"),
    )
    PaymentLineItem.objects.create(
        payment=payment,
        description="Pro plan, yearly",
        quantity=1,
        unit_price=Decimal("1250.00"),
        total=Decimal("1250.00"),
    )
    return payment


def invoice_text(client, payment, **headers) -> str:
    client.post(network_url("payments:invoice", payment.pk))
    pdf = client.get(network_url("payments:invoice_pdf", payment.pk), headers=headers)
    assert pdf["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    return text.replace("\xa0", " ").replace("\u202f", " ")


def test_a_french_customers_invoice_is_french(admin_client, invoiced):
    invoiced.customer.user.language = "fr"
    invoiced.customer.user.save(update_fields=["language"])

    text = invoice_text(admin_client, invoiced, accept_language="nl")

    assert "1 234,50 €" in text and "1 250,00 €" in text and "-20,00 €" in text
    assert "1,234.50" not in text and "€ 1.234,50" not in text


def test_a_romanian_invoice_keeps_its_letters(admin_client, invoiced):
    invoiced.customer.user.language = "ro"
    invoiced.customer.user.save(update_fields=["language"])

    assert "1.234,50 EUR" in invoice_text(admin_client, invoiced)


def test_an_invoice_without_a_customer_language_is_in_the_networks(
    admin_client, invoiced, settings
):
    assert "1,234.50 EUR" in invoice_text(admin_client, invoiced, accept_language="fr")

    settings.NETWORK_DEFAULT_LANGUAGE = "nl"
    assert "€ 1.234,50" in invoice_text(admin_client, invoiced, accept_language="fr")


# --- No string escapes marking.

# What is not the product's (tests, benchmarks, build output, docs), and what makemessages
# must never see: a "locale" directory anywhere under its working directory becomes where
# it writes (Django's "run it inside an app" rule), whatever LOCALE_PATHS says.
NOT_THE_PRODUCT = shutil.ignore_patterns(
    ".*",
    "locale",
    "build",
    "tests",
    "bench",
    "docs",
    "*.egg-info",
    "node_modules",
    "__pycache__",
    "*.pyc",
    "*.png",
    "*.mo",
    "*.po",
)


def catalogue_keys(path: Path) -> set[tuple[str | None, str]]:
    """(context, msgid) of every entry; a plural by its singular."""
    with path.open("rb") as file:
        catalogue = read_po(file)
    return {
        (message.context, message.id if isinstance(message.id, str) else message.id[0])
        for message in catalogue
        if message.id
    }


def unmarked_msgids(root: Path, tmp_path: Path, monkeypatch, settings) -> list[str]:
    """What Django's makemessages finds under `root` that the committed French catalogue
    lacks. It runs on a copy of the sources, with no locale/ in sight, and writes a
    catalogue of its own in tmp_path: the committed ones are never touched."""
    committed_path = settings.BASE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    committed_before = committed_path.read_bytes()
    sources = tmp_path / "sources"
    shutil.copytree(root, sources, ignore=NOT_THE_PRODUCT)
    settings.LOCALE_PATHS = [tmp_path / "extracted"]
    monkeypatch.chdir(sources)
    call_command("makemessages", locale=["fr"], verbosity=0, stdout=StringIO())
    assert committed_path.read_bytes() == committed_before

    fresh = catalogue_keys(tmp_path / "extracted" / "fr" / "LC_MESSAGES" / "django.po")
    return sorted(
        f"{msgid} (context {context})" if context else msgid
        for context, msgid in fresh - catalogue_keys(committed_path)
    )


def test_a_string_marked_but_missing_from_the_catalogues_is_caught(tmp_path, monkeypatch, settings):
    project = tmp_path / "project"
    (project / "templates").mkdir(parents=True)
    (project / "templates" / "planted.html").write_text(
        "{% load i18n %}{% translate 'Customers' %} {% translate 'A planted new string' %}"
        "{% translate 'Switch to' context 'impersonate' %} {% translate 'Switch to' %}"
    )
    (project / "planted.py").write_text(
        "from django.utils.translation import gettext_lazy as _\n"
        "LABEL = _('Another planted string')\n"
    )

    unmarked = unmarked_msgids(project, tmp_path, monkeypatch, settings)

    assert unmarked == ["A planted new string", "Another planted string", "Switch to"]


def test_no_string_escapes_marking(tmp_path, monkeypatch, settings):
    """Every string marked in the product is in the catalogues (tested in French; every
    catalogue has the same msgids, test_every_catalogue_has_the_same_msgids)."""
    unmarked = unmarked_msgids(settings.BASE_DIR, tmp_path, monkeypatch, settings)

    assert not unmarked, f"{len(unmarked)} msgids are not in locale/fr:\n" + "\n".join(unmarked)


def test_every_catalogue_has_the_same_msgids():
    keys = {path.parts[-3]: catalogue_keys(path) for path in CATALOGUES}

    assert all(found == keys["fr"] for found in keys.values())
