"""Grader for ch31/request_trace: the steps and cost of a request, keep-alive, reading dig.

Every expected answer is derived here from the brief's rules: the steps by scheme, DNS
cache, reuse and IP-literal hosts; the round-trip cost model with TLS 1.2 / 1.3; a client
session with a DNS cache per host and keep-alive connections per (scheme, host, port)
with default ports filled in; and dig answer lines with odd whitespace, letter case, A,
AAAA and CNAME records, names with and without their final dot, and lines that must be
refused. A random 40-request session is checked against the judge's own model.
"""

from __future__ import annotations

import ipaddress
import random
from urllib.parse import urlsplit

import pytest
from hypothesis import strategies as st

from graders.acts import attempt
from graders.differential import agree
from graders.harness import Outcome

EXERCISE = "ch31/request_trace"

ALL = ["dns_lookup", "tcp_handshake", "tls_handshake", "http_request", "http_response"]
PLAIN = ["dns_lookup", "tcp_handshake", "http_request", "http_response"]
REUSED = ["http_request", "http_response"]


def without(steps: list[str], *names: str) -> list[str]:
    return [step for step in steps if step not in names]


# -- the judge's own model (for the random session) -------------------------------------
def model_target(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, parts.hostname, parts.port or {"http": 80, "https": 443}[scheme]


def model_steps(url: str, cached: bool, reused: bool) -> list[str]:
    scheme, host, _ = model_target(url)
    if reused:
        return list(REUSED)
    steps = ALL if scheme == "https" else PLAIN
    try:
        ipaddress.ip_address(host)
        is_ip = True
    except ValueError:
        is_ip = False
    return without(steps, "dns_lookup") if cached or is_ip else list(steps)


def model_session(urls: list[str]) -> list[list[str]]:
    resolved, connections, trace = set(), set(), []
    for url in urls:
        target = model_target(url)
        trace.append(model_steps(url, target[1] in resolved, target in connections))
        resolved.add(target[1])
        connections.add(target)
    return trace


# -- tasks 2 and 3 run on the judge's task 1 ------------------------------------------------
def _judge_connection_target(url):
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"cannot follow {url!r}")
    port = parts.port
    return scheme, parts.hostname, {"http": 80, "https": 443}[scheme] if port is None else port


def _judge_trace_steps(url, cached_dns=False, reused_connection=False):
    _judge_connection_target(url)
    return model_steps(url, cached_dns, reused_connection)


def act_on_judge_steps(module, func, args, kwargs):
    """Call func with the judge's connection_target and trace_steps in the module.

    estimate_latency_ms and trace_session are specified on top of task 1's functions; the
    judge's versions stand in while they run, so a task 1 mistake costs only task 1 (code
    that does the work itself is judged on that).
    """
    saved = module.connection_target, module.trace_steps
    module.connection_target, module.trace_steps = _judge_connection_target, _judge_trace_steps
    try:
        return attempt(getattr(module, func), *args, **kwargs)
    finally:
        module.connection_target, module.trace_steps = saved


def call_on_judge_steps(learner, func, *args, **kwargs) -> Outcome:
    shown = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    call = f"{func}({', '.join(shown)})"
    record = learner.run(act_on_judge_steps, func, args, kwargs, call=call).value()
    return Outcome.from_attempt(call, record)


# -- task 1: connection_target and trace_steps ---------------------------------------------
TARGETS = [
    ("https://example.com/tasks", ("https", "example.com", 443)),
    ("http://example.com", ("http", "example.com", 80)),
    ("HTTP://Example.COM:8080/x?y=1#z", ("http", "example.com", 8080)),
    ("https://api.example.com:8443", ("https", "api.example.com", 8443)),
    ("http://[::1]:5000/health", ("http", "::1", 5000)),
    ("https://127.0.0.1/", ("https", "127.0.0.1", 443)),
    ("http://user:secret@host.example/", ("http", "host.example", 80)),
]


