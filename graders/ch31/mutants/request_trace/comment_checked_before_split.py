"""Mutant: looks for a comment's ';' at the very start of the line, before the spaces are split off."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

STEPS = ("dns_lookup", "tcp_handshake", "tls_handshake", "http_request", "http_response")
DEFAULT_PORTS = {"http": 80, "https": 443}
TLS_ROUND_TRIPS = {"1.2": 2, "1.3": 1}
RECORD_TYPES = ("A", "AAAA", "CNAME")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def connection_target(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) that a request to ``url`` connects to.

    Scheme and host come back in lower case (IPv6 hosts without their brackets); the
    port is the one written in the URL, or the default: 80 for http, 443 for https.
    Raises ValueError for another scheme, a missing host or a bad port.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"only http:// and https:// URLs are supported, got {url!r}")
    host = parts.hostname
    if not host:
        raise ValueError(f"no host in {url!r}")
    port = parts.port  # raises ValueError for a port that is not a number in 0..65535
    return scheme, host, port if port is not None else DEFAULT_PORTS[scheme]


def trace_steps(url: str, cached_dns: bool = False, reused_connection: bool = False) -> list[str]:
    """The steps, in order, that one request to ``url`` goes through (names from STEPS).

    ``cached_dns``: the host's address is still in the DNS cache (no lookup needed).
    ``reused_connection``: an open keep-alive connection to the same scheme, host and port
    is reused, so only the request and response remain. A host that is an IP address never
    needs a DNS lookup; only https has a TLS handshake (the scheme decides, not the port).
    """
    scheme, host, _ = connection_target(url)
    if reused_connection:
        return ["http_request", "http_response"]
    steps = []
    if not cached_dns and not _is_ip(host):
        steps.append("dns_lookup")
    steps.append("tcp_handshake")
    if scheme == "https":
        steps.append("tls_handshake")
    return [*steps, "http_request", "http_response"]


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
    if tls_version not in TLS_ROUND_TRIPS:
        raise ValueError(f"tls_version must be '1.2' or '1.3', got {tls_version!r}")
    if rtt_ms < 0:
        raise ValueError(f"rtt_ms cannot be negative, got {rtt_ms}")
    costs = {
        "dns_lookup": 1,
        "tcp_handshake": 1,
        "tls_handshake": TLS_ROUND_TRIPS[tls_version],
        "http_request": 1,
        "http_response": 0,
    }
    round_trips = sum(costs[step] for step in trace_steps(url, cached_dns, reused_connection))
    return float(round_trips * rtt_ms)


def trace_session(urls: list[str]) -> list[list[str]]:
    """The steps of each request when one client fetches ``urls`` in order.

    The client starts with an empty DNS cache and no connections. Once a host has been
    looked up, its address stays cached (for the whole session). Every connection is
    kept alive and reused by later requests to the same (scheme, host, port) as
    ``connection_target`` gives it. Raises ValueError if any URL is invalid.
    """
    targets = [connection_target(url) for url in urls]
    resolved: set[str] = set()
    open_connections: set[tuple[str, str, int]] = set()
    trace = []
    for url, target in zip(urls, targets, strict=True):
        host = target[1]
        trace.append(trace_steps(url, host in resolved, target in open_connections))
        resolved.add(host)
        open_connections.add(target)
    return trace


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
    fields = line.split()
    if not fields or line.startswith(";"):
        raise ValueError(f"not an answer line: {line!r}")
    if len(fields) != 5:
        raise ValueError(f"an answer line has 5 fields, this has {len(fields)}: {line!r}")
    name, ttl, record_class, record_type, value = fields
    if not (ttl.isascii() and ttl.isdigit()):
        raise ValueError(f"TTL must be a whole number of seconds, got {ttl!r}")
    if record_class.upper() != "IN":
        raise ValueError(f"class must be IN, got {record_class!r}")
    record_type = record_type.upper()
    if record_type == "A":
        ipaddress.IPv4Address(value)  # raises ValueError (AddressValueError) if it is not
    elif record_type == "AAAA":
        ipaddress.IPv6Address(value)
    elif record_type == "CNAME":
        value = value.removesuffix(".")
    else:
        raise ValueError(f"record type {record_type!r} is not one of {RECORD_TYPES}")
    return name.removesuffix("."), int(ttl), record_type, value
