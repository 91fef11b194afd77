"""Grader for ch31/raw_http: HTTP/1.1 requests and responses by hand, over a real socket.

``fetch`` is tested against a small scripted server that this file starts on 127.0.0.1
(an ephemeral port) in the judge process. It records the exact request bytes it receives
and answers with exact bytes, sometimes in several pieces with pauses in between, so a
client that reads only once sees an incomplete answer.
"""

from __future__ import annotations

import socket
import threading
import time

import pytest
from hypothesis import strategies as st

from graders.acts import attempt
from graders.differential import agree
from graders.expectations import kind
from graders.harness import GradeFailure, Outcome

EXERCISE = "ch31/raw_http"

PAUSE = 0.15  # between the pieces of a split answer: far longer than one recv takes


# -- the judge's view of request bytes -------------------------------------------------
def split_request(raw: bytes) -> tuple[list[str], bytes]:
    """Check the framing of request bytes and return (lines before the blank line, body)."""
    if b"\r\n\r\n" not in raw:
        bare = "bare \\n line endings" if b"\n" in raw else "no blank line"
        raise ValueError(f"the request has no CRLF blank line (found {bare})")
    head, body = raw.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    for line in lines:
        if b"\n" in line or b"\r" in line:
            raise ValueError(f"the line {line!r} contains a bare \\n or \\r: use CRLF (\\r\\n)")
    return [line.decode("latin-1") for line in lines], body


def header_map(lines: list[str]) -> dict[str, list[str]]:
    """{lower-case name: [values]} from header lines (values stripped)."""
    found: dict[str, list[str]] = {}
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon or name != name.strip() or not name:
            raise ValueError(f"{line!r} is not a 'Name: value' header line")
        found.setdefault(name.lower(), []).append(value.strip())
    return found


def check_request(
    raw: object,
    call: str,
    *,
    request_line: str,
    host: str,
    extra: dict[str, str] | None = None,
    body: bytes | None = None,
) -> None:
    """Judge request bytes against what the exercise specifies."""

    def fail(problem: str, why: str = "") -> GradeFailure:
        text = f"Called:   {call}\nSent:     {raw!r}\nProblem:  {problem}"
        return GradeFailure(text + (f"\nWhy:      {why}" if why else ""))

    if type(raw) is not bytes:
        raise fail(f"expected bytes, got {kind(raw)}")
    try:
        lines, sent_body = split_request(raw)
        if lines[0] != request_line:
            raise fail(f"the request line is {lines[0]!r}; expected {request_line!r}")
        headers = header_map(lines[1:])
    except ValueError as exc:
        raise fail(str(exc), "HTTP/1.1 lines end with CRLF (b'\\r\\n'), not just '\\n'") from None
    if headers.get("host") != [host]:
        raise fail(
            f"expected exactly one header 'Host: {host}', found {headers.get('host')}",
            "HTTP/1.1 requires a Host header: one server can host many sites on one address",
        )
    if [value.lower() for value in headers.get("connection", [])] != ["close"]:
        raise fail(
            f"expected 'Connection: close', found {headers.get('connection')}",
            "it tells the server to close the connection after answering",
        )
    for name, value in (extra or {}).items():
        if headers.get(name.lower()) != [value]:
            raise fail(
                f"expected the header '{name}: {value}' once, found {headers.get(name.lower())}"
            )
    if body is None:
        if "content-length" in headers:
            raise fail("there is no body, so there must be no Content-Length header")
        if sent_body:
            raise fail(f"there is no body, yet {sent_body!r} follows the blank line")
        return
    if headers.get("content-length") != [str(len(body))]:
        raise fail(
            f"expected 'Content-Length: {len(body)}', found {headers.get('content-length')}",
            "Content-Length counts BYTES of the encoded body, not characters",
        )
    if sent_body != body:
        raise fail(f"the body after the blank line is {sent_body!r}; expected {body!r}")


