"""The product's settings with the benchmark's URLconf on the network host (its floor
pages; see bench/urls.py). For gunicorn under `make bench` only."""

from network.settings import *  # noqa: F403

PUBLIC_SCHEMA_URLCONF = "bench.urls"
