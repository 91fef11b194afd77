"""Mutant: looks at Content-Length before Transfer-Encoding, so a chunked body with both is cut, not decoded."""

from __future__ import annotations

import socket

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
    if isinstance(body, str):
        body = body.encode("utf-8")
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: close"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    head = "\r\n".join(lines).encode("latin-1") + CRLF + CRLF
    return head + (body or b"")


def _decode_chunked(data: bytes) -> bytes:
    """Join the chunks of a chunked body: ``size-in-hex CRLF data CRLF``, ending with size 0."""
    body = bytearray()
    position = 0
    while True:
        line_end = data.find(CRLF, position)
        if line_end == -1:
            raise ValueError("chunked body ends before its last chunk")
        size_text = data[position:line_end].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise ValueError(f"bad chunk size {size_text!r}") from None
        if size == 0:
            return bytes(body)  # trailers after the last chunk are ignored
        start = line_end + 2
        chunk = data[start : start + size]
        if len(chunk) < size:
            raise ValueError("chunked body ends in the middle of a chunk")
        body += chunk
        position = start + size + 2  # skip the CRLF that follows the chunk data


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
    head, separator, rest = raw.partition(CRLF + CRLF)
    if not separator:
        raise ValueError("no blank line (CRLF CRLF) after the headers")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ValueError(f"bad status line {status_line!r}")
    status = int(parts[1])
    reason = parts[2].strip() if len(parts) == 3 else ""

    headers: dict[str, str] = {}
    for line in header_lines:
        name, colon, value = line.partition(":")
        if not colon:
            raise ValueError(f"bad header line {line!r}")
        name, value = name.strip().lower(), value.strip()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value

    if "content-length" in headers:
        length = int(headers["content-length"])
        if len(rest) < length:
            raise ValueError(f"body has {len(rest)} bytes, Content-Length says {length}")
        body = rest[:length]
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        body = _decode_chunked(rest)
    else:
        body = rest
    return {"status": status, "reason": reason, "headers": headers, "body": body}


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
    request = build_request(method, f"{host}:{port}", path, headers, body)
    pieces = []
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(request)
        while True:
            piece = sock.recv(65536)
            if not piece:
                break
            pieces.append(piece)
    return parse_response(b"".join(pieces))
