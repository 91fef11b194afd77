"""Alternative (stream): parse with io.BytesIO.readline like a socket file; fetch via makefile."""

from __future__ import annotations

import io
import socket

CRLF = b"\r\n"


def build_request(
    method: str,
    host: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes | str | None = None,
) -> bytes:
    out = io.BytesIO()
    out.write(f"{method} {path} HTTP/1.1\r\n".encode())
    out.write(f"Host: {host}\r\nConnection: close\r\n".encode())
    for name, value in (headers or {}).items():
        out.write(f"{name}: {value}\r\n".encode())
    payload = body.encode("utf-8") if isinstance(body, str) else body
    if payload is not None:
        out.write(b"Content-Length: %d\r\n" % len(payload))
    out.write(CRLF)
    if payload:
        out.write(payload)
    return out.getvalue()


def _read_exactly(stream: io.BytesIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise ValueError(f"body too short: wanted {size} bytes, got {len(data)}")
    return data


def _dechunk(stream: io.BytesIO) -> bytes:
    out = bytearray()
    while True:
        line = stream.readline()
        if not line.endswith(CRLF):
            raise ValueError("truncated chunk size line")
        size = int(line[:-2].split(b";", 1)[0].strip(), 16)
        if size == 0:
            return bytes(out)
        out += _read_exactly(stream, size)
        if stream.read(2) != CRLF:
            raise ValueError("chunk not followed by CRLF")


def parse_response(raw: bytes) -> dict:
    if b"\r\n\r\n" not in raw:
        raise ValueError("no blank line after the headers")
    stream = io.BytesIO(raw)
    status_line = stream.readline()[:-2].decode("latin-1")
    version, _, rest = status_line.partition(" ")
    code, _, reason = rest.partition(" ")
    if not version.startswith("HTTP/") or len(code) != 3 or not code.isdigit():
        raise ValueError(f"bad status line: {status_line!r}")
    headers: dict[str, str] = {}
    while True:
        line = stream.readline()
        if line == CRLF:
            break
        name, _, value = line[:-2].decode("latin-1").partition(":")
        key, value = name.strip().lower(), value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = _dechunk(stream)
    elif "content-length" in headers:
        body = _read_exactly(stream, int(headers["content-length"]))
    else:
        body = stream.read()
    return {"status": int(code), "reason": reason, "headers": headers, "body": body}


def fetch(
    host: str,
    port: int,
    path: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | str | None = None,
) -> dict:
    request = build_request(method, f"{host}:{port}", path, headers, body)
    with socket.create_connection((host, port)) as sock:
        sock.sendall(request)
        with sock.makefile("rb") as answer:
            raw = answer.read()
    return parse_response(raw)