@pytest.mark.task(1)
@pytest.mark.parametrize("url, expected", TARGETS, ids=[t[0] for t in TARGETS])
def test_connection_target(learner, url, expected):
    """connection_target gives (scheme, host, port), lower-cased, with default ports"""
    learner.call("connection_target", url).expect(
        expected, note="http defaults to port 80, https to 443; a port in the URL wins"
    )


BAD_URLS = [
    "ftp://example.com/file",
    "example.com",
    "https://",
    "http://example.com:99999/",
    "http://example.com:port/",
    "",
]


@pytest.mark.task(1)
@pytest.mark.parametrize("url", BAD_URLS)
def test_bad_urls_are_refused(learner, url):
    """connection_target and trace_steps raise ValueError for URLs they cannot follow"""
    learner.call("connection_target", url).expect_raises(ValueError)
    learner.call("trace_steps", url).expect_raises(ValueError)


STEP_CASES = [
    ("https://example.com/", {}, ALL, "a first https request does everything"),
    ("http://example.com/", {}, PLAIN, "plain http has no TLS handshake"),
    (
        "https://example.com/",
        {"cached_dns": True},
        without(ALL, "dns_lookup"),
        "a cached address needs no DNS lookup",
    ),
    (
        "http://example.com/a",
        {"cached_dns": True},
        without(PLAIN, "dns_lookup"),
        "a cached address needs no DNS lookup",
    ),
    (
        "https://example.com/",
        {"reused_connection": True},
        REUSED,
        "a reused keep-alive connection needs no DNS, TCP or TLS",
    ),
    (
        "http://example.com/",
        {"cached_dns": True, "reused_connection": True},
        REUSED,
        "a reused keep-alive connection needs no DNS, TCP or TLS",
    ),
    ("http://example.com:443/", {}, PLAIN, "the scheme decides TLS, not the port: http has none"),
    ("https://example.com:80/", {}, ALL, "the scheme decides TLS, not the port: https has it"),
    (
        "https://127.0.0.1:8443/",
        {},
        without(ALL, "dns_lookup"),
        "an IP address needs no DNS lookup",
    ),
    ("http://[::1]/", {}, without(PLAIN, "dns_lookup"), "an IP address needs no DNS lookup"),
]


@pytest.mark.task(1)
@pytest.mark.parametrize(
    "url, flags, expected, why",
    STEP_CASES,
    ids=[f"{c[0]}-{'-'.join(c[1]) or 'fresh'}" for c in STEP_CASES],
)
def test_trace_steps(learner, url, flags, expected, why):
    """trace_steps lists the steps in order, skipping what caching and keep-alive save"""
    learner.call("trace_steps", url, **flags).expect(expected, note=why)


# -- task 2: estimate_latency_ms ------------------------------------------------------------
LATENCY_CASES = [
    ("https://example.com/", 50, {}, 200.0, "DNS 1 + TCP 1 + TLS 1.3 1 + HTTP 1 = 4 RTT"),
    ("https://example.com/", 50, {"tls_version": "1.3"}, 200.0, "TLS 1.3 takes 1 RTT"),
    ("https://example.com/", 50, {"tls_version": "1.2"}, 250.0, "TLS 1.2 takes 2 RTT"),
    ("http://example.com/", 50, {"tls_version": "1.2"}, 150.0, "http has no TLS at all"),
    ("https://example.com/", 20, {"cached_dns": True}, 60.0, "no DNS: TCP + TLS + HTTP"),
    (
        "https://example.com/",
        80,
        {"reused_connection": True, "tls_version": "1.2"},
        80.0,
        "a reused connection costs one round trip",
    ),
    ("https://10.0.0.7/", 10, {"tls_version": "1.2"}, 40.0, "an IP address needs no DNS"),
    ("https://example.com/", 12.5, {}, 50.0, "rtt_ms may be a float"),
    ("http://example.com/", 0, {}, 0.0, "zero RTT costs nothing, as a float"),
    ("http://example.com/", 7, {"cached_dns": True}, 14.0, "TCP + HTTP"),
]


