"""Property-based API testing: schemathesis fuzzes every operation over real HTTP on loopback.

The reference serves its own OpenAPI document; schemathesis reads it from the server, then
sends schema-valid and schema-breaking requests (seeded, so every run sends the same ones)
and applies every check it has: no 5xx, every status and header documented, every body
matching its schema, invalid data refused, valid data accepted, authentication enforced.
"""

from __future__ import annotations

import threading

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from werkzeug.serving import make_server

from taskforge import create_app
from taskforge.openapi import build_spec

pytestmark = pytest.mark.e2e

SEED = 20_261_203
EXAMPLES = 20  # per operation and generation mode; the whole run stays well under a minute
SECRET = "schemathesis-secret-that-is-long-enough-for-hs256"

# Every check, as `schemathesis run -c all` would. Valid data may still be refused with 422
# when a rule needs the database (the project named must exist, a parent must be in the same
# project): the document states it, and positive data acceptance is told so.
CONFIG = f"""
seed = {SEED}

[checks]
enabled = true
positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "422", "429"]

[generation]
mode = "all"
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The reference on 127.0.0.1 (ephemeral port) with an admin, a project and a task."""
    folder = tmp_path_factory.mktemp("schemathesis")
    app = create_app(
        {"DATABASE": str(folder / "fuzz.sqlite"), "TESTING": True, "SECRET_KEY": SECRET}
    )
    client = app.test_client()
    account = {"username": "fuzz_admin", "password": "fuzz-admin-password"}
    assert client.post("/api/auth/register", json=account).status_code == 201
    token = client.post("/api/auth/login", json=account).get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    project = client.post("/api/projects", json={"name": "Fuzzed"}, headers=auth).get_json()
    client.post("/api/tasks", json={"project_id": project["id"], "title": "t"}, headers=auth)
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{http.server_port}", auth
    finally:
        http.shutdown()
        http.server_close()
        thread.join(timeout=5)


# The document as the server builds it; test_the_served_document_is_the_one_fuzzed checks that
# the server really serves this one. (Loaded at collection, so each operation is its own test.)
schema = schemathesis.openapi.from_dict(
    build_spec("http://127.0.0.1"), config=schemathesis.Config.from_str(CONFIG)
)


def test_the_served_document_is_the_one_fuzzed(server):
    base, _ = server
    served = requests.get(f"{base}/api/openapi.json", timeout=10).json()
    assert served == build_spec(base)
    assert served["servers"] == [{"url": base}]  # taken from the request, not hard-coded


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_survives_fuzzing(case, server):
    base, auth = server
    case.call_and_validate(base_url=base, headers=auth, timeout=30)


def test_the_server_counted_no_error_in_the_whole_run(server):
    """Runs last (file order): the server's own metrics saw every fuzzed request, none a 5xx."""
    from prometheus_client.parser import text_string_to_metric_families

    base, _ = server
    text = requests.get(f"{base}/metrics", timeout=10).text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    served = sum(
        s.value for s in families["taskforge_http_requests"].samples if s.name.endswith("_total")
    )
    errors = sum(
        s.value
        for s in families["taskforge_http_request_errors"].samples
        if s.name.endswith("_total")
    )
    print(f"schemathesis run: {served:.0f} requests served, {errors:.0f} server errors")
    assert served > 500  # the fuzzing really reached the server
    assert errors == 0
