"""A small, real MaxMind country database for tests (built with mmdb-writer)."""

from __future__ import annotations

from pathlib import Path

from mmdb_writer import MMDBWriter
from netaddr import IPSet

COUNTRY_NAMES = {
    "GB": "United Kingdom",
    "DE": "Germany",
    "US": "United States",
    "FR": "France",
    "BR": "Brazil",
    "JP": "Japan",
    "CA": "Canada",
}


def write_country_mmdb(path: Path, networks: dict[str, str]) -> Path:
    """`networks` maps a CIDR to an ISO country code, e.g. {"81.2.69.0/24": "GB"}."""
    writer = MMDBWriter(
        ip_version=6,
        ipv4_compatible=True,
        database_type="GeoLite2-Country",
        languages=["en"],
        description="Test countries",
    )
    for cidr, code in networks.items():
        writer.insert_network(
            IPSet([cidr]),
            {"country": {"iso_code": code, "names": {"en": COUNTRY_NAMES.get(code, code)}}},
        )
    writer.to_db_file(str(path))
    return path
