from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.models import Customer, LoginRecord, Note
from events.models import Event
from events.services import event_record
from memberships.models import MembershipAddon
from payments.models import Payment
from tests.conftest import network_url
from tests.customers.factories import LoginRecordFactory
from tests.factories import MembershipFactory, PaymentFactory, ProductFactory

# Tenant, session, user and its permissions (5); the customer with its block sizes,
# total grossed, memberships, payments, sites, events, recent IPs, failed logins,
# notes (9). No `SET search_path`: the connection is on the public schema already
# (network/db).
DETAIL_QUERIES = 14


def detail(client, customer, **params):
    return client.get(network_url("customers:detail", customer.pk), params)


def test_it_sends_anonymous_visitors_to_log_in(anonymous_client, customer):
    response = detail(anonymous_client, customer)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_rejects_outsiders(outsider_client, staff_client, customer):
    assert detail(outsider_client, customer).status_code == 403
    assert detail(staff_client, customer).status_code == 403


def test_a_missing_customer_is_a_404(admin_client):
    assert admin_client.get(network_url("customers:detail", 999999)).status_code == 404


def test_the_page_has_every_block_of_the_spec(admin_client, customer):
    html = detail(admin_client, customer).content.decode()
    for heading in [
        "At a Glance",
        "Customer Options",
        "Fields",
        "Memberships",
        "Payments",
        "Sites",
        "Events",
        "Last Login &amp; IPs",
        "Timestamps",
        "Delete",
    ]:
        assert f">{heading}<" in html or f">{heading} <" in html, heading


def test_at_a_glance_shows_id_last_login_and_gross_per_currency(admin_client, customer):
    Customer.objects.filter(pk=customer.pk).update(
        last_login_at=timezone.now() - timedelta(hours=2)
    )
    for status, total, refunded, currency in [
        (Payment.Status.COMPLETED, "29.00", "0", "USD"),
        (Payment.Status.PARTIALLY_REFUNDED, "29.00", "9.00", "USD"),
        (Payment.Status.REFUNDED, "29.00", "29.00", "USD"),
        (Payment.Status.PENDING, "500.00", "0", "USD"),
        (Payment.Status.FAILED, "500.00", "0", "USD"),
        (Payment.Status.COMPLETED, "1200.00", "0", "EUR"),
    ]:
        PaymentFactory(
            customer=customer,
            status=status,
            total=Decimal(total),
            refunded_total=Decimal(refunded),
            currency=currency,
        )
    response = detail(admin_client, customer)
    glance = _block(response, "at-a-glance")
    assert f"#{customer.pk}" in glance
    assert "2\xa0hours ago" in glance
    assert [(g.currency, g.amount) for g in response.context["gross"]] == [
        ("EUR", Decimal("1200.00")),
        ("USD", Decimal("49.00")),
    ]
    assert "1,200.00 EUR" in glance
    assert "49.00 USD" in glance


def test_billing_info_tab_shows_the_billing_fields(admin_client, customer):
    Customer.objects.filter(pk=customer.pk).update(
        company_name="Engines Ltd", billing_email="accounts@engines.test", country="GB"
    )
    options = _block(detail(admin_client, customer), "customer-options")
    assert 'name="vip"' in options
    billing = _block(detail(admin_client, customer, tab="billing"), "customer-options")
    for name in [
        "company_name",
        "billing_email",
        "address_line_1",
        "address_line_2",
        "city",
        "state",
        "postal_code",
        "country",
    ]:
        assert f'name="{name}"' in billing, name
    assert 'value="Engines Ltd"' in billing
    assert '<option value="GB" selected>United Kingdom</option>' in billing


def test_fields_show_username_email_and_email_verification(admin_client, customer):
    fields = _block(detail(admin_client, customer), "fields")
    assert 'value="ada"' in fields
    assert 'value="ada@example.com"' in fields
    assert '<option value="pending">Pending</option>' in fields
    assert "Also activate pending memberships" in fields


