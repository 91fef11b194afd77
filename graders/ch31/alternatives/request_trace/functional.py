"""Alternative (functional): urlsplit + ipaddress, a round-trip dict, dict-backed session state."""

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
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"unsupported scheme in {url!r}")
    if not parts.hostname:
        raise ValueError(f"no host in {url!r}")
    port = parts.port  # raises ValueError for a bad port
    return scheme, parts.hostname, DEFAULT_PORTS[scheme] if port is None else port


def trace_steps(url: str, cached_dns: bool = False, reused_connection: bool = False) -> list[str]:
    scheme, host, _port = connection_target(url)
    if reused_connection:
        return ["http_request", "http_response"]
    wanted = {
        "dns_lookup": not cached_dns and not _is_ip(host),
        "tcp_handshake": True,
        "tls_handshake": scheme == "https",
        "http_request": True,
        "http_response": True,
    }
    return [step for step in STEPS if wanted[step]]


def estimate_latency_ms(
    url: str,
    rtt_ms: float,
    cached_dns: bool = False,
    reused_connection: bool = False,
    tls_version: str = "1.3",
) -> float:
    if tls_version not in TLS_ROUND_TRIPS:
        raise ValueError(f"unknown TLS version {tls_version!r}")
    if rtt_ms < 0:
        raise ValueError("rtt_ms must not be negative")
    cost = {
        "dns_lookup": 1,
        "tcp_handshake": 1,
        "tls_handshake": TLS_ROUND_TRIPS[tls_version],
        "http_request": 1,
        "http_response": 0,
    }
    trips = sum(cost[s] for s in trace_steps(url, cached_dns, reused_connection))
    return float(trips * rtt_ms)


def trace_session(urls: list[str]) -> list[list[str]]:
    state: dict[str, set] = {"hosts": set(), "open": set()}
    out = []
    for url in urls:
        target = connection_target(url)
        out.append(trace_steps(url, target[1] in state["hosts"], target in state["open"]))
        state["hosts"].add(target[1])
        state["open"].add(target)
    return out


def parse_dig_answer(line: str) -> tuple[str, int, str, str]:
    if line.lstrip().startswith(";"):
        raise ValueError("comment line")
    fields = line.split()
    if len(fields) != 5:
        raise ValueError("an answer line has five fields")
    name, ttl, klass, rtype, value = fields
    if not (ttl.isascii() and ttl.isdigit()):
        raise ValueError(f"bad TTL {ttl!r}")
    if klass != "IN":
        raise ValueError(f"class {klass!r} is not IN")
    rtype = rtype.upper()
    if rtype == "A":
        ipaddress.IPv4Address(value)
    elif rtype == "AAAA":
        ipaddress.IPv6Address(value)
    elif rtype == "CNAME":
        value = value.removesuffix(".")
    else:
        raise ValueError(f"record type {rtype!r} not understood")
    return name.removesuffix("."), int(ttl), rtype, value
