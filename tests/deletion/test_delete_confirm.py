"""The confirmation page: GET shows what goes, POST deletes."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_exists

from customers.models import Customer, User
from events.models import Event
from sites.models import Site
from tests.conftest import NETWORK_HOST, host_client, network_url, subsite_client
from tests.factories import PASSWORD, CustomerFactory, UserFactory


def url(customer) -> str:
    return network_url("deletion:confirm", customer.pk)


def confirm(client, customer, email=None, **data):
    data = {"option": "delete", "confirm_email": email or customer.user.email, **data}
    return client.post(url(customer), data)


# --- Who may


def test_it_rejects_outsiders(outsider_client, staff_client, customer):
    assert outsider_client.get(url(customer)).status_code == 403
    assert staff_client.get(url(customer)).status_code == 403
    assert confirm(outsider_client, customer).status_code == 403
    assert confirm(staff_client, customer).status_code == 403
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_it_sends_anonymous_visitors_to_log_in(anonymous_client, customer):
    for response in (anonymous_client.get(url(customer)), confirm(anonymous_client, customer)):
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_it_refuses_a_post_without_the_csrf_token(super_admin, customer):
    client = Client(HTTP_HOST=NETWORK_HOST, enforce_csrf_checks=True)
    client.force_login(super_admin)

    assert confirm(client, customer).status_code == 403
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_only_get_and_post_are_allowed(admin_client, customer):
    assert admin_client.put(url(customer)).status_code == 405
    assert admin_client.delete(url(customer)).status_code == 405
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_an_unknown_customer_is_a_404(admin_client, network):
    assert admin_client.get(network_url("deletion:confirm", 987654)).status_code == 404
    assert admin_client.post(network_url("deletion:confirm", 987654)).status_code == 404


# --- The page


def test_it_says_plainly_that_the_deletion_is_permanent(admin_client, customer):
    response = admin_client.get(url(customer))

    assert response.status_code == 200
    assert "you will not be able to restore it" in response.content.decode()


def test_it_lists_what_goes_with_counts_and_the_first_few(admin_client, customer, give):
    give(customer, n=7)

    page = admin_client.get(url(customer)).content.decode()

    assert 'Memberships <span class="count">7</span>' in page
    assert 'Payments <span class="count">7</span>' in page
    assert 'Sites <span class="count">7</span>' in page
    assert 'Login records <span class="count">7</span>' in page
    assert 'Events <span class="count">14</span>' in page  # VIP changes and site creations
    newest = customer.memberships.order_by("-created_at", "-pk")
    assert all(m.reference in page for m in newest[:5])
    assert not any(m.reference in page for m in newest[5:])
    assert "…and 2 more." in page
    assert "acme6.localhost" in page and ">acme6</td>" in page  # domain and schema
    assert "acme1.localhost" not in page
    assert "signed-in sessions end on every site" in page


def test_it_says_when_the_login_account_is_staff_and_kept(admin_client, network):
    staff = CustomerFactory(user=UserFactory(is_staff=True))

    page = admin_client.get(url(staff)).content.decode()

    assert "This account is staff, so it is <strong>kept</strong>" in page


def test_it_shows_empty_states_for_a_customer_without_anything(admin_client, customer):
    page = admin_client.get(url(customer)).content.decode()

    assert "No memberships." in page and "No sites." in page and "No payments." in page


@pytest.mark.parametrize("rows", [1, 8])
def test_the_page_runs_a_fixed_number_of_queries(
    admin_client, customer, give, rows, django_assert_num_queries
):
    """Counts come from one query and each list is capped at five rows (sites' domains
    are prefetched): no query per membership, payment, site, domain or event."""
    give(customer, n=rows)
    admin_client.get(url(customer))  # warm the session and the admin's permission cache

    # 13 queries: tenant domain, session, admin, admin's permissions (2), customer, counts,
    # six preview lists (no SET search_path: the connection is on public already).
    with django_assert_num_queries(13):
        response = admin_client.get(url(customer))
    assert response.status_code == 200


def test_searching_lists_other_customers_to_pick_but_never_this_one(admin_client, customer, bob):
    CustomerFactory(
        user__email="bobby@example.org", user__first_name="Bobby", user__last_name="Stone"
    )

    page = admin_client.get(url(customer), {"option": "reassign", "q": "BOB"}).content.decode()

    assert f'name="reassign_to" value="{bob.pk}"' in page
    assert "bobby@example.org" in page
    assert 'value="reassign" checked' in page

    page = admin_client.get(url(customer), {"option": "reassign", "q": "ada"}).content.decode()
    assert 'name="reassign_to"' not in page
    assert "No other customer matches “ada”." in page


def test_a_search_keeps_the_confirmation_typed_before_it(admin_client, customer, bob):
    page = admin_client.get(
        url(customer), {"option": "reassign", "q": "bob", "confirmation": "ada@exam"}
    ).content.decode()
    assert 'name="confirm_email" value="ada@exam"' in page
    assert 'data-carry="id_confirm_email"' in page  # what the search form takes along


def test_a_nul_character_in_the_search_is_ignored_instead_of_failing(admin_client, customer, bob):
    response = admin_client.get(url(customer), {"option": "reassign", "q": "bo\x00b"})
    assert response.status_code == 200
    assert f'name="reassign_to" value="{bob.pk}"' in response.content.decode()


# --- Deleting


def test_typing_the_email_deletes_and_lands_on_the_list_with_a_message(
    admin_client, customer, give
):
    give(customer)

    response = confirm(admin_client, customer, email="  ada@example.com ")

    assert response.status_code == 302
    assert response["Location"] == network_url("customers:list")
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert not schema_exists("acme")
    page = admin_client.get(response["Location"]).content.decode()
    assert "Ada Lovelace &lt;ada@example.com&gt; was deleted permanently" in page
    assert "1 membership, 1 payment, 1 site deleted with them" in page


def test_the_email_must_be_typed_exactly_not_just_the_same_address(admin_client, customer):
    response = confirm(admin_client, customer, email="ADA@example.com")

    assert response.status_code in (200, 400)
    assert Customer.objects.filter(pk=customer.pk).exists()
    assert "Nothing was deleted" in response.content.decode()


def test_the_tombstone_records_the_admin_and_the_ip(admin_client, customer, super_admin):
    confirm(admin_client, customer, HTTP_X_FORWARDED_FOR="203.0.113.66")

    tombstone = Event.objects.get(type=Event.Type.CUSTOMER_DELETED)
    assert tombstone.actor == super_admin
    assert tombstone.ip == "127.0.0.1"  # no trusted proxy: a forwarded-for header is ignored


def test_a_forwarded_for_header_from_outside_the_proxies_cannot_forge_the_ip(
    settings, admin_client, customer
):
    """The header counts only when the connection comes from a configured proxy."""
    settings.IPWARE_TRUSTED_PROXIES = ["10.0.0.1"]
    data = {"option": "delete", "confirm_email": customer.user.email}
    admin_client.post(
        url(customer),
        data,
        REMOTE_ADDR="198.51.100.7",
        HTTP_X_FORWARDED_FOR="203.0.113.66, 10.0.0.1",
    )

    assert Event.objects.get(type=Event.Type.CUSTOMER_DELETED).ip == "198.51.100.7"


@pytest.mark.parametrize("typed", ["", "ada@example.co", "bob@example.com", "ada"])
def test_a_mismatched_email_deletes_nothing_and_says_why(admin_client, customer, give, typed):
    give(customer)

    response = confirm(admin_client, customer, email=typed or " ")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was deleted." in page
    assert Customer.objects.filter(pk=customer.pk).exists()
    assert schema_exists("acme")


def test_a_mismatch_keeps_the_chosen_option_and_customer(admin_client, customer, bob):
    response = admin_client.post(
        url(customer),
        {"option": "reassign", "q": "bob", "reassign_to": bob.pk, "confirm_email": "nope"},
    )

    page = response.content.decode()
    assert "That is not this customer&#x27;s email" in page
    assert 'value="reassign" checked' in page
    assert f'name="reassign_to" value="{bob.pk}" checked' in page
    assert 'value="nope"' in page
    assert Customer.objects.count() == 2


def test_reassign_through_the_page_moves_everything_to_the_picked_customer(
    admin_client, customer, bob, give
):
    give(customer, n=2)

    response = confirm(admin_client, customer, option="reassign", reassign_to=bob.pk)

    assert response.status_code == 302
    assert not Customer.objects.filter(pk=customer.pk).exists()
    assert bob.memberships.count() == 2 and bob.payments.count() == 2
    assert Site.objects.filter(customer=bob).count() == 2
    assert schema_exists("acme0")
    page = admin_client.get(response["Location"]).content.decode()
    assert "2 memberships, 2 payments, 2 sites now belong to Bob Builder" in page


def test_reassign_needs_a_picked_customer(admin_client, customer):
    page = confirm(admin_client, customer, option="reassign").content.decode()

    assert "Search for the customer who receives" in page
    assert Customer.objects.filter(pk=customer.pk).exists()


@pytest.mark.parametrize("target", ["self", "missing", "junk"])
def test_reassign_refuses_this_customer_and_unknown_ones(admin_client, customer, target):
    value = {"self": customer.pk, "missing": 987654, "junk": "bob"}[target]

    response = confirm(admin_client, customer, option="reassign", reassign_to=value)

    assert response.status_code == 200
    assert b"field-error" in response.content
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_a_customer_owning_the_main_site_gets_a_clear_error(admin_client, customer, network, give):
    give(customer)
    Site.objects.filter(pk=network.pk).update(customer=customer)

    response = confirm(admin_client, customer)

    assert response.status_code == 200
    assert "main site, which is never deleted" in response.content.decode()
    assert schema_exists("acme")
    assert Customer.objects.filter(pk=customer.pk).exists()


# --- After


def test_posting_twice_says_the_customer_no_longer_exists(admin_client, customer, give):
    give(customer)
    assert confirm(admin_client, customer).status_code == 302

    response = confirm(admin_client, customer)

    assert response.status_code == 302
    assert response["Location"] == network_url("customers:list")
    page = admin_client.get(response["Location"]).content.decode()
    assert (
        "This customer no longer exists: Ada Lovelace &lt;ada@example.com&gt; was deleted" in page
    )
    assert Event.objects.filter(type=Event.Type.CUSTOMER_DELETED).count() == 1


def test_the_back_button_to_the_page_says_the_same(admin_client, customer):
    confirm(admin_client, customer)

    response = admin_client.get(url(customer), follow=True)

    assert response.redirect_chain[-1][0] == network_url("customers:list")
    assert "This customer no longer exists" in response.content.decode()


def test_the_freed_email_can_be_used_for_a_new_customer_right_away(admin_client, customer):
    confirm(admin_client, customer)

    newcomer = CustomerFactory(user__username="ada", user__email="ada@example.com")
    assert User.objects.get(email="ada@example.com") == newcomer.user
    login = host_client()
    response = login.post("/login/", {"username": "ada@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert int(login.session["_auth_user_id"]) == newcomer.user.pk


def test_the_customers_sessions_end_on_the_network_and_on_every_subsite(
    admin_client, customer, bob, make_site
):
    """Sessions live in each host's own schema; none of them survives the login account:
    the auth middleware finds no user behind the session and treats it as anonymous."""
    make_site("acme", customer=customer)
    bobs = make_site("bobs", customer=bob)
    network, own_site = (host_client(host) for host in (NETWORK_HOST, "acme.localhost"))
    for client in (network, own_site):
        assert client.post("/login/", {"username": "ada", "password": PASSWORD}).status_code == 302
    # Bob's login form refuses Ada; a session of hers there can only have been made so.
    other_site = subsite_client(bobs, customer.user)
    assert network.get("/customers/").status_code == 403  # signed in, not an admin
    assert own_site.get("/dashboard/").status_code == 200
    assert other_site.get("/dashboard/").status_code == 403  # signed in, not the owner

    # Reassign so that Ada's former site still answers and can be asked.
    confirm(admin_client, customer, option="reassign", reassign_to=bob.pk)

    for client, path in (
        (network, "/customers/"),
        (own_site, "/dashboard/"),
        (other_site, "/dashboard/"),
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login/" in response["Location"]
