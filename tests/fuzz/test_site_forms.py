"""The site page's forms: options, active, and adding a domain. See doors.py for the
properties."""

from __future__ import annotations

from sites.forms import DomainAddForm, SiteOptionsForm
from tests.conftest import network_url
from tests.fuzz.doors import Door, fuzz_test

test_site_options = fuzz_test(
    Door("site_options", lambda w: network_url("sites:update", w.site.pk), SiteOptionsForm)
)

test_site_active = fuzz_test(
    Door(
        "site_active",
        lambda w: network_url("sites:active", w.site.pk),
        None,
        extra_fields=("active",),
        known=lambda w: {"active": ["1", "0", "", "true", "on"]},
    )
)

test_domain_add = fuzz_test(
    Door(
        "domain_add",
        lambda w: network_url("sites:domain_add", w.site.pk),
        DomainAddForm,
        known=lambda w: {
            "domain": [
                "shop.example.com",
                "SHOP.Example.com.",
                "acme.localhost",  # this site's own
                "bolt.localhost",  # another customer's site's
                "network.localhost",
                "http://shop.example.com/",
                "shop.example.com:8000",
                "a..b",
                "xn--bcher-kva.example",
                "-x.example.com",
            ]
        },
    )
)
