"""The client address behind proxies: only hops written by trusted proxies are believed."""

from __future__ import annotations

import ipaddress

import pytest
from django.test import RequestFactory

from motcua.core.middleware import TrustedProxyMiddleware, forwarded_client

TRUSTED = [ipaddress.ip_network("10.0.0.0/24"), ipaddress.ip_network("2001:db8::/64")]


@pytest.mark.parametrize(
    ("peer", "header", "client"),
    [
        ("10.0.0.5", "203.0.113.7", "203.0.113.7"),  # one proxy
        ("10.0.0.5", "203.0.113.7, 10.0.0.9", "203.0.113.7"),  # two trusted proxies in a row
        ("10.0.0.5", "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the left part was written by the client
        ("10.0.0.5", "", "10.0.0.5"),  # no header: the proxy itself
        ("10.0.0.5", "not-an-address", "10.0.0.5"),  # garbage is never an address
        ("10.0.0.5", "203.0.113.7:54321", "203.0.113.7"),  # a hop with its port
        ("2001:db8::2", "[2001:db8:1::9]:443", "2001:db8:1::9"),
        ("::ffff:10.0.0.5", "203.0.113.7", "203.0.113.7"),  # IPv4 peer seen through an IPv6 socket
        ("192.0.2.1", "203.0.113.7", "192.0.2.1"),  # an untrusted peer: its header is not read
    ],
)
def test_the_client_is_the_first_address_not_trusted_from_the_right(peer, header, client):
    assert forwarded_client(peer, header, TRUSTED) == client


def test_an_untrusted_peer_loses_its_forwarded_headers_and_keeps_its_scheme(settings):
    settings.TRUSTED_PROXIES = TRUSTED
    seen = {}

    def view(request):
        seen.update(addr=request.META["REMOTE_ADDR"], secure=request.is_secure())
        seen.update(left=[h for h in ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO") if h in request.META])
        return None

    middleware = TrustedProxyMiddleware(view)
    factory = RequestFactory()
    middleware(
        factory.get(
            "/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="1.2.3.4", HTTP_X_FORWARDED_PROTO="https"
        )
    )
    assert seen == {"addr": "192.0.2.1", "secure": False, "left": []}
    middleware(
        factory.get(
            "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4", HTTP_X_FORWARDED_PROTO="https"
        )
    )
    assert seen["addr"] == "1.2.3.4" and seen["secure"] is True
