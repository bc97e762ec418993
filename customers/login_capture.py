"""Where a login came from: the client's IP (django-ipware) and its country (geoip2).

Proxies: list the addresses of the proxies in front of the app in
IPWARE_TRUSTED_PROXIES (IPs or CIDRs) and how many of them append to
X-Forwarded-For in IPWARE_PROXY_COUNT (0 when only one, e.g. nginx's
$proxy_add_x_forwarded_for, sits in front). The header is read only when the
connection itself comes from one of those proxies; from anyone else it is a
forgery and REMOTE_ADDR is the client.
"""

from __future__ import annotations

import ipaddress
import logging
from functools import lru_cache

import geoip2.database
import geoip2.errors
from django.conf import settings
from django.http import HttpRequest
from ipware import get_client_ip
from maxminddb.errors import InvalidDatabaseError

from customers.models import Customer, LoginRecord, User
from customers.services import customer_login_record

logger = logging.getLogger(__name__)


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    if remote is None or not _is_trusted_proxy(remote, settings.IPWARE_TRUSTED_PROXIES):
        return _valid_ip(remote)
    ip, _routable = get_client_ip(
        request,
        proxy_count=settings.IPWARE_PROXY_COUNT,
        request_header_order=["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"],
        strict=False,
    )
    return _valid_ip(ip) or _valid_ip(remote)


def _is_trusted_proxy(address: str, trusted: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in trusted:
        try:
            if ip in ipaddress.ip_network(entry.strip(), strict=False):
                return True
        except ValueError:
            logger.warning("IPWARE_TRUSTED_PROXIES has an entry that is no IP or CIDR: %r", entry)
    return False


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(value)) if value else None
    except ValueError:
        return None


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