# -- a scripted server in the judge process --------------------------------------------
def _read_request(conn: socket.socket) -> bytes:
    """Read one request: the head (ending in a blank line) plus Content-Length body bytes."""
    data = b""
    while True:
        for end in (b"\r\n\r\n", b"\n\n"):
            if end in data:
                head, _, body = data.partition(end)
                length = 0
                for line in head.replace(b"\r", b"").split(b"\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length" and value.strip().isdigit():
                        length = int(value.strip())
                while len(body) < length:
                    more = conn.recv(65536)
                    if not more:
                        break
                    data += more
                    body += more
                return data
        more = conn.recv(65536)
        if not more:
            return data
        data += more


class ScriptedServer:
    """Answers each path with fixed byte pieces (and pauses); records every request."""

    def __init__(self, routes: dict[str, list[bytes | float]]) -> None:
        self.routes = routes
        self.requests: list[bytes] = []
        self.problems: list[str] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.port = self.listener.getsockname()[1]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                continue
            try:
                with conn:
                    conn.settimeout(3)
                    self._answer(conn)
            except Exception as exc:  # noqa: BLE001 - a test reports it, the thread lives on
                self.problems.append(repr(exc))

    def _answer(self, conn: socket.socket) -> None:
        try:
            request = _read_request(conn)
        except TimeoutError:
            request = b"<timed out reading the request>"
        self.requests.append(request)
        target = request.split(b"\n", 1)[0].split(b" ")
        path = target[1].decode("latin-1") if len(target) > 1 else ""
        script = self.routes.get(path, [NOT_FOUND])
        for piece in script:
            if isinstance(piece, float):
                time.sleep(piece)
            else:
                conn.sendall(piece)
        conn.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        self.listener.close()


HELLO = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, world!"
NOT_FOUND = (
    b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nnot found"
)
BINARY = bytes(range(256)) + b"\r\n\r\n" + bytes(range(255, -1, -1))
ROUTES: dict[str, list[bytes | float]] = {
    "/hello": [HELLO],
    "/split": [
        b"HTTP/1.1 200 OK\r\nContent-Length: 26\r\nContent-Type: text/plain\r\n\r\n",
        PAUSE,
        b"abcdefghijklm",
        PAUSE,
        b"nopqrstuvwxyz",
    ],
    "/chunked": [
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n",
        PAUSE,
        b"5\r\nHello\r\n",
        PAUSE,
        b"8\r\n, chunky\r\n6\r\n world\r\n",
        PAUSE,
        b"0\r\n\r\n",
    ],
    "/binary": [
        b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
        + f"Content-Length: {len(BINARY)}\r\n\r\n".encode(),
        BINARY[:100],
        PAUSE,
        BINARY[100:],
    ],
    "/created": [b"HTTP/1.1 201 Created\r\nLocation: /tasks/7\r\nContent-Length: 0\r\n\r\n"],
}


@pytest.fixture
def server():
    scripted = ScriptedServer(ROUTES)
    yield scripted
    scripted.close()


def the_request(server: ScriptedServer, call: str) -> bytes:
    if len(server.requests) != 1:
        raise GradeFailure(
            f"Called:   {call}\nProblem:  the server received "
            f"{len(server.requests)} connections; expected exactly one"
        )
    return server.requests[0]


def response(status: int, reason: str, headers: dict[str, str], body: bytes) -> dict:
    return {"status": status, "reason": reason, "headers": headers, "body": body}


# -- task 1: build_request -------------------------------------------------------------
@pytest.mark.task(1)
def test_simple_get_request(learner):
    """a GET request has the request line, Host, Connection: close, CRLFs and no body"""
    call = "build_request('GET', 'example.com', '/tasks')"
    raw = learner.call("build_request", "GET", "example.com", "/tasks").value("request bytes")
    check_request(raw, call, request_line="GET /tasks HTTP/1.1", host="example.com")


@pytest.mark.task(1)
def test_exact_bytes_of_a_bare_get(learner):
    """with no extra headers the request is exactly three lines and a blank line"""
    outcome = learner.call("build_request", "GET", "a.test", "/")
    raw = outcome.value("request bytes")
    expected_lines = sorted(["GET / HTTP/1.1", "Host: a.test", "Connection: close"])
    ok = (
        type(raw) is bytes
        and raw.startswith(b"GET / HTTP/1.1\r\n")
        and raw.endswith(b"\r\n\r\n")
        and sorted(raw[:-4].decode("latin-1").split("\r\n")) == expected_lines
    )
    if not ok:
        raise outcome.fail(
            "b'GET / HTTP/1.1\\r\\nHost: a.test\\r\\nConnection: close\\r\\n\\r\\n' "
            "(the two headers may come in either order)"
        )


@pytest.mark.task(1)
def test_extra_headers_are_sent(learner):
    """every entry of headers appears as 'Name: value'"""
    extra = {"Accept": "application/json", "Authorization": "Bearer abc.def", "X-Trace": "42"}
    call = f"build_request('GET', 'api.test', '/tasks?done=1', {extra!r})"
    raw = learner.call("build_request", "GET", "api.test", "/tasks?done=1", extra).value()
    check_request(
        raw, call, request_line="GET /tasks?done=1 HTTP/1.1", host="api.test", extra=extra
    )


@pytest.mark.task(1)
def test_post_with_bytes_body(learner):
    """a body is sent after the blank line, announced by Content-Length"""
    body = b'{"title": "write tests"}'
    extra = {"Content-Type": "application/json"}
    call = f"build_request('POST', 'api.test', '/tasks', {extra!r}, {body!r})"
    raw = learner.call("build_request", "POST", "api.test", "/tasks", extra, body).value()
    check_request(
        raw, call, request_line="POST /tasks HTTP/1.1", host="api.test", extra=extra, body=body
    )


@pytest.mark.task(1)
def test_str_body_length_counts_bytes(learner):
    """a str body is sent as UTF-8 and Content-Length counts its bytes"""
    text = "naïve café ✓"
    call = f"build_request('PUT', 'api.test', '/notes/1', None, {text!r})"
    raw = learner.call("build_request", "PUT", "api.test", "/notes/1", None, text).value()
    check_request(
        raw, call, request_line="PUT /notes/1 HTTP/1.1", host="api.test", body=text.encode("utf-8")
    )


@pytest.mark.task(1)
def test_empty_body_is_still_a_body(learner):
    """body=b'' is a body of length 0: 'Content-Length: 0'"""
    call = "build_request('POST', 'api.test', '/ping', None, b'')"
    raw = learner.call("build_request", "POST", "api.test", "/ping", None, b"").value()
    check_request(raw, call, request_line="POST /ping HTTP/1.1", host="api.test", body=b"")


# -- task 2: parse_response with Content-Length ----------------------------------------
@pytest.mark.task(2)
def test_parse_simple_response(learner):
    """status (an int), reason, headers and body of a simple 200"""
    learner.call("parse_response", HELLO).expect(
        response(
            200, "OK", {"content-type": "text/plain", "content-length": "13"}, b"Hello, world!"
        )
    )


@pytest.mark.task(2)
def test_parse_404_with_multi_word_reason(learner):
    """a 404 is parsed like any answer; the reason keeps its spaces"""
    learner.call("parse_response", NOT_FOUND).expect(
        response(
            404, "Not Found", {"content-type": "text/plain", "content-length": "9"}, b"not found"
        )
    )


@pytest.mark.task(2)
def test_header_names_are_lower_cased_and_values_trimmed(learner):
    """header names come back lower-case; spaces around values are removed"""
    raw = (
        b"HTTP/1.1 200 OK\r\nCoNtEnT-TyPe:   text/html; charset=UTF-8  \r\n"
        b"X-Request-ID:abc-123\r\ncontent-LENGTH: 2\r\n\r\nok"
    )
    learner.call("parse_response", raw).expect(
        response(
            200,
            "OK",
            {
                "content-type": "text/html; charset=UTF-8",
                "x-request-id": "abc-123",
                "content-length": "2",
            },
            b"ok",
        ),
        note="HTTP header names are case-insensitive; the result uses lower-case names",
    )


@pytest.mark.task(2)
def test_repeated_header_values_are_joined(learner):
    """a header sent twice has its values joined with ', '"""
    raw = b"HTTP/1.1 200 OK\r\nVary: Accept\r\nContent-Length: 0\r\nVary: Cookie\r\n\r\n"
    learner.call("parse_response", raw).expect(
        response(200, "OK", {"vary": "Accept, Cookie", "content-length": "0"}, b"")
    )


@pytest.mark.task(2)
def test_body_is_exactly_content_length_bytes(learner):
    """a binary body (even one containing a blank line) is exactly Content-Length bytes"""
    raw = b"".join(piece for piece in ROUTES["/binary"] if isinstance(piece, bytes))
    learner.call("parse_response", raw + b"EXTRA").expect(
        response(
            200,
            "OK",
            {"content-type": "application/octet-stream", "content-length": str(len(BINARY))},
            BINARY,
        ),
        note="split the head from the body at the FIRST blank line, then take Content-Length "
        "bytes; the body is bytes, never decoded",
    )


@pytest.mark.task(2)
def test_no_length_means_body_until_the_end(learner):
    """without Content-Length or chunking, the body is everything after the blank line"""
    raw = b"HTTP/1.0 200 OK\r\nServer: tiny\r\n\r\nline one\nline two\n"
    learner.call("parse_response", raw).expect(
        response(200, "OK", {"server": "tiny"}, b"line one\nline two\n")
    )


@pytest.mark.task(2)
def test_empty_reason_and_no_body(learner):
    """'HTTP/1.1 204 ' (empty reason) with no headers and no body"""
    learner.call("parse_response", b"HTTP/1.1 204 \r\n\r\n").expect(response(204, "", {}, b""))


@pytest.mark.task(2)
@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n", id="no_blank_line"),
        pytest.param(b"<html>hello</html>\r\n\r\n", id="not_a_status_line"),
        pytest.param(b"HTTP/1.1 OK 200\r\n\r\n", id="status_not_a_number"),
        pytest.param(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", id="body_too_short"),
    ],
)
def test_malformed_responses_raise(learner, raw):
    """malformed or incomplete responses raise ValueError"""
    learner.call("parse_response", raw).expect_raises(ValueError)


