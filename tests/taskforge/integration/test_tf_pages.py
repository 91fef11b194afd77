"""The HTML pages escape user text (no XSS) and need the same token as the API."""

import pytest

SCRIPT = "<script>alert('owned')</script>"


@pytest.fixture(params=("sqlite", "postgresql"))
def backend(request):
    """Every test here runs on SQLite and on PostgreSQL (+ Redis)."""
    return request.param


@pytest.fixture
def seeded(api):
    admin = api.admin()
    project = api.project(admin, "<b>Proj</b>")
    task = api.task(admin, project["id"], SCRIPT, description='"><img src=x onerror=alert(1)>')
    return admin, task


def test_task_page_escapes_title_and_description(api, seeded):
    admin, task = seeded
    response = api.call("GET", f"/tasks/{task['id']}", admin)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert "&lt;b&gt;Proj&lt;/b&gt;" in html


def test_task_list_page_escapes_titles(api, seeded):
    admin, _ = seeded
    html = api.call("GET", "/tasks", admin).get_data(as_text=True)
    assert SCRIPT not in html
    assert "&lt;script&gt;" in html


def test_pages_need_a_token_and_answer_in_html(client):
    response = client.get("/tasks/1")
    assert response.status_code == 401
    assert response.mimetype == "text/html"
    assert "Authorization: Bearer" in response.get_data(as_text=True)


def test_missing_task_page_is_a_404_page(api, seeded):
    admin, _ = seeded
    response = api.call("GET", "/tasks/999", admin)
    assert response.status_code == 404
    assert response.mimetype == "text/html"
