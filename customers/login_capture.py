"""Where a login came from: the client's IP (network.http.client_ip, django-ipware) and
its country (geoip2)."""

from __future__ import annotations

import ipaddress
import logging
from functools import lru_cache

import geoip2.database
import geoip2.errors
from django.conf import settings
from django.http import HttpRequest
from maxminddb.errors import InvalidDatabaseError

from customers.models import Customer, LoginRecord, User
from customers.services import customer_login_record
from network.http import client_ip

logger = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def geoip_reader(path: str) -> geoip2.database.Reader | None:
    """Opened once per process (per path): the reader memory-maps the database."""
    try:
        return geoip2.database.Reader(path)
    except (OSError, ValueError, InvalidDatabaseError) as error:
        logger.info("No GeoIP database at %s (%s); countries stay unknown.", path, error)
        return None


def country_for_ip(ip: str | None) -> str:
    """The ISO country code of a public address, or "" when it cannot be known."""
    if not ip or not settings.GEOIP_PATH:
        return ""
    try:
        if not ipaddress.ip_address(ip).is_global:
            return ""
    except ValueError:
        return ""
    reader = geoip_reader(str(settings.GEOIP_PATH))
    if reader is None:
        return ""
    try:
        if "City" in reader.metadata().database_type:
            response = reader.city(ip)
        else:
            response = reader.country(ip)
    except (geoip2.errors.GeoIP2Error, InvalidDatabaseError, ValueError, TypeError):
        return ""
    return (response.country.iso_code or "").upper()[:2]


def login_capture(request: HttpRequest, user: User) -> LoginRecord | None:
    """Record a real login (through the login form) of a customer; others are ignored."""
    customer = Customer.objects.select_related("user").filter(user=user).first()
    if customer is None:
        return None
    ip = client_ip(request)
    return customer_login_record(
        customer=customer,
        ip=ip,
        country_code=country_for_ip(ip),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        host=request.get_host(),
    )
