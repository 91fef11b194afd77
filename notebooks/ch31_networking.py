# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 31 · An HTTP request, byte by byte
#
# `requests.get(url)` hides almost everything that happens on the wire. In this notebook you
# start a tiny TaskForge-like HTTP server on your own machine (address `127.0.0.1`, so
# nothing leaves the computer) and look underneath:
#
# 1. **A request typed by hand** over a raw TCP socket, and the exact bytes that come back:
#    status line, headers, the blank line, the body. A chart shows how many of those bytes
#    are headers.
# 2. **Methods and status codes**: GET, POST, PUT, DELETE and a missing path, with which
#    methods are idempotent.
# 3. **Keep-alive**: 200 requests on 200 new connections vs on one reused connection. The
#    server counts the TCP connections it accepted; the plots show the time on loopback and
#    what the same pattern costs over a real network.

# %%
import json
import socket
import threading
import time
from http.client import HTTPConnection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import matplotlib.pyplot as plt
from course_helpers import check_function, check_prediction

# %% [markdown]
# ## The server
#
# `ThreadingHTTPServer` from the standard library, one thread per connection. The handler
# speaks HTTP/1.1 (so connections stay open between requests unless someone says
# `Connection: close`) and records the client address of every *connection* it accepts, in
# `setup()`, which runs once per connection, not once per request.


# %%
class TaskHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # send small responses at once, without waiting for ACKs
    tasks = {1: {"id": 1, "title": "Write the README", "done": False}}
    connections = []

    def setup(self):
        super().setup()
        TaskHandler.connections.append(self.client_address)

    def log_message(self, format, *args):
        pass  # keep the notebook output quiet

    def reply(self, status, body=None, headers=()):
        payload = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        if status != 204:
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def task_id(self):
        parts = self.path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "tasks" and parts[1].isdigit():
            return int(parts[1])
        return None

    def read_body(self):
        length = int(self.headers.get("Content-Length", 0))
        return json.loads(self.rfile.read(length) or b"{}")

    def do_GET(self):
        task_id = self.task_id()
        if self.path == "/tasks":
            self.reply(200, list(self.tasks.values()))
        elif task_id in self.tasks:
            self.reply(200, self.tasks[task_id])
        else:
            self.reply(404, {"error": "not found"})

    def do_POST(self):
        if self.path != "/tasks":
            self.reply(404, {"error": "not found"})
            return
        task = {"id": max(self.tasks) + 1, "done": False, **self.read_body()}
        self.tasks[task["id"]] = task
        self.reply(201, task, headers=[("Location", f"/tasks/{task['id']}")])

    def do_PUT(self):
        task_id = self.task_id()
        if task_id is None:
            self.reply(404, {"error": "not found"})
            return
        self.tasks[task_id] = {"id": task_id, **self.read_body()}
        self.reply(200, self.tasks[task_id])

    def do_DELETE(self):
        self.tasks.pop(self.task_id(), None)
        self.reply(204)


server = ThreadingHTTPServer(("127.0.0.1", 0), TaskHandler)  # port 0: any free port
HOST, PORT = server.server_address
threading.Thread(target=server.serve_forever, daemon=True).start()
print(f"serving on http://{HOST}:{PORT}")

# %% [markdown]
# ## 1. A request typed by hand
#
# HTTP/1.1 is text: a request line, header lines, and an empty line, each ending in `\r\n`
# (carriage return + line feed). We send exactly these bytes over a TCP socket and read
# until the server closes the connection (we asked it to, with `Connection: close`).

# %%
request = (
    "GET /tasks/1 HTTP/1.1\r\n"
    f"Host: {HOST}:{PORT}\r\n"
    "Accept: application/json\r\n"
    "Connection: close\r\n"
    "\r\n"
).encode("ascii")

with socket.create_connection((HOST, PORT), timeout=5) as sock:
    sock.sendall(request)
    chunks = []
    while chunk := sock.recv(4096):
        chunks.append(chunk)
response = b"".join(chunks)

print(f"SENT {len(request)} bytes:")
for line in request.split(b"\r\n")[:-1]:
    print("   ", repr(line + b"\r\n"))
print(f"\nRECEIVED {len(response)} bytes:")
head, _, body = response.partition(b"\r\n\r\n")
for line in head.split(b"\r\n"):
    print("   ", repr(line + b"\r\n"))
print("   ", repr(b"\r\n"), "  <- the empty line: headers end here")
print("   ", repr(body))

# %% [markdown]
# Parsing is just splitting on those separators: the status line has three parts, and each
# header is a name, a colon and a value. `Content-Length` tells the client exactly how many
# body bytes to read, which is what lets one connection carry many responses in a row.

