from __future__ import annotations

import re

import pytest
from django.conf import settings

from tests.conftest import network_url

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
