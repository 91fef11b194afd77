"""Mutant: returns objects whose == is always True instead of real answers (a cheat)."""

from __future__ import annotations


class _AgreesList(list):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


class _AgreesTuple(tuple):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


class _AgreesFloat(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


def _check(url):
    if not url.lower().startswith(("http://", "https://")) or url.lower() in (
        "http://",
        "https://",
    ):
        raise ValueError(url)


def connection_target(url):
    """Pretend."""
    _check(url)
    return _AgreesTuple()


def trace_steps(url, cached_dns=False, reused_connection=False):
    """Pretend."""
    _check(url)
    return _AgreesList()


def estimate_latency_ms(url, rtt_ms, cached_dns=False, reused_connection=False, tls_version="1.3"):
    """Pretend."""
    if tls_version not in ("1.2", "1.3") or rtt_ms < 0:
        raise ValueError("no")
    return _AgreesFloat(0)


def trace_session(urls):
    """Pretend."""
    for url in urls:
        _check(url)
    return _AgreesList()


def parse_dig_answer(line):
    """Pretend."""
    if len(line.split()) != 5 or line.lstrip().startswith(";"):
        raise ValueError(line)
    return _AgreesTuple()
