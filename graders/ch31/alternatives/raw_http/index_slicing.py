"""Alternative (offsets): regex status line, index arithmetic for chunks, bytearray recv loop."""

from __future__ import annotations

import re
import socket

CRLF = b"\r\n"
_STATUS = re.compile(r"HTTP/\d\.\d (\d{3})(?: (.*))?")


def build_request(
    method: str,
    host: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes | str | None = None,
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    data = b""
    if body is not None:
        data = body if isinstance(body, bytes) else body.encode("utf-8")
        lines.append("Content-Length: " + str(len(data)))
    head = "".join(line + "\r\n" for line in lines) + "\r\n"
    return head.encode("utf-8") + data


def _chunks(data: bytes) -> bytes:
    pieces = []
    pos = 0
    while True:
        end = data.find(CRLF, pos)
        if end < 0:
            raise ValueError("chunk size line never ends")
        size = int(data[pos:end].split(b";")[0], 16)
        start = end + 2
        if size == 0:
            return b"".join(pieces)
        if start + size > len(data):
            raise ValueError("chunk shorter than its size")
        pieces.append(data[start : start + size])
        pos = start + size + 2


def parse_response(raw: bytes) -> dict:
    cut = raw.find(b"\r\n\r\n")
    if cut < 0:
        raise ValueError("headers never end")
    head, rest = raw[:cut].decode("iso-8859-1"), raw[cut + 4 :]
    first, *fields = head.split("\r\n")
    match = _STATUS.fullmatch(first)
    if match is None:
        raise ValueError("malformed status line " + repr(first))
    headers: dict[str, str] = {}
    for field in fields:
        name, value = field.split(":", 1)
        name = name.strip().lower()
        if name in headers:
            headers[name] += ", " + value.strip()
        else:
            headers[name] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _chunks(rest)
    elif "content-length" in headers:
        length = int(headers["content-length"])
        if len(rest) < length:
            raise ValueError("body shorter than Content-Length")
        body = rest[:length]
    else:
        body = rest
    return {
        "status": int(match.group(1)),
        "reason": match.group(2) or "",
        "headers": headers,
        "body": body,
    }


def fetch(
    host: str,
    port: int,
    path: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | str | None = None,
) -> dict:
    sock = socket.create_connection((host, port))
    try:
        sock.sendall(build_request(method, f"{host}:{port}", path, headers, body))
        received = bytearray()
        while chunk := sock.recv(4096):
            received += chunk
    finally:
        sock.close()
    return parse_response(bytes(received))