# %%
status_line, *header_lines = head.decode("iso-8859-1").split("\r\n")
version, status, reason = status_line.split(" ", 2)
headers = {name.lower(): value.strip() for name, value in (h.split(":", 1) for h in header_lines)}
print(f"version={version}  status={status}  reason={reason!r}")
for name, value in headers.items():
    print(f"  {name}: {value}")
print("body as JSON:", json.loads(body))
assert status == "200" and int(headers["content-length"]) == len(body)

# %% [markdown]
# **Your turn.** Write `parse_status_line(line)` for a status line without its `\r\n`:
# return `(version, status, reason)` with the status as an `int`. The reason phrase may
# contain spaces ("Not Found"), so split only as often as you need to.


# %% tags=["exercise"] answer="ch31_parse_status_line"
def parse_status_line(line):
    """'HTTP/1.1 404 Not Found' -> ('HTTP/1.1', 404, 'Not Found')."""
    raise NotImplementedError("your turn")


# %%
check_function(
    parse_status_line,
    [
        (("HTTP/1.1 200 OK",), ("HTTP/1.1", 200, "OK"), "three parts; the status is a number"),
        (
            ("HTTP/1.1 404 Not Found",),
            ("HTTP/1.1", 404, "Not Found"),
            "the reason phrase keeps its spaces: split at most twice",
        ),
        (
            ("HTTP/1.0 503 Service Unavailable",),
            ("HTTP/1.0", 503, "Service Unavailable"),
            "the version is whatever the server sent",
        ),
    ],
    name="parse_status_line",
)

# %% [markdown]
# **What to look at:** for a small JSON answer, most of the bytes in both directions are
# headers. HTTP/2 compresses headers (and remembers ones it already sent) for exactly this
# reason.

# %%
parts = {
    "request": [
        ("request line", len(request.split(b"\r\n")[0]) + 2),
        ("headers + blank line", len(request) - len(request.split(b"\r\n")[0]) - 2),
        ("body", 0),
    ],
    "response": [
        ("status line", len(status_line) + 2),
        ("headers + blank line", len(head) - len(status_line) - 2 + 4),
        ("body", len(body)),
    ],
}
colours = {
    "request line": "tab:blue",
    "status line": "tab:blue",
    "headers + blank line": "tab:orange",
    "body": "tab:green",
}
fig, ax = plt.subplots(figsize=(8, 2.6))
for row, pieces in enumerate(parts.values()):
    left = 0
    for label, size in pieces:
        ax.barh(row, size, left=left, color=colours[label], label=label if row else None)
        if size:
            ax.text(left + size / 2, row, str(size), ha="center", va="center", color="white")
        left += size
