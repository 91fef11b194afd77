"""Hostile input: whatever a client sends is a 4xx with the JSON error shape, never a 500,
on SQLite and on PostgreSQL (which refuses NUL characters and numbers beyond 64 bits)."""

import http.client
import json
import threading

import pytest
from werkzeug.serving import make_server

BACKENDS = ("sqlite", "postgresql")
BIG = 2**63  # one more than the largest 64-bit integer


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def admin(api):
    return api.admin()


@pytest.fixture
def project(api, admin):
    return api.project(admin)


def raw(api, method, url, token=None, data=b"", content_type="application/json"):
    headers = {"Content-Type": content_type, **api.auth(token)}
    return api.client.open(url, method=method, headers=headers, data=data)


def assert_client_error(response, status=None):
    assert 400 <= response.status_code < 500, (response.status_code, response.data[:300])
    if status is not None:
        assert response.status_code == status, response.data[:300]
    body = response.get_json()
    assert set(body) == {"error"} and isinstance(body["error"]["message"], str)


@pytest.mark.parametrize(
    "text",
    [
        '{"username": "a\\ud800b", "password": "long-enough-1"}',  # a lone surrogate
        '{"username": "ann", "password": "pass\\u0000word"}',  # NUL
        '{"username": "ann", "password": "long-enough-1", "x": ' + "[" * 5000 + "]" * 5000 + "}",
        "[" * 100_000,  # unbalanced and deep: never reaches json's recursion
        '{"username": "ann", "password": NaN}',
        '{"username": "ann", "password": 1e999}',
        b'{"username": "\xff\xfe", "password": "x"}'.decode("latin-1"),
    ],
)
@pytest.mark.parametrize("url", ["/api/auth/login", "/api/auth/register"])
def test_unauthenticated_bodies_are_400(api, url, text):
    response = raw(api, "POST", url, data=text.encode("latin-1", "surrogatepass")
                   if "\xff" in text else text.encode("utf-8", "surrogatepass"))  # fmt: skip
    assert_client_error(response, 400)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "a\ud800b"),
        ("title", "nul\x00inside"),
        ("description", "x\x00"),
        ("project_id", BIG),
        ("assignee_id", BIG),
        ("category_id", -BIG - 1),
        ("priority", 10**30),
        ("description", None),
        ("title", " " * 201 + "x"),
    ],
)
def test_task_bodies_are_refused(api, admin, project, field, value):
    body = {"project_id": project["id"], "title": "t", field: value}
    text = json.dumps(body)  # json.dumps escapes lone surrogates, as a hostile client would
    response = raw(api, "POST", "/api/tasks", admin, data=text.encode())
    assert_client_error(response)
    assert api.call("GET", "/api/tasks", admin).get_json()["total"] == 0


def test_project_description_may_not_be_null(api, admin):
    response = api.call("POST", "/api/projects", admin, json={"name": "P", "description": None})
    assert_client_error(response, 422)


@pytest.mark.parametrize(
    "query",
    [
        "project_id=99999999999999999999",
        f"project_id={BIG}",
        "offset=99999999999999999999",
        "assignee_id=%C2%B2",  # ² : isdigit() says yes, int() says no
        "project_id=%D9%A1",  # Arabic-Indic one: int() would read it as 1
        "project_id=0",
        "category_id=-1",
        "search=%00zzz",
        "limit=501",
    ],
)
def test_query_parameters_are_checked(api, admin, project, query):
    api.task(admin, project["id"], "visible")
    assert_client_error(api.call("GET", f"/api/tasks?{query}", admin), 400)


def test_the_largest_64_bit_values_are_fine(api, admin, project):
    api.task(admin, project["id"], "visible")
    ok = api.call("GET", f"/api/tasks?offset={BIG - 1}&project_id={BIG - 1}", admin)
    assert ok.status_code == 200 and ok.get_json()["tasks"] == []


BAD_PATHS = [
    f"/api/tasks/{BIG}",
    "/api/tasks/99999999999999999999",
    "/api/tasks/%D9%A1",
    "/api/tasks/0",
    f"/api/projects/{BIG}",
]


@pytest.mark.parametrize("path", BAD_PATHS)
def test_ids_in_paths_beyond_64_bits_are_404(api, admin, path):
    for method in ("GET", "PATCH", "DELETE"):
        response = api.call(method, path, admin, json={"title": "x"})
        if response.status_code != 405:  # /api/projects/<id> has GET only
            assert_client_error(response, 404)


@pytest.mark.parametrize("subject", ["²", "١", str(BIG), "1e3", " 1", 7])
def test_tokens_whose_subject_is_not_a_plain_id_are_401(api, secret, subject):
    import time

    import jwt

    api.admin()
    now = int(time.time())
    claims = {"sub": subject, "iat": now, "exp": now + 60, "iss": "taskforge"}
    token = jwt.encode(claims, secret, algorithm="HS256")
    assert_client_error(api.call("GET", "/api/auth/me", token), 401)


def test_a_chunked_body_over_the_limit_is_413(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
        body = iter([b'{"username": "', b"a" * 4096, b'", "password": "x"}'])
        connection.request(
            "POST",
            "/api/auth/login",
            body=body,
            headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
            encode_chunked=True,
        )
        answer = connection.getresponse()
        assert answer.status == 413
        assert json.loads(answer.read())["error"]["code"] == "payload_too_large"
        connection.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
