"""The team: invited people log in on this site's host and no other. Members live in the
site's schema and link to public accounts by id, without a foreign key (siteadmin.models
says why); the services keep the link sound."""

from __future__ import annotations

from django.db import connection
from django_tenants.utils import tenant_context

from customers.models import User
from customers.services import customer_create_for_user
from events.models import Event
from siteadmin.models import TeamMember
from siteadmin.selectors import team_dangling, team_rows
from tests.conftest import host_client
from tests.factories import PASSWORD, UserFactory


def _join(client, link: str, password: str = "a long team password 7") -> None:
    path = link.split("acme.localhost", 1)[1]
    response = client.post(path, {"new_password1": password, "new_password2": password})
    assert response.status_code == 302, response.content


def _login(host: str, handle: str, password: str):
    return host_client(host).post("/login/", {"username": handle, "password": password})


def test_an_invited_newcomer_sets_a_password_and_logs_in_on_this_host_only(
    owner_client, acme, make_site, customer
):
    make_site("beta", title="Beta")
    response = owner_client.post(
        "/dashboard/team/invite/", {"email": "helper@example.com", "role": "editor"}
    )
    assert response.status_code == 200
    link = response.context["invite_link"]
    assert link.startswith("http://acme.localhost/dashboard/team/join/")

    _join(host_client("acme.localhost"), link)

    assert (
        _login("acme.localhost", "helper@example.com", "a long team password 7")["Location"]
        == "/dashboard/"
    )
    assert (
        _login("beta.localhost", "helper@example.com", "a long team password 7").status_code == 200
    )
    assert Event.objects.filter(type=Event.Type.TEAM_CHANGED, customer=customer).count() == 2


def test_the_join_link_works_once(owner_client, acme):
    response = owner_client.post(
        "/dashboard/team/invite/", {"email": "helper@example.com", "role": "editor"}
    )
    link = response.context["invite_link"]
    _join(host_client("acme.localhost"), link)
    again = host_client("acme.localhost").get(link.split("acme.localhost", 1)[1])
    assert again.status_code == 400


def test_a_join_link_cannot_set_the_password_of_an_account_that_became_a_customer(
    owner_client, acme
):
    """The inviter sees the link; once the account is someone's customer account, the link
    must no longer set its password."""
    response = owner_client.post(
        "/dashboard/team/invite/", {"email": "helper@example.com", "role": "editor"}
    )
    link = response.context["invite_link"]
    customer_create_for_user(user=User.objects.get(email="helper@example.com"), actor=None, ip=None)

    path = link.split("acme.localhost", 1)[1]
    assert host_client("acme.localhost").get(path).status_code == 400
    host_client("acme.localhost").post(
        path, {"new_password1": "a long team password 7", "new_password2": "a long team password 7"}
    )
    assert not User.objects.get(email="helper@example.com").has_usable_password()


def test_the_join_page_is_never_cached(owner_client, acme):
    response = owner_client.post(
        "/dashboard/team/invite/", {"email": "helper@example.com", "role": "editor"}
    )
    page = host_client("acme.localhost").get(
        response.context["invite_link"].split("acme.localhost", 1)[1]
    )
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"


def test_an_existing_account_is_added_and_logs_in_with_its_own_password(
    owner_client, acme, plain_account
):
    response = owner_client.post(
        "/dashboard/team/invite/", {"email": "GRACE@example.com", "role": "administrator"}
    )
    assert response.status_code == 302
    assert _login("acme.localhost", "grace", PASSWORD)["Location"] == "/dashboard/"


def test_a_removed_member_can_no_longer_log_in_or_open_the_administration(
    owner_client, acme, plain_account
):
    owner_client.post("/dashboard/team/invite/", {"email": plain_account.email, "role": "editor"})
    member_client = host_client("acme.localhost")
    member_client.post("/login/", {"username": "grace", "password": PASSWORD})
    with tenant_context(acme):
        member = TeamMember.objects.get()

    owner_client.post(f"/dashboard/team/{member.pk}/remove/")

    assert member_client.get("/dashboard/").status_code == 403
    assert _login("acme.localhost", "grace", PASSWORD).status_code == 200  # the form again


def test_staff_accounts_and_the_owner_cannot_be_invited(owner_client, acme, customer):
    UserFactory(email="staff@example.com", is_staff=True)
    for email in ("staff@example.com", customer.user.email):
        response = owner_client.post("/dashboard/team/invite/", {"email": email, "role": "editor"})
        assert response.status_code == 400, email
    with tenant_context(acme):
        assert not TeamMember.objects.exists()


def test_inviting_the_same_person_twice_is_refused(owner_client, plain_account):
    data = {"email": plain_account.email, "role": "editor"}
    owner_client.post("/dashboard/team/invite/", data)
    assert owner_client.post("/dashboard/team/invite/", data).status_code == 400


def test_no_tenant_table_references_the_public_schema(acme):
    """The scale-out rule: a site's schema holds no foreign key into `public`."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conname FROM pg_constraint c
            JOIN pg_class src ON src.oid = c.conrelid
            JOIN pg_namespace s ON s.oid = src.relnamespace
            JOIN pg_class dst ON dst.oid = c.confrelid
            JOIN pg_namespace d ON d.oid = dst.relnamespace
            WHERE c.contype = 'f' AND s.nspname = %s AND d.nspname <> %s
            """,
            [acme.schema_name, acme.schema_name],
        )
        assert cursor.fetchall() == []


def test_a_deleted_account_leaves_no_usable_membership(owner_client, acme, plain_account):
    owner_client.post("/dashboard/team/invite/", {"email": plain_account.email, "role": "editor"})
    owner_client.get("/dashboard/team/")  # the "is now an editor" notice, shown once
    User.objects.filter(pk=plain_account.pk).delete()

    with tenant_context(acme):
        assert [m.user_id for m in team_dangling()] == [plain_account.pk]
        assert team_rows() == []
    page = owner_client.get("/dashboard/team/").content.decode()
    assert "grace@example.com" not in page


def test_a_team_member_is_refused_on_the_network_admin(owner_client, plain_account):
    owner_client.post(
        "/dashboard/team/invite/", {"email": plain_account.email, "role": "administrator"}
    )
    client = host_client()
    client.post("/login/", {"username": "grace", "password": PASSWORD})
    assert client.get("/customers/").status_code in (302, 403)
