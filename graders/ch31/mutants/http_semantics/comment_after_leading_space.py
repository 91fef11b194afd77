"""Mutant: looks for the ';' of a comment before stripping the line."""

from __future__ import annotations

METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")


def _method(method: str) -> str:
    """The method name in upper case; ValueError if it is not one of METHODS."""
    name = method.upper() if isinstance(method, str) else method
    if name not in METHODS:
        raise ValueError(f"unknown HTTP method {method!r}")
    return name


def _code(code: int) -> int:
    """The status code itself; ValueError if it is not an int from 100 to 599."""
    if not isinstance(code, int) or isinstance(code, bool) or not 100 <= code <= 599:
        raise ValueError(f"not an HTTP status code: {code!r}")
    return code


def is_safe(method: str) -> bool:
    """True if the method only reads: the server's state does not change.

    GET, HEAD and OPTIONS are safe; POST, PUT, PATCH and DELETE are not.
    """
    return _method(method) in {"GET", "HEAD", "OPTIONS"}


def is_idempotent(method: str) -> bool:
    """True if sending the request twice has the same effect on the server as sending it once.

    GET, HEAD, OPTIONS, PUT and DELETE are idempotent. POST is not (two POSTs create two
    tasks) and neither is PATCH (not necessarily: "add 1 to the counter" is a valid PATCH).
    """
    return _method(method) in {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}


def has_request_body(method: str) -> bool:
    """True if requests with this method usually carry a body.

    POST, PUT and PATCH do. GET, HEAD, DELETE and OPTIONS usually do not: a body on them
    has no defined meaning, and many servers and proxies ignore or reject it.
    """
    return _method(method) in {"POST", "PUT", "PATCH"}


def classify_status(code: int) -> str:
    """The class of a status code, from its first digit.

    1xx "informational", 2xx "success", 3xx "redirect", 4xx "client_error" (the request
    is wrong: fix it before trying again), 5xx "server_error" (the server failed).
    ValueError for codes outside 100-599.
    """
    classes = {
        1: "informational",
        2: "success",
        3: "redirect",
        4: "client_error",
        5: "server_error",
    }
    return classes[_code(code) // 100]


def access_status(authenticated: bool, allowed: bool) -> int:
    """The status a server sends for a request to a protected resource.

    ``authenticated`` says whether the request proved who is asking (valid credentials);
    ``allowed`` whether that user may do this. Not authenticated -> 401 Unauthorized
    (whatever ``allowed`` says: log in and try again); authenticated but not allowed -> 403
    Forbidden (logging in again will not help); both -> 200.
    """
    if not authenticated:
        return 401
    if not allowed:
        return 403
    return 200


def is_retryable(code: int, method: str) -> bool:
    """True if a client may automatically send the same request again after this answer.

    The rule:

    * 429 Too Many Requests: retryable for every method, POST included. The server
      refused the request without acting on it; wait, then try again.
    * 502, 503, 504 (a gateway or the server was unavailable): retryable only for
      idempotent methods. The request may have been carried out before the failure,
      and repeating a POST could create a second task.
    * Every other code is not retryable: 2xx and 3xx are not failures, any other 4xx
      will fail the same way again, and 500 is a bug that a retry does not fix.

    ValueError for an unknown method or a code outside 100-599.
    """
    code, idempotent = _code(code), is_idempotent(method)
    if code == 429:
        return True
    return code in {502, 503, 504} and idempotent


def parse_dig_line(line: str) -> tuple[str, int, str, str]:
    r"""Parse one answer line of ``dig`` output into ``(name, ttl, type, data)``.

    An answer line has five fields separated by tabs or spaces: name, TTL in seconds,
    class (IN), record type (A, AAAA, CNAME, ...) and data (an address, or a name for
    CNAME)::

        >>> parse_dig_line("www.example.com.\t3600\tIN\tCNAME\texample.com.")
        ('www.example.com.', 3600, 'CNAME', 'example.com.')

    The name and data are returned exactly as written (keep the final dot); the TTL is an
    int. Whitespace around the line is ignored. Raises ValueError for lines that are not
    answers: empty lines, comments (starting with ';'), lines without exactly five
    fields, or a TTL that is not a whole number.
    """
    text = line.strip()
    if not text or line.startswith(";"):
        raise ValueError(f"not an answer line: {line!r}")
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields, found {len(fields)}: {line!r}")
    name, ttl, _record_class, record_type, data = fields
    if not ttl.isdigit():
        raise ValueError(f"TTL is not a whole number: {ttl!r}")
    return name, int(ttl), record_type, data
