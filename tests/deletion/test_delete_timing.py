"""How long deleting a big customer takes. Prints the figure (run with -s); the
assertions are about the outcome, not the time."""

from __future__ import annotations

import time

from django_tenants.utils import schema_exists

from deletion.services import customer_delete
from sites.models import Site


def test_deleting_a_customer_with_20_sites_drops_all_20_schemas(
    committed, customer, give, super_admin
):
    give(customer, n=20, slug="big")

    started = time.perf_counter()
    tombstone = customer_delete(customer=customer, actor=super_admin)
    elapsed = time.perf_counter() - started

    print(
        f"\ndeleting a customer with 20 sites (schemas), 20 memberships, 20 payments: "
        f"{elapsed:.2f} s, committed"
    )
    assert tombstone.new["counts"]["sites"] == 20
    assert not Site.objects.filter(schema_name__startswith="big").exists()
    assert not any(schema_exists(f"big{i}") for i in range(20))