@pytest.mark.task(2)
@pytest.mark.parametrize(
    "url, rtt, flags, expected, why",
    LATENCY_CASES,
    ids=[
        f"{c[0]}-{c[1]}-{'-'.join(f'{k}={v}' for k, v in c[2].items()) or 'fresh'}"
        for c in LATENCY_CASES
    ],
)
def test_estimate_latency_ms(learner, url, rtt, flags, expected, why):
    """estimate_latency_ms counts round trips by the documented cost model"""
    call_on_judge_steps(learner, "estimate_latency_ms", url, rtt, **flags).expect(
        expected, note=why, places=9
    )


@pytest.mark.task(2)
@pytest.mark.parametrize(
    "flags",
    [{"tls_version": "1.1"}, {"tls_version": "TLSv1.3"}, {"tls_version": "1.0"}, {"rtt_ms": -1}],
    ids=["tls_1.1", "tls_TLSv1.3", "tls_1.0_for_http", "negative_rtt"],
)
def test_estimate_latency_refuses_bad_input(learner, flags):
    """estimate_latency_ms raises ValueError for an unknown TLS version or a negative RTT"""
    url = "http://example.com/" if flags.get("tls_version") == "1.0" else "https://example.com/"
    arguments = {"rtt_ms": 30} | flags
    call_on_judge_steps(learner, "estimate_latency_ms", url, **arguments).expect_raises(ValueError)


# -- task 3: trace_session --------------------------------------------------------------------
SESSIONS = [
    (["https://a.com/1", "https://a.com/2"], [ALL, REUSED], "the second request reuses"),
    (
        ["https://a.com/", "https://a.com:443/x", "https://A.COM/y"],
        [ALL, REUSED, REUSED],
        "a.com, a.com:443 and A.COM are the same (scheme, host, port)",
    ),
    (
        ["http://a.com/", "https://a.com/"],
        [PLAIN, ["tcp_handshake", "tls_handshake", *REUSED]],
        "port 80 and port 443 are two connections; the address is cached",
    ),
    (
        ["https://a.com/", "http://a.com:443/"],
        [ALL, ["tcp_handshake", *REUSED]],
        "same host and port but another scheme: a new (plain) connection",
    ),
    (
        ["https://a.com/", "https://www.a.com/", "https://a.com/z"],
        [ALL, ALL, REUSED],
        "www.a.com is another host: its own DNS lookup and connection",
    ),
    (
        ["https://a.com:8443/", "https://a.com/"],
        [ALL, ["tcp_handshake", "tls_handshake", *REUSED]],
        "another port is another connection",
    ),
    (
        ["http://127.0.0.1:5000/", "http://127.0.0.1:5000/x", "http://localhost:5000/"],
        [without(PLAIN, "dns_lookup"), REUSED, PLAIN],
        "an IP address needs no lookup; localhost is a name to look up",
    ),
    ([], [], "no URLs, no steps"),
]


@pytest.mark.task(3)
@pytest.mark.parametrize(
    "urls, expected, why", SESSIONS, ids=[f"session_{i}" for i in range(len(SESSIONS))]
)
def test_trace_session(learner, urls, expected, why):
    """trace_session caches addresses per host and reuses connections per (scheme, host, port)"""
    call_on_judge_steps(learner, "trace_session", urls).expect(expected, note=why)


@pytest.mark.task(3)
def test_trace_session_random_40_requests(learner):
    """a random session of 40 requests over 10 URL spellings matches the model"""
    rng = random.Random(31)
    pool = [
        "https://a.com/",
        "https://A.com:443/x",
        "http://a.com/",
        "http://a.com:80/y",
        "https://b.org/",
        "http://b.org:8080/",
        "https://b.org:8080/",
        "http://10.1.2.3/",
        "https://c.net/",
        "http://c.net:443/",
    ]
    urls = [rng.choice(pool) for _ in range(40)]
    call_on_judge_steps(learner, "trace_session", urls).expect(model_session(urls))


