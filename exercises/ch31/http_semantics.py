"""Chapter 31 exercise: what HTTP methods and status codes promise.

A client that retries a request, a cache that stores an answer, or a TaskForge handler
that picks a status code all rely on the same few facts about HTTP. Here you turn those
facts into small functions that return plain values:

    >>> is_idempotent("put")
    True
    >>> classify_status(503)
    'server_error'
    >>> is_retryable(503, "POST")
    False
    >>> parse_dig_line("example.com.  300  IN  A  93.184.216.34")
    ('example.com.', 300, 'A', '93.184.216.34')

The methods this module knows are GET, HEAD, OPTIONS, POST, PUT, PATCH and DELETE, in any
letter case ("get", "Get" and "GET" are the same method). Any other method name raises
ValueError. Status codes are ints from 100 to 599; anything else raises ValueError.

Your tasks:

1. ``is_safe``, ``is_idempotent`` and ``has_request_body``: the properties of each method.
2. ``classify_status`` and ``access_status``: status code classes, and 401 versus 403.
3. ``is_retryable``: when may a client send the same request again?
4. ``parse_dig_line``: read one answer line of ``dig`` output.
"""

from __future__ import annotations

METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")


def is_safe(method: str) -> bool:
    """True if the method only reads: the server's state does not change.

    GET, HEAD and OPTIONS are safe; POST, PUT, PATCH and DELETE are not.
    """
    # TODO (task 1): upper-case the name, refuse names not in METHODS, then decide.
    raise NotImplementedError("is_safe is not written yet")


def is_idempotent(method: str) -> bool:
    """True if sending the request twice has the same effect on the server as sending it once.

    GET, HEAD, OPTIONS, PUT and DELETE are idempotent. POST is not (two POSTs create two
    tasks) and neither is PATCH (not necessarily: "add 1 to the counter" is a valid PATCH).
    """
    # TODO (task 1): same checks as is_safe; which methods can be repeated safely?
    raise NotImplementedError("is_idempotent is not written yet")


def has_request_body(method: str) -> bool:
    """True if requests with this method usually carry a body.

    POST, PUT and PATCH do. GET, HEAD, DELETE and OPTIONS usually do not: a body on them
    has no defined meaning, and many servers and proxies ignore or reject it.
    """
    # TODO (task 1): same checks; which methods send data to the server?
    raise NotImplementedError("has_request_body is not written yet")


def classify_status(code: int) -> str:
    """The class of a status code, from its first digit.

    1xx "informational", 2xx "success", 3xx "redirect", 4xx "client_error" (the request
    is wrong: fix it before trying again), 5xx "server_error" (the server failed).
    ValueError for codes outside 100-599.
    """
    # TODO (task 2): refuse codes outside 100-599, then look at the first digit.
    raise NotImplementedError("classify_status is not written yet")


def access_status(authenticated: bool, allowed: bool) -> int:
    """The status a server sends for a request to a protected resource.

    ``authenticated`` says whether the request proved who is asking (valid credentials);
    ``allowed`` whether that user may do this. Not authenticated -> 401 Unauthorized
    (whatever ``allowed`` says: log in and try again); authenticated but not allowed -> 403
    Forbidden (logging in again will not help); both -> 200.
    """
    # TODO (task 2): first "who are you?" (401), then "may you?" (403).
    raise NotImplementedError("access_status is not written yet")


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
    # TODO (task 3): check both arguments, then apply the three rules above.
    raise NotImplementedError("is_retryable is not written yet")


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
    # TODO (task 4): strip, refuse empty lines and comments, split into fields,
    # check there are five and the TTL is a number, and drop the class.
    raise NotImplementedError("parse_dig_line is not written yet")