# -- task 3: chunked bodies --------------------------------------------------------------
@pytest.mark.task(3)
def test_chunked_body_is_decoded(learner):
    """a chunked body is decoded: sizes in hex, chunks joined, the final 0 chunk ends it"""
    raw = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"7\r\nMozilla\r\n11\r\nDeveloper Network\r\n0\r\n\r\n"
    )
    learner.call("parse_response", raw).expect(
        response(200, "OK", {"transfer-encoding": "chunked"}, b"MozillaDeveloper Network"),
        note="chunk sizes are hexadecimal: '11' is 17 bytes",
    )


@pytest.mark.task(3)
def test_chunks_containing_crlf(learner):
    """chunk data may itself contain CRLF: count bytes, do not split on lines"""
    raw = (
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
        b"C\r\nline1\r\nline2\r\n1A\r\n" + b"z" * 26 + b"\r\n0\r\n\r\n"
    )
    learner.call("parse_response", raw).expect(
        response(200, "OK", {"transfer-encoding": "chunked"}, b"line1\r\nline2" + b"z" * 26)
    )


@pytest.mark.task(3)
def test_chunk_extensions_and_trailers_are_ignored(learner):
    """';name=value' after a chunk size and trailer headers after the last chunk are ignored"""
    raw = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n"
        b"4;lang=en\r\nWiki\r\n5\r\npedia\r\n0\r\nExpires: never\r\n\r\n"
    )
    learner.call("parse_response", raw).expect(
        response(
            200, "OK", {"transfer-encoding": "chunked", "content-type": "text/plain"}, b"Wikipedia"
        )
    )