@pytest.mark.task(3)
def test_trace_session_refuses_a_bad_url(learner):
    """trace_session raises ValueError if one of the URLs is invalid"""
    call_on_judge_steps(learner, "trace_session", ["https://a.com/", "ftp://b.com/"]).expect_raises(
        ValueError
    )


# -- task 4: parse_dig_answer -----------------------------------------------------------------
DIG_LINES = [
    ("example.com.\t\t300\tIN\tA\t93.184.216.34", ("example.com", 300, "A", "93.184.216.34")),
    (
        "  www.example.com.   3600  IN   CNAME   example.com.  ",
        ("www.example.com", 3600, "CNAME", "example.com"),
    ),
    (
        "example.com.\t86400\tIN\tAAAA\t2606:2800:220:1:248:1893:25c8:1946",
        ("example.com", 86400, "AAAA", "2606:2800:220:1:248:1893:25c8:1946"),
    ),
    ("api.taskforge.dev. 0 IN A 10.0.0.7", ("api.taskforge.dev", 0, "A", "10.0.0.7")),
    (
        "cdn.example.net.\t59\tIN\tcname\tedge.example-cdn.com.",
        ("cdn.example.net", 59, "CNAME", "edge.example-cdn.com"),
    ),
    ("localhost 60 IN A 127.0.0.1", ("localhost", 60, "A", "127.0.0.1")),
    ("localhost. 60 IN AAAA ::1", ("localhost", 60, "AAAA", "::1")),
    (
        "Mixed.Case.Example. 5 IN CNAME Target.Example.",
        ("Mixed.Case.Example", 5, "CNAME", "Target.Example"),
    ),
]


@pytest.mark.task(4)
@pytest.mark.parametrize("line, expected", DIG_LINES, ids=[f"line_{i}" for i in range(8)])
def test_parse_dig_answer(learner, line, expected):
    """parse_dig_answer returns (name, ttl as int, type, value) with final dots dropped"""
    learner.call("parse_dig_answer", line).expect(
        expected,
        note="split on any whitespace; TTL is an int; drop the final dot of the name "
        "and of a CNAME's target (only if there is one), nothing else",
    )


BAD_LINES = [
    "",
    "   \t  ",
    ";; ANSWER SECTION:",
    ";example.com.\t\t\tIN\tA",
    "example.com. 300 IN A",
    "example.com. 300 IN A 93.184.216.34 extra",
    "example.com. abc IN A 93.184.216.34",
    "example.com. -5 IN A 93.184.216.34",
    "example.com. 3.5 IN A 93.184.216.34",
    "example.com. 300 CH A 93.184.216.34",
    "example.com. 300 IN MX mail.example.com.",
    "example.com. 300 IN A 999.1.1.1",
    "example.com. 300 IN AAAA 93.184.216.34",
    "example.com. 300 IN A ::1",
]


@pytest.mark.task(4)
@pytest.mark.parametrize("line", BAD_LINES, ids=[f"bad_{i}" for i in range(len(BAD_LINES))])
def test_parse_dig_answer_refuses(learner, line):
    """parse_dig_answer raises ValueError for lines that are not A/AAAA/CNAME answers"""
    learner.call("parse_dig_answer", line).expect_raises(ValueError)


def act_two_sessions(module, urls):
    """Two sessions one after the other in the same process: the second must start empty."""
    return [
        act_on_judge_steps(module, "trace_session", (urls,), {}),
        act_on_judge_steps(module, "trace_session", (urls,), {}),
    ]


