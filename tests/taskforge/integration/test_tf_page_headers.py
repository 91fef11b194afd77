"""A listing is one page: 50 tasks unless limit says otherwise, with the total and Link headers."""

import re

import pytest

from taskforge.domain import DEFAULT_PAGE_SIZE


@pytest.fixture(params=("sqlite", "postgresql"))
def backend(request):
    return request.param


@pytest.fixture
def admin(api):
    return api.admin()


def links(response) -> dict[str, str]:
    """rel -> URL from a Link header (RFC 8288)."""
    header = response.headers.get("Link", "")
    return {rel: url for url, rel in re.findall(r'<([^>]*)>;\s*rel="(\w+)"', header)}


def test_without_limit_one_default_page_comes_back(api, admin):
    project = api.project(admin)
    for number in range(DEFAULT_PAGE_SIZE + 5):
        api.task(admin, project["id"], f"t{number}")
    response = api.call("GET", "/api/tasks", admin)
    body = response.get_json()
    assert len(body["tasks"]) == DEFAULT_PAGE_SIZE
    assert body["total"] == DEFAULT_PAGE_SIZE + 5
    assert response.headers["X-Total-Count"] == str(DEFAULT_PAGE_SIZE + 5)
    assert links(response) == {"next": f"/api/tasks?limit={DEFAULT_PAGE_SIZE}&offset=50"}
    last = api.call("GET", links(response)["next"], admin)
    assert len(last.get_json()["tasks"]) == 5
    assert links(last) == {"prev": f"/api/tasks?limit={DEFAULT_PAGE_SIZE}&offset=0"}


def test_links_keep_the_filters_and_walk_every_page(api, admin):
    project = api.project(admin)
    other = api.project(admin, "Other")
    for number in range(7):
        api.task(admin, project["id"], f"t{number}")
    api.task(admin, other["id"], "elsewhere")
    url = f"/api/tasks?project_id={project['id']}&sort=priority&limit=3"
    seen, pages = [], 0
    while url:
        response = api.call("GET", url, admin)
        assert response.headers["X-Total-Count"] == "7"
        seen += [t["title"] for t in response.get_json()["tasks"]]
        assert f"project_id={project['id']}" in response.headers.get(
            "Link", f"project_id={project['id']}"
        )
        url = links(response).get("next")
        pages += 1
    assert pages == 3 and sorted(seen) == [f"t{n}" for n in range(7)]
    middle = api.call("GET", f"/api/tasks?project_id={project['id']}&limit=3&offset=3", admin)
    assert set(links(middle)) == {"next", "prev"}
    assert "offset=0" in links(middle)["prev"] and "offset=6" in links(middle)["next"]


def test_an_empty_listing_has_no_links(api, admin):
    response = api.call("GET", "/api/tasks", admin)
    assert response.get_json() == {"tasks": [], "total": 0}
    assert "Link" not in response.headers and response.headers["X-Total-Count"] == "0"