def test_memberships_block_lists_each_with_an_arrow(admin_client, customer):
    membership = MembershipFactory(
        customer=customer,
        plan=ProductFactory(name="Business"),
        amount=Decimal("29.00"),
        date_expiration=timezone.now() + timedelta(days=30),
    )
    MembershipAddon.objects.create(membership=membership, product=ProductFactory(name="Backups"))
    block = _block(detail(admin_client, customer), "memberships")
    assert membership.reference in block
    assert "Active" in block
    assert "29.00 USD" in block
    assert "Business" in block and "Backups" in block
    assert "Manual" in block
    assert f'href="{network_url("memberships:detail", membership.pk)}"' in block


def test_payments_block_lists_each_with_an_arrow(admin_client, customer):
    payment = PaymentFactory(customer=customer, total=Decimal("29.00"))
    block = _block(detail(admin_client, customer), "payments")
    assert payment.reference in block
    assert "Completed" in block
    assert "29.00 USD" in block
    assert f'href="{network_url("payments:detail", payment.pk)}"' in block


def test_sites_block_lists_each_with_visit_dashboard_and_arrow(admin_client, customer, make_site):
    site = make_site("engines", customer=customer, title="Analytical Engines")
    block = _block(detail(admin_client, customer), "sites")
    assert "Analytical Engines" in block
    assert "engines.localhost" in block
    assert "Customer-owned" in block
    assert "Active" in block
    assert 'href="http://engines.localhost/"' in block
    assert 'href="http://engines.localhost/dashboard/"' in block
    assert f'href="{network_url("sites:detail", site.pk)}"' in block


def test_events_block_is_newest_first_with_who_did_it(admin_client, customer, super_admin):
    event_record(type=Event.Type.VIP_CHANGED, message="Marked as VIP", customer=customer)
    payment = PaymentFactory(customer=customer)
    event_record(
        type=Event.Type.PAYMENT_REFUNDED,
        message="Refunded PAY",
        customer=customer,
        subject=payment,
        actor=super_admin,
    )
    block = _block(detail(admin_client, customer), "events")
    assert block.index("Refunded PAY") < block.index("Marked as VIP")
    assert "Payment refunded" in block
    assert super_admin.display_name in block
    assert "System" in block
    assert f'href="{network_url("payments:detail", payment.pk)}"' in block


def test_events_block_shows_old_and_new_values(admin_client, customer, super_admin):
    event_record(
        type=Event.Type.VIP_CHANGED,
        message="VIP changed",
        customer=customer,
        actor=super_admin,
        old={"vip": False},
        new={"vip": True},
    )
    block = _block(detail(admin_client, customer), "events")
    assert '<span class="muted">vip:</span> <del>no</del> → <ins>yes</ins>' in block


def test_each_block_pages_on_its_own(admin_client, customer):
    now = timezone.now()
    payments = PaymentFactory.create_batch(7, customer=customer)
    for age, payment in enumerate(reversed(payments)):
        Payment.objects.filter(pk=payment.pk).update(created_at=now - timedelta(days=age))
    for n in range(12):
        event_record(type=Event.Type.CUSTOMER_UPDATED, message=f"Change {n:02d}", customer=customer)

    first = detail(admin_client, customer)
    assert [p.pk for p in first.context["payments"].items] == [p.pk for p in payments[::-1][:5]]
    assert 'href="?payments_page=2#payments"' in first.content.decode()

    second = detail(admin_client, customer, payments_page=2, events_page=2)
    assert [p.pk for p in second.context["payments"].items] == [p.pk for p in payments[1::-1]]
    assert second.context["memberships"].number == 1
    assert [e.message for e in second.context["events"].items] == ["Change 01", "Change 00"]
    assert 'href="?events_page=2#payments"' in second.content.decode()  # newer payments