@pytest.mark.task(3)
def test_truncated_chunked_body_raises(learner):
    """a chunked body cut off before its last chunk raises ValueError"""
    raw = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\nonly5"
    learner.call("parse_response", raw).expect_raises(ValueError)


@pytest.mark.task(3)
def test_chunked_wins_over_content_length(learner):
    """with both Transfer-Encoding: chunked and Content-Length, the chunks decide"""
    raw = (
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n0\r\n\r\n"
    )
    learner.call("parse_response", raw).expect(
        response(200, "OK", {"content-length": "3", "transfer-encoding": "chunked"}, b"hello"),
        note="the docstring's order: chunked first, otherwise Content-Length",
    )


# -- generated responses, judged against the stub's rules ---------------------------------
def response_rule(raw: bytes) -> dict:
    """parse_response as the stub states it, for the responses generated below."""
    head, blank, rest = raw.partition(b"\r\n\r\n")
    if not blank:
        raise ValueError("no blank line")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    version, code, reason = (status_line.split(" ", 2) + [""])[:3]
    if not version.startswith("HTTP/") or not (code.isascii() and code.isdigit()):
        raise ValueError("bad status line")
    headers: dict[str, str] = {}
    for line in lines:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    if headers.get("transfer-encoding") == "chunked":
        body, pos = b"", 0
        while True:
            end = rest.find(b"\r\n", pos)
            if end < 0:
                raise ValueError("truncated")
            size = int(rest[pos:end].split(b";")[0], 16)
            if size == 0:
                break
            if end + 2 + size > len(rest):
                raise ValueError("truncated")
            body += rest[end + 2 : end + 2 + size]
            pos = end + 4 + size
    elif "content-length" in headers:
        length = int(headers["content-length"])
        if len(rest) < length:
            raise ValueError("short body")
        body = rest[:length]
    else:
        body = rest
    return {"status": int(code), "reason": reason, "headers": headers, "body": body}


