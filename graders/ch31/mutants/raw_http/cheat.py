"""Mutant: returns objects whose == is always True instead of real requests and responses."""

from __future__ import annotations


class _AgreesWithEverything(dict):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


class _BytesThatAgree(bytes):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


def build_request(method, host, path, headers=None, body=None):
    """Pretend to build a request."""
    return _BytesThatAgree(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")


def parse_response(raw):
    """Pretend to parse; refuse anything without a blank line, like the real thing."""
    if b"\r\n\r\n" not in raw or not raw.startswith(b"HTTP/"):
        raise ValueError("malformed")
    return _AgreesWithEverything()


def fetch(host, port, path, method="GET", headers=None, body=None):
    """Pretend to fetch."""
    return _AgreesWithEverything()