@pytest.mark.task(3)
def test_each_session_starts_empty(learner):
    """a second trace_session call starts again with no cached address and no connection"""
    urls = ["https://a.com/1", "http://b.org/2"]
    call = f"trace_session({urls!r}); then trace_session({urls!r}) again"
    first, second = learner.run(act_two_sessions, urls, call=call).value("both sessions to run")
    Outcome.from_attempt(f"trace_session({urls!r})", first).expect(model_session(urls))
    Outcome.from_attempt(call, second).expect(
        model_session(urls),
        note="the second session repeated the first one's DNS lookups and handshakes only "
        "if nothing was kept between calls: keep the cache and the connections inside the "
        "call, not at module level or in a default argument",
    )


# -- generated dig lines, judged against the stub's rules -----------------------------------
def dig_answer_rule(line):
    """parse_dig_answer as the stub states it (class IN as dig writes it)."""
    fields = line.split()
    if len(fields) != 5 or fields[0].startswith(";"):
        raise ValueError("not an answer")
    name, ttl, klass, record_type, value = fields
    record_type = record_type.upper()
    if not (ttl.isascii() and ttl.isdigit()) or klass != "IN" or record_type not in RECORDS:
        raise ValueError("not an A, AAAA or CNAME answer")
    try:
        if record_type == "A":
            ipaddress.IPv4Address(value)
        elif record_type == "AAAA":
            ipaddress.IPv6Address(value)
    except ValueError:  # the stub promises ValueError, not ipaddress's own subclass
        raise ValueError(f"bad address {value!r}") from None
    if record_type == "CNAME":
        value = value.removesuffix(".")
    return (name.removesuffix("."), int(ttl), record_type, value)


RECORDS = ("A", "AAAA", "CNAME")
GAP = st.text(alphabet=" \t", min_size=1, max_size=3)
EDGE = st.sampled_from(["", " ", "\t", "  \n"])
NAMES = st.sampled_from(["example.com.", "Www.Example.com.", "localhost", "a-b.test.", "x."])
VALUES = {  # mostly values that fit the type, some that do not
    "A": ["93.184.216.34", "10.0.0.7", "0.0.0.0", "999.1.1.1", "::1"],
    "AAAA": ["::1", "2606:4700::6810:85e5", "fe80::1", "fe80::zz", "10.0.0.7"],
    "CNAME": ["example.com.", "Target.Example", "cdn.example.net.", "."],
    "MX": ["mail.example.com."],
    "TXT": ["v=spf1"],
}


@st.composite
def dig_lines(draw):
    """Answer lines with any spacing and letter case, and near misses of every kind."""
    record_type = draw(st.sampled_from(["A", "AAAA", "CNAME", "A", "AAAA", "CNAME", "MX", "TXT"]))
    values = [
        draw(NAMES),
        draw(
            st.one_of(st.integers(0, 10**7).map(str), st.sampled_from(["ten", "3.5", "-5", "1e3"]))
        ),
        draw(st.sampled_from(["IN", "IN", "IN", "CH", "HS"])),
        draw(st.sampled_from([record_type, record_type.lower(), record_type.capitalize()])),
        draw(st.sampled_from(VALUES[record_type])),
    ]
    shape = draw(st.sampled_from(["answer"] * 4 + ["short", "long", "comment", "comment"]))
    if shape == "short":
        del values[draw(st.integers(0, len(values) - 1))]
    elif shape == "long":
        values.append(draw(NAMES))
    line = values[0]
    for value in values[1:]:
        line += draw(GAP) + value
    if shape == "comment":
        line = ";" + draw(st.sampled_from(["", ";"])) + line
    return draw(EDGE) + line + draw(EDGE)


@pytest.mark.task(4)
def test_dig_answers_for_generated_lines(learner):
    """parse_dig_answer agrees with the stated rules for generated lines and near misses"""
    agree(learner, "parse_dig_answer", dig_answer_rule, st.tuples(dig_lines()), max_examples=80)