HEADER_NAMES = st.sampled_from(["Content-Type", "content-type", "X-Tag", "Set-Cookie", "ETag"])
HEADER_VALUES = st.sampled_from(["text/plain", "a=1; Path=/", 'W/"x"', "Mixed Case", "", "1, 2"])
SPACES = st.sampled_from(["", " ", "  ", "\t"])


@st.composite
def responses(draw, framings):
    """Response bytes framed by Content-Length, chunks or the end, some of them cut short."""
    code = draw(st.integers(100, 599))
    reason = draw(st.sampled_from(["OK", "Not Found", "", "I'm a teapot", "Server Error"]))
    lines = [f"HTTP/1.{draw(st.integers(0, 1))} {code} {reason}"]
    for _ in range(draw(st.integers(0, 4))):
        name, value = draw(HEADER_NAMES), draw(HEADER_VALUES)
        lines.append(f"{name}:{draw(SPACES)}{value}{draw(SPACES)}")
    body = draw(st.binary(max_size=30) | st.sampled_from([b"a\r\nb", b"\r\n\r\n", b"0\r\n"]))
    framing = draw(st.sampled_from(framings))
    cut = draw(st.booleans()) and draw(st.integers(1, 3))
    if framing == "length":
        name = draw(st.sampled_from(["Content-Length", "content-length", "CONTENT-LENGTH"]))
        lines.append(f"{name}: {len(body)}")
        payload = body + draw(st.sampled_from([b"", b"extra"]))
    elif framing == "chunked":
        lines.append("Transfer-Encoding: chunked")
        payload, pos = b"", 0
        while pos < len(body):
            size = draw(st.integers(1, len(body) - pos))
            size_text = draw(st.sampled_from(["%x", "%X"])) % size
            extension = draw(st.sampled_from(["", ";x=1"]))
            payload += f"{size_text}{extension}\r\n".encode() + body[pos : pos + size] + b"\r\n"
            pos += size
        payload += b"0\r\n" + draw(st.sampled_from([b"", b"Expires: never\r\n"])) + b"\r\n"
    else:
        payload = body
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload
    if cut and framing != "end" and len(payload) >= cut:
        raw = raw[:-cut] if framing == "length" and not payload.endswith(b"extra") else raw
        if framing == "chunked":
            raw = raw[: len(raw) - len(payload)] + payload[: max(0, len(payload) - 5 - cut)]
    return raw


@pytest.mark.task(2)
def test_parse_generated_responses(learner):
    """parse_response agrees with the stated rules on generated responses, cut ones too"""
    framed = responses(["length", "length", "end"])
    agree(learner, "parse_response", response_rule, st.tuples(framed), max_examples=60)


@pytest.mark.task(3)
def test_parse_generated_chunked_responses(learner):
    """parse_response agrees with the stated rules on generated chunked bodies, cut ones too"""
    chunked = responses(["chunked"])
    agree(learner, "parse_response", response_rule, st.tuples(chunked), max_examples=60)