def test_last_login_and_ips_shows_the_truly_latest_ip(admin_client, customer):
    now = timezone.now()
    for ip, country, days_ago in [
        ("89.160.20.112", "DE", 30),
        ("81.2.69.160", "GB", 10),
        ("89.160.20.112", "DE", 1),
        ("10.0.0.7", "", 5),
    ]:
        record = LoginRecordFactory(customer=customer, ip=ip, country_code=country)
        LoginRecord.objects.filter(pk=record.pk).update(created_at=now - timedelta(days=days_ago))
    Customer.objects.filter(pk=customer.pk).update(last_login_at=now - timedelta(days=1))

    response = detail(admin_client, customer)
    assert response.context["latest_ip"].ip == "89.160.20.112"
    assert response.context["latest_ip"].country_code == "DE"
    seen = {row.ip: row for row in response.context["recent_ips"]}
    assert [row.ip for row in response.context["recent_ips"]] == [
        "89.160.20.112",
        "10.0.0.7",
        "81.2.69.160",
    ]
    assert seen["89.160.20.112"].logins == 2
    assert (seen["89.160.20.112"].last_seen - seen["89.160.20.112"].first_seen).days == 29
    block = _block(response, "last-login")
    assert "Germany" in block
    assert "2 logins" in block


def test_timestamps_and_the_delete_entry_point(admin_client, customer):
    response = detail(admin_client, customer)
    timestamps = _block(response, "timestamps")
    assert "Created" in timestamps and "Last modified" in timestamps
    assert customer.created_at.strftime("%Y") in timestamps
    delete = _block(response, "delete")
    assert "you will not be able to restore it" in delete
    assert f'href="{network_url("deletion:confirm", customer.pk)}"' in delete


def test_the_switch_to_control_posts_to_switch(admin_client, customer, make_site):
    make_site("engines", customer=customer)
    html = detail(admin_client, customer).content.decode()
    assert f'method="post" action="{network_url("switch:start", customer.pk)}"' in html


def test_switch_to_is_disabled_with_the_reason_without_an_active_site(admin_client, customer):
    html = detail(admin_client, customer).content.decode()
    assert f'action="{network_url("switch:start", customer.pk)}"' not in html
    assert '<button type="button" class="button" disabled' in html
    assert "Ada Lovelace has no active site to switch to." in html


def _detail_queries(client, customer) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert detail(client, customer).status_code == 200
    return len(queries)


def _add_rows(customer, rows: int) -> None:
    memberships = MembershipFactory.create_batch(min(rows, 20), customer=customer)
    for membership in memberships[:3]:
        MembershipAddon.objects.create(membership=membership, product=ProductFactory())
    Payment.objects.bulk_create(
        Payment(customer=customer, membership=memberships[0], status="completed", total=1)
        for _ in range(rows)
    )
    Event.objects.bulk_create(
        Event(
            type=Event.Type.LOGIN, message="Logged in", customer=customer, customer_ref=customer.pk
        )
        for _ in range(rows)
    )
    LoginRecord.objects.bulk_create(
        LoginRecord(customer=customer, ip=f"81.2.{n // 250}.{n % 250}") for n in range(rows)
    )
    Note.objects.bulk_create(
        Note(customer=customer, author_label="Root", text=f"Note {n}") for n in range(rows)
    )


def test_the_page_makes_the_same_few_queries_for_1_or_1000_rows(admin_client, customer, make_site):
    """Every block is one query, paged in SQL: no query per payment, membership,
    site, event or login, and no count of them one by one."""
    _add_rows(customer, 1)
    make_site("engines", customer=customer)
    one = _detail_queries(admin_client, customer)
    _add_rows(customer, 999)
    make_site("notes", customer=customer)
    many = _detail_queries(admin_client, customer)
    assert one == many
    assert many == DETAIL_QUERIES


def _block(response, block_id: str) -> str:
    html = response.content.decode()
    start = html.index(f'id="{block_id}"')
    return html[start : html.index("</section>", start)]


def test_a_block_page_past_the_end_shows_the_last_page_not_an_empty_block(admin_client, customer):
    for _ in range(7):
        PaymentFactory(customer=customer)
    for value in ("999", "99999999999999999999", "-1", "abc"):
        response = detail(admin_client, customer, payments_page=value)
        assert response.status_code == 200
        payments = response.context["payments"]
        assert payments.items, value
        assert "No payments yet." not in response.content.decode()
    assert detail(admin_client, customer, payments_page="999").context["payments"].number == 2
