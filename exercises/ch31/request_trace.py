"""Chapter 31 exercise: trace an HTTP request through DNS, TCP, TLS and the application.

Typing ``https://example.com/tasks`` sets off a chain of exchanges before TaskForge's code
even runs:

1. ``dns_lookup``: ask a resolver which IP address ``example.com`` has (skipped when the
   answer is still in the cache, or when the host is already an IP address such as
   ``127.0.0.1`` or ``::1``);
2. ``tcp_handshake``: SYN, SYN-ACK, ACK with that address on port 443 (or 80 for http);
3. ``tls_handshake``: for ``https`` only: agree on keys, check the certificate;
4. ``http_request`` then ``http_response``: the application's part.

With keep-alive, a second request to the same scheme, host and port reuses the open
connection: no DNS, no TCP, no TLS, just request and response. That is why the first
request to a site is slow and the next ones are quick.

Your functions (URLs are ``http://`` or ``https://`` with a host, in any letter case;
anything else raises ValueError)::

    >>> connection_target("HTTPS://Example.com/tasks?page=2")
    ('https', 'example.com', 443)
    >>> trace_steps("http://example.com:8080/")
    ['dns_lookup', 'tcp_handshake', 'http_request', 'http_response']
    >>> trace_steps("https://example.com/", cached_dns=True)
    ['tcp_handshake', 'tls_handshake', 'http_request', 'http_response']
    >>> estimate_latency_ms("https://example.com/", rtt_ms=50)
    200.0
    >>> estimate_latency_ms("https://example.com/", rtt_ms=50, tls_version="1.2")
    250.0
    >>> trace_session(["https://a.com/1", "https://a.com:443/2", "http://a.com/3"])[1:]
    [['http_request', 'http_response'], ['tcp_handshake', 'http_request', 'http_response']]
    >>> parse_dig_answer("www.example.com.   300  IN  CNAME  example.com.")
    ('www.example.com', 300, 'CNAME', 'example.com')

The cost model of ``estimate_latency_ms`` counts round trips (RTTs) between client and
server, a simplification that is close to what you see in a browser's network panel:

========================  ======================================================
step                      round trips
========================  ======================================================
dns_lookup                1 (we pretend the resolver is as far away as the server)
tcp_handshake             1
tls_handshake             2 with TLS 1.2, 1 with TLS 1.3
http_request + response   1 together (the response comes back on that trip)
========================  ======================================================
"""

from __future__ import annotations

import ipaddress  # noqa: F401 - ip_address() tells names from addresses
from urllib.parse import urlsplit  # noqa: F401 - splits a URL into its parts

STEPS = ("dns_lookup", "tcp_handshake", "tls_handshake", "http_request", "http_response")
DEFAULT_PORTS = {"http": 80, "https": 443}
TLS_ROUND_TRIPS = {"1.2": 2, "1.3": 1}
RECORD_TYPES = ("A", "AAAA", "CNAME")


def connection_target(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) that a request to ``url`` connects to.

    Scheme and host come back in lower case (IPv6 hosts without their brackets); the
    port is the one written in the URL, or the default: 80 for http, 443 for https.
    Raises ValueError for another scheme, a missing host or a bad port.
    """
    # TODO (task 1): urllib.parse.urlsplit(url) gives .scheme, .hostname (already lower
    # case, brackets removed) and .port (None when absent; ValueError when bad). Check the
    # scheme and the host, then fill in the default port.
    raise NotImplementedError("connection_target is not written yet")


def trace_steps(url: str, cached_dns: bool = False, reused_connection: bool = False) -> list[str]:
    """The steps, in order, that one request to ``url`` goes through (names from STEPS).

    ``cached_dns``: the host's address is still in the DNS cache (no lookup needed).
    ``reused_connection``: an open keep-alive connection to the same scheme, host and port
    is reused, so only the request and response remain. A host that is an IP address never
    needs a DNS lookup; only https has a TLS handshake (the scheme decides, not the port).
    """
    # TODO (task 1): start from connection_target(url) (it also checks the URL), then
    # build the list step by step: the ipaddress module tells whether a host is an address.
    raise NotImplementedError("trace_steps is not written yet")


def estimate_latency_ms(
    url: str,
    rtt_ms: float,
    cached_dns: bool = False,
    reused_connection: bool = False,
    tls_version: str = "1.3",
) -> float:
    """The time one request to ``url`` takes in the module's cost model, as a float (ms).

    Counts the round trips of ``trace_steps(url, cached_dns, reused_connection)`` and
    multiplies by ``rtt_ms``. ``tls_version`` is "1.2" or "1.3" (always checked, even for
    http). Raises ValueError for another TLS version or a negative ``rtt_ms``.
    """
    # TODO (task 2): check tls_version and rtt_ms, then add up the round trips of the
    # steps trace_steps returns (see the table in the module docstring).
    raise NotImplementedError("estimate_latency_ms is not written yet")


def trace_session(urls: list[str]) -> list[list[str]]:
    """The steps of each request when one client fetches ``urls`` in order.

    The client starts with an empty DNS cache and no connections. Once a host has been
    looked up, its address stays cached (for the whole session). Every connection is
    kept alive and reused by later requests to the same (scheme, host, port) as
    ``connection_target`` gives it. Raises ValueError if any URL is invalid.
    """
    # TODO (task 3): remember which hosts were looked up and which (scheme, host, port)
    # connections are open; ask trace_steps for each URL with those two facts.
    raise NotImplementedError("trace_session is not written yet")


def parse_dig_answer(line: str) -> tuple[str, int, str, str]:
    """One line of dig's ANSWER SECTION as (name, ttl, record_type, value).

    The line has five fields separated by any spaces or tabs: name, TTL, class (IN),
    type, value. Only A, AAAA and CNAME records are understood (type in any case,
    returned in upper case). Names lose their final dot ("example.com." becomes
    "example.com"; a name written without one stays as it is) so they compare equal to
    URL hosts: the owner name, and for CNAME the target name in ``value``. Nothing else
    about a name changes. For A the value must be an IPv4 address, for AAAA an IPv6
    address (returned as written). The TTL is an int. Raises ValueError for anything
    else: comments (";"), a wrong number of fields, a TTL that is not a whole number of
    seconds, a class other than IN, another record type, or a bad address.
    """
    # TODO (task 4): line.split() copes with tabs and runs of spaces. Check each field
    # as the docstring says; str.removesuffix('.') drops a final dot only if there is one.
    raise NotImplementedError("parse_dig_answer is not written yet")
