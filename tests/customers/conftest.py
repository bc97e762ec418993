from __future__ import annotations

import pytest
from django.core.cache import cache

from customers.login_capture import geoip_reader
from tests.customers.geoip import write_country_mmdb


@pytest.fixture
def geoip_db(tmp_path, settings):
    """A real (tiny) MaxMind country database, and GEOIP_PATH pointing at it."""
    path = write_country_mmdb(
        tmp_path / "countries.mmdb",
        {"81.2.69.0/24": "GB", "89.160.20.0/24": "DE", "2a02:c7f::/32": "GB"},
    )
    settings.GEOIP_PATH = str(path)
    geoip_reader.cache_clear()
    yield path
    geoip_reader.cache_clear()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The customer list keeps its filter counts in the cache for a few seconds; each
    test counts its own customers."""
    cache.clear()
    yield
    cache.clear()
