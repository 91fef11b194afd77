"""Alternative (objects): a Client class with a DNS cache and a connection pool, regex TTL."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

STEPS = ("dns_lookup", "tcp_handshake", "tls_handshake", "http_request", "http_response")
DEFAULT_PORTS = {"http": 80, "https": 443}
TLS_ROUND_TRIPS = {"1.2": 2, "1.3": 1}
RECORD_TYPES = ("A", "AAAA", "CNAME")
_TTL = re.compile(r"[0-9]+")


def connection_target(url: str) -> tuple[str, str, int]:
    split = urlsplit(url)
    if split.scheme.lower() not in ("http", "https"):
        raise ValueError("only http and https URLs")
    host = split.hostname
    if host is None or host == "":
        raise ValueError("URL without a host")
    scheme = split.scheme.lower()
    return (scheme, host, split.port or DEFAULT_PORTS[scheme])


def trace_steps(url: str, cached_dns: bool = False, reused_connection: bool = False) -> list[str]:
    scheme, host, _ = connection_target(url)
    steps: list[str] = []
    if not reused_connection:
        try:
            ipaddress.ip_address(host)
            literal = True
        except ValueError:
            literal = False
        if not (cached_dns or literal):
            steps.append("dns_lookup")
        steps.append("tcp_handshake")
        if scheme == "https":
            steps.append("tls_handshake")
    return steps + ["http_request", "http_response"]


def estimate_latency_ms(
    url: str,
    rtt_ms: float,
    cached_dns: bool = False,
    reused_connection: bool = False,
    tls_version: str = "1.3",
) -> float:
    tls = TLS_ROUND_TRIPS.get(tls_version)
    if tls is None or not rtt_ms >= 0:
        raise ValueError("bad tls_version or rtt_ms")
    steps = trace_steps(url, cached_dns, reused_connection)
    trips = steps.count("dns_lookup") + steps.count("tcp_handshake") + 1
    trips += tls * steps.count("tls_handshake")
    return trips * float(rtt_ms)


class _Client:
    def __init__(self) -> None:
        self.resolved: set[str] = set()
        self.pool: set[tuple[str, str, int]] = set()

    def get(self, url: str) -> list[str]:
        target = connection_target(url)
        steps = trace_steps(url, target[1] in self.resolved, target in self.pool)
        self.resolved.add(target[1])
        self.pool.add(target)
        return steps


def trace_session(urls: list[str]) -> list[list[str]]:
    client = _Client()
    return [client.get(url) for url in urls]


def parse_dig_answer(line: str) -> tuple[str, int, str, str]:
    parts = line.split()
    if not parts or parts[0].startswith(";") or len(parts) != 5:
        raise ValueError(f"not an answer line: {line!r}")
    name, ttl, klass, kind, value = parts
    if not _TTL.fullmatch(ttl) or klass != "IN":
        raise ValueError(f"bad TTL or class in {line!r}")
    kind = kind.upper()
    if kind not in RECORD_TYPES:
        raise ValueError(f"unsupported record type {kind}")
    if kind == "A" and not isinstance(ipaddress.ip_address(value), ipaddress.IPv4Address):
        raise ValueError("A record needs an IPv4 address")
    if kind == "AAAA" and not isinstance(ipaddress.ip_address(value), ipaddress.IPv6Address):
        raise ValueError("AAAA record needs an IPv6 address")
    if kind == "CNAME":
        value = value[:-1] if value.endswith(".") else value
    return (name[:-1] if name.endswith(".") else name, int(ttl), kind, value)