# -- task 4: fetch over a real socket ----------------------------------------------------
def _judge_build_request(method, host, path, headers=None, body=None):
    """build_request as the stub states it: task 4 must not depend on task 1."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    data = body.encode("utf-8") if isinstance(body, str) else body
    if data is not None:
        lines.append(f"Content-Length: {len(data)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + (data or b"")


def act_fetch(module, *args):
    """Call fetch with the judge's build_request and parse_response in the module.

    fetch is specified as sending build_request(...) and returning parse_response(...); the
    judge's own versions stand in while it runs, so a mistake in tasks 1-3 costs only their
    points (a fetch that does its own building and parsing is judged on those).
    """
    saved = module.build_request, module.parse_response
    module.build_request, module.parse_response = _judge_build_request, response_rule
    try:
        return attempt(module.fetch, *args)
    finally:
        module.build_request, module.parse_response = saved


def call_fetch(learner, *args) -> Outcome:
    call = f"fetch({', '.join(repr(a) for a in args)})"
    return Outcome.from_attempt(call, learner.run(act_fetch, *args, call=call).value())


@pytest.mark.task(4)
def test_fetch_sends_a_correct_request(learner, server):
    """fetch sends a well-formed GET (Host is 'host:port') and returns the parsed answer"""
    call = f"fetch('127.0.0.1', {server.port}, '/hello')"
    outcome = call_fetch(learner, "127.0.0.1", server.port, "/hello")
    outcome.expect(
        response(
            200, "OK", {"content-type": "text/plain", "content-length": "13"}, b"Hello, world!"
        )
    )
    check_request(
        the_request(server, call),
        call,
        request_line="GET /hello HTTP/1.1",
        host=f"127.0.0.1:{server.port}",
    )


@pytest.mark.task(4)
def test_fetch_reads_an_answer_sent_in_pieces(learner, server):
    """fetch keeps reading until the server closes: the body arrives in three pieces"""
    call_fetch(learner, "127.0.0.1", server.port, "/split").expect(
        response(
            200,
            "OK",
            {"content-length": "26", "content-type": "text/plain"},
            b"abcdefghijklmnopqrstuvwxyz",
        ),
        note="one recv() returns whatever has arrived so far; loop until recv returns b''",
    )


@pytest.mark.task(4)
def test_fetch_chunked_answer(learner, server):
    """fetch decodes a chunked answer that arrives in pieces"""
    call_fetch(learner, "127.0.0.1", server.port, "/chunked").expect(
        response(
            200,
            "OK",
            {"transfer-encoding": "chunked", "content-type": "text/plain"},
            b"Hello, chunky world",
        )
    )


@pytest.mark.task(4)
def test_fetch_binary_answer(learner, server):
    """fetch returns a binary body byte for byte"""
    call_fetch(learner, "127.0.0.1", server.port, "/binary").expect(
        response(
            200,
            "OK",
            {"content-type": "application/octet-stream", "content-length": str(len(BINARY))},
            BINARY,
        )
    )


@pytest.mark.task(4)
def test_fetch_returns_a_404(learner, server):
    """a 404 is returned as a parsed answer, not raised"""
    call_fetch(learner, "127.0.0.1", server.port, "/no/such/page").expect(
        response(
            404, "Not Found", {"content-type": "text/plain", "content-length": "9"}, b"not found"
        )
    )


@pytest.mark.task(4)
def test_fetch_posts_a_body(learner, server):
    """fetch with method, headers and body sends them all and returns the 201"""
    body = '{"title": "déjà vu"}'
    extra = {"Content-Type": "application/json"}
    call = f"fetch('127.0.0.1', {server.port}, '/created', 'POST', {extra!r}, {body!r})"
    outcome = call_fetch(learner, "127.0.0.1", server.port, "/created", "POST", extra, body)
    outcome.expect(response(201, "Created", {"location": "/tasks/7", "content-length": "0"}, b""))
    check_request(
        the_request(server, call),
        call,
        request_line="POST /created HTTP/1.1",
        host=f"127.0.0.1:{server.port}",
        extra=extra,
        body=body.encode("utf-8"),
    )
