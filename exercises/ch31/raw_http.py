r"""Chapter 31 exercise: speak HTTP/1.1 yourself, over a plain TCP socket.

Libraries like ``requests`` hide the protocol. Here you write it by hand: HTTP/1.1 is
text lines ending in CRLF (``b"\r\n"``), a blank line, then the body bytes. A GET looks
like this on the wire::

    GET /tasks HTTP/1.1\r\n
    Host: 127.0.0.1:8000\r\n
    Connection: close\r\n
    \r\n

and the server answers with a status line, headers, a blank line and the body::

    HTTP/1.1 200 OK\r\n
    Content-Type: text/plain\r\n
    Content-Length: 5\r\n
    \r\n
    hello

Your four tasks:

1. ``build_request`` turns a method, host, path, headers and body into request bytes.
2. ``parse_response`` splits response bytes into status, reason, headers and body, using
   ``Content-Length`` to know where the body ends.
3. ``parse_response`` also decodes ``Transfer-Encoding: chunked`` bodies.
4. ``fetch`` connects with ``socket.create_connection``, sends a request, reads the whole
   answer and parses it.

A parsed response is a plain dict::

    >>> parse_response(b"HTTP/1.1 404 Not Found\r\nContent-Length: 4\r\n\r\nnope")
    {'status': 404, 'reason': 'Not Found', 'headers': {'content-length': '4'}, 'body': b'nope'}

Header names are case-insensitive in HTTP, so the ``headers`` dict always uses lower-case
names; values keep their case, with the spaces around them removed.
"""

from __future__ import annotations

import socket  # noqa: F401 - you will need it in fetch

CRLF = b"\r\n"


def build_request(
    method: str,
    host: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes | str | None = None,
) -> bytes:
    r"""Return the bytes of one HTTP/1.1 request.

    The request line is ``METHOD path HTTP/1.1``; then come a ``Host: host`` header, a
    ``Connection: close`` header, every entry of ``headers`` as ``Name: value``, and, only
    when ``body`` is not None, a ``Content-Length`` header with the body's size in bytes
    (a str body is encoded as UTF-8 first). Every line ends with CRLF; a blank line (CRLF)
    ends the headers, and the body bytes follow.

        >>> build_request("GET", "example.com", "/")
        b'GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n'
    """
    # TODO (task 1): the request line, Host, Connection: close, the extra headers and
    # (only when body is not None) Content-Length, each line ending in CRLF; then a blank
    # line and the body. Encode a str body as UTF-8 BEFORE measuring its length.
    raise NotImplementedError("build_request is not written yet")


def parse_response(raw: bytes) -> dict:
    """Parse one complete HTTP/1.1 response into a plain dict.

    Returns ``{"status": int, "reason": str, "headers": {lower-case name: value},
    "body": bytes}``. Header values have their surrounding spaces removed; a header sent
    more than once has its values joined with ``", "``. The body is found like this:

    * ``Transfer-Encoding: chunked``: the chunks are decoded and joined;
    * otherwise ``Content-Length: N``: the N bytes after the blank line;
    * otherwise everything after the blank line.

    Raises ValueError if there is no blank line after the headers, if the status line is
    not ``HTTP/x.y CODE reason`` (the reason may be empty), or if the body is shorter than
    Content-Length or the chunks say.
    """
    # TODO (task 2): split the head from the body at the first CRLF CRLF; parse the status
    # line and the "Name: value" lines; cut the body to Content-Length.
    # TODO (task 3): when Transfer-Encoding is chunked, decode the chunks instead:
    # a hex size line, that many bytes, CRLF ... until a chunk of size 0.
    raise NotImplementedError("parse_response is not written yet")


def fetch(
    host: str,
    port: int,
    path: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | str | None = None,
) -> dict:
    """Send one request to ``host:port`` over TCP and return ``parse_response`` of the answer.

    Connect with ``socket.create_connection((host, port))``, send
    ``build_request(method, f"{host}:{port}", path, headers, body)`` (all of it), then read
    until the server closes the connection: one ``recv`` may return only part of the
    answer. A 404 or 500 is an answer like any other: return it, do not raise.
    """
    # TODO (task 4): connect, sendall the request, recv in a loop until it returns b"",
    # then parse what you collected.
    raise NotImplementedError("fetch is not written yet")
