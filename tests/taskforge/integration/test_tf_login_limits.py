"""Login and registration limits through the API: atomic under concurrency, a decoy hash for
unknown users, a cap on concurrent hashing, and registrations limited per client address."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from werkzeug.serving import make_server

from taskforge.security.passwords import PasswordHasher

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture
def live(make_app):
    """The app on a real threaded server, so requests really run at the same time."""
    app = make_app(LOGIN_MAX_ATTEMPTS=5, HASH_CONCURRENCY=4)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def post(base, path, body):
    import json
    import urllib.error
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST")
    req.add_header("Content-Type", "application/json")
    try:
        with opener.open(req, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as failure:
        failure.close()
        return failure.code


def test_twenty_concurrent_wrong_logins_get_exactly_five_tries(live):
    _, base = live
    assert (
        post(base, "/api/auth/register", {"username": "ann", "password": "right-password"}) == 201
    )
    wrong = {"username": "ann", "password": "wrong-password"}
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(lambda _: post(base, "/api/auth/login", wrong), range(20)))
    assert sorted(statuses) == [401] * 5 + [429] * 15


def test_unknown_usernames_cost_one_hash_like_known_ones(api, app, monkeypatch):
    hasher = app.extensions["taskforge"].hasher
    api.admin()
    calls = []
    real = PasswordHasher._derive

    def counting(password, salt, iterations):
        calls.append(iterations)
        return real(password, salt, iterations)

    monkeypatch.setattr(PasswordHasher, "_derive", staticmethod(counting))
    hasher.verify_decoy("warm-up")  # the decoy hash is made once, on first use
    calls.clear()
    assert api.login("admin", "wrong-password").status_code == 401
    known = list(calls)
    calls.clear()
    assert api.login("nobody-like-this", "wrong-password").status_code == 401
    assert calls == known == [hasher.iterations]  # same work, so the same time


def test_hashing_beyond_the_cap_is_503_with_retry_after(make_app, api_on):
    app = make_app(HASH_CONCURRENCY=1, HASH_WAIT_SECONDS=0.01)
    api = api_on(app)
    api.admin()
    slots = app.extensions["taskforge"].slots
    with slots.slot():  # another request is hashing right now
        response = api.login("admin")
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "1"
        assert response.get_json()["error"]["code"] == "busy"
    assert api.login("admin").status_code == 200


def test_anonymous_registrations_are_limited_per_address(make_app, api_on, clock):
    app = make_app(REGISTER_MAX_ATTEMPTS=3, REGISTER_WINDOW_SECONDS=600, CLOCK=clock)
    api = api_on(app)
    admin = api.admin()  # 1 of 3
    assert api.register("two").status_code == 201
    assert api.register("three").status_code == 201
    refused = api.register("four")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) == 600
    other = api.client.post(
        "/api/auth/register",
        json={"username": "elsewhere", "password": "long-enough-1"},
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert other.status_code == 201  # another address has its own allowance
    assert (
        api.register("five", role="editor", token=admin).status_code == 201
    )  # admins are not limited
    clock.advance(601)
    assert api.register("six").status_code == 201


@pytest.fixture
def api_on(api):
    """The suite's Api helper, bound to the client of another app."""
    return lambda app: type(api)(app.test_client())
