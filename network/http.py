"""Request helpers every page uses: who is calling (client IP) and addresses on other hosts.

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
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.request import split_domain_port
from django.urls import reverse
from ipware import get_client_ip

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


def port_suffix(request: HttpRequest) -> str:
    """ ":8000" when the browser used a port that is not the scheme's default.

    The port is the Host header's, as the browser sent it: SERVER_PORT is the app
    server's own port, e.g. gunicorn's :8000 behind a proxy on :443."""
    _host, port = split_domain_port(request.get_host())
    default_port = "443" if request.is_secure() else "80"
    return f":{port}" if port and port != default_port else ""


def host_url(request: HttpRequest, host: str, path: str = "/") -> str:
    """An address on another host of the network (a subsite, or the network host), as
    seen from this browser: the same scheme and the same port as this request."""
    return f"{request.scheme}://{host}{port_suffix(request)}{path}"


def link_url(host: str, path: str = "/") -> str:
    """An address for a message that leaves the request, such as a link in an email: the
    host is one we configured (the network's, or a site's primary domain) and the scheme
    and port come from settings, so a forged Host header cannot redirect it."""
    port = settings.EMAIL_LINK_PORT
    return f"{settings.EMAIL_LINK_SCHEME}://{host}{f':{port}' if port else ''}{path}"


class PkUrl:
    """A URL with a pk in it, reversed once: a list builds each row's link by putting
    the row's pk in (`{{ detail_url|with_pk:customer.pk }}`), not by a reverse() per row."""

    MARK = 987654321

    def __init__(self, viewname: str):
        self.head, self.tail = reverse(viewname, args=[self.MARK]).rsplit(str(self.MARK), 1)

    def for_pk(self, pk: int) -> str:
        return f"{self.head}{pk}{self.tail}"


def post_or_redirect(page: str, anchor: str = "") -> Callable:
    """A form's POST-only address opened with GET (a reload or a shared link after a
    failed save) leads to the form's page (URL name `page`, same pk) instead of a bare
    405. Goes inside the access check, which stays outermost."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method != "POST":
                return HttpResponseRedirect(reverse(page, kwargs={"pk": kwargs["pk"]}) + anchor)
            return view(request, *args, **kwargs)

        wrapped.leads_to = page  # type: ignore[attr-defined]
        return wrapped

    return decorate