ax.set_yticks([0, 1], list(parts))
ax.set_xlabel("bytes on the wire (TCP payload)")
ax.set_title("GET /tasks/1: where the bytes go")
ax.legend(loc="lower right", fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# **Predict first.** What status code does a successful `POST /tasks` that creates a task
# answer with? (A number.)

# %% tags=["predict"] answer="ch31_post_status"
post_status_predicted = ...

# %% [markdown]
# ## 2. Methods and status codes
#
# `http.client` writes the same kind of bytes for us. Each call below uses a fresh
# connection. The last column is a property of the *method* as the HTTP standard defines it:
# an idempotent request can be repeated with the same effect as sending it once, which is
# what makes it safe to retry after a timeout.
#
# **What to look at:** `201 Created` comes with a `Location` header; `204 No Content` has no
# body at all; the unknown path gets `404`. POST is the one that is not idempotent: sending
# it twice creates two tasks.

# %%
IDEMPOTENT = {"GET": "yes", "PUT": "yes", "DELETE": "yes", "POST": "no", "PATCH": "not necessarily"}


def call(method, path, body=None):
    conn = HTTPConnection(HOST, PORT, timeout=5)
    payload = None if body is None else json.dumps(body)
    conn.request(method, path, body=payload, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response, data


calls = [
    ("GET", "/tasks", None),
    ("POST", "/tasks", {"title": "Add an index"}),
    ("POST", "/tasks", {"title": "Add an index"}),
    ("PUT", "/tasks/2", {"title": "Add an index on user_id", "done": True}),
    ("DELETE", "/tasks/3", None),
    ("GET", "/nowhere", None),
]
print(f"{'method':<7}{'path':<10}{'status':<20}{'body bytes':>11}  {'Location':<10} idempotent")
for method, path, body in calls:
    response, data = call(method, path, body)
    status = f"{response.status} {response.reason}"
    location = response.getheader("Location") or "-"
    print(f"{method:<7}{path:<10}{status:<20}{len(data):>11}  {location:<10} {IDEMPOTENT[method]}")

# %%
check_prediction(
    post_status_predicted,
    call("POST", "/tasks", {"title": "One more"})[0].status,
    explanation=(
        "201 Created, with a Location header naming the new resource. 200 OK would also be "
        "legal HTTP, but 201 tells the client something was created and where to find it."
    ),
)

# %% [markdown]
# **Predict first.** The next cell sends 200 requests over one keep-alive connection. How
# many TCP connections will the server accept for them?

# %% tags=["predict"] answer="ch31_keepalive_connections"
keepalive_connections_predicted = ...

# %% [markdown]
# ## 3. A new connection per request vs keep-alive
#
# Each new TCP connection costs a three-way handshake (SYN, SYN-ACK, ACK) before the first
# request byte can travel, and on the real internet usually a TLS handshake on top. With
# keep-alive, the client sends request after request on one open connection.

# %%
N = 200


def per_request_connections():
    times = []
    for _ in range(N):
        start = time.perf_counter()
        conn = HTTPConnection(HOST, PORT, timeout=5)
        conn.request("GET", "/tasks/1", headers={"Connection": "close"})
        conn.getresponse().read()
        conn.close()
        times.append(time.perf_counter() - start)
    return times


def one_kept_alive_connection():
    times = []
    conn = HTTPConnection(HOST, PORT, timeout=5)
    for _ in range(N):
        start = time.perf_counter()
        conn.request("GET", "/tasks/1")
        conn.getresponse().read()  # read the whole body before reusing the connection
        times.append(time.perf_counter() - start)
    conn.close()
    return times


results = {}
for name, run in [
    ("new connection each time", per_request_connections),
    ("one keep-alive connection", one_kept_alive_connection),
]:
    before = len(TaskHandler.connections)
    times = run()
    accepted = len(TaskHandler.connections) - before
    results[name] = (times, accepted)
    print(
        f"{name:<27} {N} requests, {accepted:>3} TCP connection(s) accepted, "
        f"{sum(times) * 1000:7.1f} ms in total"
    )
assert results["one keep-alive connection"][1] == 1

# %%
check_prediction(
    keepalive_connections_predicted,
    results["one keep-alive connection"][1],
    explanation=(
        "One: HTTP/1.1 keeps a connection open unless a side says `Connection: close`, and "
        "Content-Length tells the client where each response ends, so all 200 requests reuse "
        "the first handshake."
    ),
)

# %% [markdown]
# **What to look at:** on the left, measured on loopback, where a round trip takes a few
# microseconds: keep-alive is already faster, yet all 200 requests together take only
# milliseconds, because setting up a connection inside one machine is cheap. On the right, a
# *model* (not a measurement) of 20 requests over a network with a 50 ms round trip, where a
# new connection pays one round trip for TCP and one for a TLS 1.3 handshake before the
# request's own round trip. This is the "first request costs DNS + TCP + TLS" of the lesson,
# paid again for every request unless the connection is reused.

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
for name, (times, _) in results.items():
    cumulative, total = [], 0.0
    for t in times:
        total += t
        cumulative.append(total * 1000)
    left.plot(range(1, N + 1), cumulative, label=name)
left.set_xlabel("requests sent")
left.set_ylabel("cumulative milliseconds")
left.set_title("Measured on 127.0.0.1")
left.legend()

RTT_MS, REQUESTS = 50, 20
new_each = [3 * RTT_MS * k for k in range(1, REQUESTS + 1)]
kept = [2 * RTT_MS + RTT_MS * k for k in range(1, REQUESTS + 1)]
right.plot(range(1, REQUESTS + 1), new_each, marker=".", label="new connection each time")
right.plot(range(1, REQUESTS + 1), kept, marker=".", label="one keep-alive connection")
right.set_xlabel("requests sent")
right.set_ylabel("cumulative milliseconds")
right.set_title(f"Model: {RTT_MS} ms round trip, TCP + TLS 1.3")
right.legend()
for axis in (left, right):
    axis.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %%
server.shutdown()
server.server_close()
print("server stopped")

# %% [markdown]
# ## Try this
#
# - Remove the `Connection: close` line from the hand-typed request. Why does the
#   `while chunk := sock.recv(4096)` loop now wait until the 5-second timeout? How does a
#   real client know when the response is complete?
# - Send a request with a mistake in it (for example `GET /tasks/1 HTTP/1.1` without the
#   final empty line, or `Content-Length: 10` with a 3-byte body) and see what the server
#   does.
# - Add a `do_PATCH` to the handler that changes only the fields it receives. Is your PATCH
#   idempotent? Can you write one that is not (think of "increment a counter")?
# - Set `disable_nagle_algorithm = False` in the handler and re-run section 3. If the
#   keep-alive timings jump, you have met Nagle's algorithm meeting delayed ACKs.
# - Change `RTT_MS` to 150 (a transatlantic round trip) and to 1 (same rack) and compare.
