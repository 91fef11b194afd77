"""The OpenAPI description and the routes stay in step, in both directions."""

import re

import pytest

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def routes(app):
    found = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - IGNORED_METHODS:
            found[(path, method.lower())] = app.view_functions[rule.endpoint]
    return found


def described(spec):
    return {
        (path, method): operation
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
    }


@pytest.fixture
def spec(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_it_is_openapi_3(spec):
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_every_route_is_described_and_every_description_is_a_route(app, spec):
    actual, documented = set(routes(app)), set(described(spec))
    assert actual - documented == set(), "routes missing from openapi.json"
    assert documented - actual == set(), "openapi.json describes routes that do not exist"


def test_security_matches_the_permission_each_view_requires(app, spec):
    views, operations = routes(app), described(spec)
    for key, view in views.items():
        operation = operations[key]
        required = getattr(view, "required_action", None)
        assert operation.get("x-required-action") == required, key
        assert ("security" in operation) == (required is not None), key


def test_references_resolve(spec):
    text = str(spec)
    for name in set(re.findall(r"#/components/schemas/(\w+)", text)):
        assert name in spec["components"]["schemas"], name


def test_path_parameters_are_declared(spec):
    for (path, _method), operation in described(spec).items():
        names = set(re.findall(r"{(\w+)}", path))
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert names == declared, path
