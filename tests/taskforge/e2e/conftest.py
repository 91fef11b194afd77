"""A real TaskForge server on 127.0.0.1 with an ephemeral port, one per test."""

import threading

import pytest
from werkzeug.serving import make_server


@pytest.fixture
def live_server(make_app):
    """Start the reference app in a background thread; yield (app, base_url); stop it."""
    app = make_app()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="taskforge-e2e"
    )
    thread.start()
    try:
        yield app, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
