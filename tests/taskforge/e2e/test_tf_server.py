"""End to end over real HTTP: register, log in, create, list, and the documented curl session."""

import json
import os
import re
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

DOCS = Path(__file__).resolve().parents[3] / "taskforge" / "docs" / "README.md"
# Never route loopback requests through a proxy from the environment.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def request(base, method, path, body=None, token=None):
    """(status, headers, parsed JSON or text) for one HTTP request."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with OPENER.open(req, timeout=10) as response:
            status, headers, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as failure:
        with failure:
            status, headers, raw = failure.code, failure.headers, failure.read()
    text = raw.decode()
    if headers.get_content_type() == "application/json":
        return status, headers, json.loads(text)
    return status, headers, text


def test_register_login_create_list(live_server):
    _app, base = live_server
    status, _, user = request(
        base, "POST", "/api/auth/register", {"username": "wire", "password": "over-the-wire"}
    )
    assert (status, user["role"]) == (201, "admin")
    status, _, login = request(
        base, "POST", "/api/auth/login", {"username": "wire", "password": "over-the-wire"}
    )
    assert status == 200
    token = login["token"]

    status, _, project = request(base, "POST", "/api/projects", {"name": "Wire"}, token)
    assert status == 201
    for title, priority in [("low", 5), ("high", 95)]:
        status, _, _ = request(
            base,
            "POST",
            "/api/tasks",
            {"project_id": project["id"], "title": title, "priority": priority},
            token,
        )
        assert status == 201
    status, _, listing = request(base, "GET", f"/api/tasks?project_id={project['id']}", None, token)
    assert status == 200
    assert [t["title"] for t in listing["tasks"]] == ["high", "low"]

    status, headers, page = request(base, "GET", "/tasks", None, token)
    assert status == 200 and headers.get_content_type() == "text/html"
    assert "high" in page


def test_errors_over_the_wire(live_server):
    _app, base = live_server
    status, headers, body = request(base, "GET", "/api/tasks")
    assert status == 401
    assert headers["WWW-Authenticate"].startswith("Bearer")
    assert body["error"]["code"] == "unauthorized"
    status, _, body = request(base, "GET", "/api/nowhere")
    assert (status, body["error"]["code"]) == (404, "not_found")


def test_concurrent_writers_do_not_lose_updates(live_server):
    """Several threads create tasks at once; BEGIN IMMEDIATE serialises them safely."""
    import concurrent.futures

    _app, base = live_server
    request(base, "POST", "/api/auth/register", {"username": "boss", "password": "boss-pass-1"})
    _, _, login = request(
        base, "POST", "/api/auth/login", {"username": "boss", "password": "boss-pass-1"}
    )
    token = login["token"]
    _, _, project = request(base, "POST", "/api/projects", {"name": "Busy"}, token)

    def create(number):
        body = {"project_id": project["id"], "title": f"t{number}"}
        return request(base, "POST", "/api/tasks", body, token)[0]

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(create, range(24)))
    assert statuses == [201] * 24
    _, _, listing = request(base, "GET", "/api/tasks", None, token)
    assert len(listing["tasks"]) == 24


def curl_block() -> str:
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(
        r"<!-- curl-examples:start -->\s*```bash\n(.*?)```\s*<!-- curl-examples:end -->",
        text,
        re.S,
    )
    assert match, "the curl-examples block is missing from taskforge/docs/README.md"
    return match.group(1)


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_documented_curl_session_works(live_server):
    app, base = live_server
    seeded = app.test_cli_runner().invoke(args=["seed"])
    assert seeded.exit_code == 0, seeded.output
    env = {**os.environ, "BASE": base, "NO_PROXY": "*", "no_proxy": "*"}
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        env.pop(name, None)
    result = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + curl_block()],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert '"status":"ok"' in out.replace(" ", "")
    assert "Try TaskForge from curl" in out
    assert "Fix broken links in the footer" in out
    assert '"kind":"moved"' in out.replace(" ", "")
    assert "403\n401\n" in out
    assert '"role":"viewer"' in out.replace(" ", "")
    assert "/api/tasks/{task_id}/move" in out
