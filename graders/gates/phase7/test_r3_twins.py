"""Gate R3 (injection, black box): each payload against its benign twin, in every parameter.

A payload changes meaning if it is pasted into SQL (a quote, a tautology, a comment, UNION,
a LIKE wildcard). Its twin has the same length with those characters replaced by letters and
digits, so it means nothing to SQL. A correct app answers both alike: the same status, the
same rows, and each text stored exactly as sent. Any difference comes from the payload.
"""

from __future__ import annotations

from typing import Any

import pytest

from graders.gates.phase7.actkit import PASSWORD, Probe, build_app, id_of, token_of
from graders.gates.phase7.fixtures import (  # noqa: F401 - fixtures
    _gate_sandbox,
    gate_fixture,
    secret_fixture,
)
from graders.gates.phase7.judge import (
    body_of,
    brief,
    clip,
    columns,
    failure,
    quoted,
    result,
    rows,
    step,
    tables,
    text_of,
)

pytestmark = pytest.mark.requirement("R3")

PAYLOADS = (
    "visible' --",
    "x' OR '1'='1",
    'x" OR "1"="1',
    "1 OR 1=1",
    "0) OR (1=1",
    "' UNION SELECT username, role FROM users --",
    "vis%",
    "visible_task",
    "%",
    "todo' --",
)
# Letters only: a twin is never a valid number where the payload is not one either.
TWIN = str.maketrans(
    {"'": "q", '"': "Q", "%": "p", "_": "u", "-": "m", ";": "k", "(": "b", ")": "d", "=": "e"}
)
QUOTING = PAYLOADS[:6]  # quotes, tautologies, comments, UNION: for every parameter
ON_BOTH = ("search", "status")  # also sent to the HTML list page
LISTING_PARAMS = ("search", "status", "project_id", "assignee_id", "category_id", "sort", "order")
# (label, method, url template, field, extra body): texts a client stores.
STORED = (
    ("project name", "POST", "/api/projects", "name", {}),
    ("project description", "POST", "/api/projects", "description", {"name": "{unique}"}),
    ("category name", "POST", "/api/categories", "name", {}),
    ("task title", "POST", "/api/tasks", "title", {"project_id": "{project}"}),
    (
        "task description",
        "POST",
        "/api/tasks",
        "description",
        {"project_id": "{project}", "title": "{unique}"},
    ),
    ("task title, changed", "PATCH", "/api/tasks/{task}", "title", {}),
    ("username", "POST", "/api/auth/register", "username", {"password": PASSWORD}),
)


def twin(text: str) -> str:
    return text.translate(TWIN)


# -- acts (run in the sandbox) ------------------------------------------------------------
def twin_probes(tf: Any, db_path: str, secret: str) -> dict[str, Any]:
    """A task 'visible task'; then every payload and its twin in every parameter."""
    probe = Probe(build_app(tf, db_path, secret))
    steps: dict[str, Any] = {}
    account = {"username": "gate_admin", "password": PASSWORD}
    steps["register gate_admin"] = probe.send("POST", "/api/auth/register", body=account)
    steps["login gate_admin"] = probe.login("gate_admin")
    token = token_of(steps["login gate_admin"])
    steps["create project"] = probe.send(
        "POST", "/api/projects", token=token, body={"name": "Gate Twins"}
    )
    project = id_of(steps["create project"])
    steps["create category"] = probe.send(
        "POST", "/api/categories", token=token, body={"name": "gate-category"}
    )
    body = {
        "project_id": project,
        "title": "visible task",
        "category_id": id_of(steps["create category"]),
        "assignee_id": id_of(steps["register gate_admin"]),
    }
    steps["create task"] = probe.send("POST", "/api/tasks", token=token, body=body)
    task = id_of(steps["create task"])
    listings = []
    for param in LISTING_PARAMS:
        for payload in PAYLOADS if param == "search" else QUOTING:
            urls = ("/api/tasks", "/tasks") if param in ON_BOTH else ("/api/tasks",)
            pairs = []
            for url in urls:
                first, second = (
                    probe.send("GET", url, token=token, query={param: text})
                    for text in (payload, twin(payload))
                )
                pairs.append({"url": url, "answers": [first, second]})
            listings.append({"param": param, "payload": payload, "pairs": pairs})
    stored = []
    number = 0
    for label, method, url, field, extra in STORED:
        for payload in QUOTING:
            pair = []
            for text in (payload, twin(payload)):
                number += 1
                value = f"{text} #{number}"
                fill = {"unique": f"Gate unique {number}", "project": project, "task": task}
                data = {
                    k: (fill[v[1:-1]] if isinstance(v, str) and v.startswith("{") else v)
                    for k, v in extra.items()
                }
                data[field] = value
                answer = probe.send(method, url.format(task=task), token=token, body=data)
                pair.append({"value": value, "answer": answer})
            stored.append({"label": label, "field": field, "payload": payload, "pair": pair})
    logins = []
    for payload in PAYLOADS:
        logins.append(
            [
                probe.login(payload, payload),
                probe.login(twin(payload), twin(payload)),
                probe.login("gate_admin", payload),
            ]
        )
    return {
        "steps": steps,
        "task": task,
        "listings": listings,
        "stored": stored,
        "logins": logins,
        "final": probe.send("GET", "/api/tasks", token=token),
    }


# -- checks (run here, in the trusted process) ---------------------------------------------
@pytest.fixture(scope="module")
def twins(gate, secret) -> dict[str, Any]:
    path = gate.workdir / "r3-twins.sqlite"
    outcome = gate.run(
        twin_probes,
        str(path),
        secret,
        call="one task 'visible task', then each payload and its twin in every parameter",
    )
    found = result(outcome, "the answers")
    for name in found["steps"]:
        step(found["steps"], name, (200,) if name.startswith("login") else (201,), "Setting up")
    found["path"] = path
    return found


def status(answer: dict[str, Any]) -> Any:
    return "an exception" if answer.get("raised") else answer.get("status")


def listed(answer: dict[str, Any]) -> Any:
    """What a listing shows: the task ids (JSON) or whether the task is on the page (HTML)."""
    body = body_of(answer)
    if isinstance(body, dict) and isinstance(body.get("tasks"), list):
        return sorted(repr(t.get("id")) if isinstance(t, dict) else repr(t) for t in body["tasks"])
    return "visible task" in text_of(answer)


def explained(payload: str) -> str:
    return f"the payload {payload!r} and its twin {twin(payload)!r}"


def test_listing_parameters_are_data(twins):
    """every listing parameter treats quotes, comments and wildcards as data (payload = twin)"""
    for probe in twins["listings"]:
        for url, (first, second) in ((p["url"], p["answers"]) for p in probe["pairs"]):
            same = status(first) == status(second) and (
                status(first) != 200 or listed(first) == listed(second)
            )
            if not same:
                raise failure(
                    f"GET {url}?{probe['param']}=... with {explained(probe['payload'])} "
                    "(the only task is 'visible task')",
                    f"{brief(first)} showing {clip(repr(listed(first)), 60)}; "
                    f"{brief(second)} showing {clip(repr(listed(second)), 60)}",
                    "the same status and the same rows for both",
                    "only SQL treats those characters specially: the value reached the query "
                    "as SQL text, not as a ? parameter (LIKE needs ESCAPE for % and _)",
                )


def stored_anywhere(path, value: str) -> bool:
    for table in tables(path):
        names = columns(path, table)
        if not names:
            continue
        where = " OR ".join(f"{quoted(n)} = ?" for n in names)
        if rows(path, f"SELECT 1 FROM {quoted(table)} WHERE {where} LIMIT 1", [value] * len(names)):
            return True
    return False


def test_texts_are_stored_as_sent(twins):
    """names, titles, descriptions and usernames with SQL in them are stored exactly as sent"""
    path = twins["path"]
    for probe in twins["stored"]:
        (first, second) = probe["pair"]
        a, b = first["answer"], second["answer"]
        did = f"{a['request']} with {probe['field']} = {first['value']!r}, and its twin"
        if status(a) != status(b):
            raise failure(
                did,
                f"{brief(a)}; twin {brief(b)}",
                "the same status for both",
                "a status that depends on quotes shows the text reached SQL (a 409 for a name "
                "nobody has is a yes/no answer an attacker can ask questions with)",
            )
        if isinstance(status(a), int) and 200 <= status(a) < 300:
            body = body_of(a)
            echoed = isinstance(body, dict) and body.get(probe["field"]) == first["value"]
            overwritten = probe["label"].endswith("changed")  # later probes change it again
            if not echoed or not (overwritten or stored_anywhere(path, first["value"])):
                raise failure(
                    did,
                    f"{brief(a)}, but the text {'in the database' if echoed else 'echoed'} is "
                    f"not {first['value']!r}",
                    "the text stored and returned exactly as sent",
                    "the quotes changed the SQL statement that stored it",
                )
    admins = rows(path, "SELECT username FROM users WHERE role = 'admin'")
    if admins != [("gate_admin",)]:
        raise failure(
            "after every probe, read who is admin",
            repr(admins),
            "only gate_admin",
            "a probe changed other rows: it ran as SQL",
        )


def test_logins_with_sql_fail_alike(twins):
    """logins whose username or password hold SQL fail with 401, like their twins"""
    for payload, answers in zip(PAYLOADS, twins["logins"], strict=False):
        wrong = [brief(a) for a in answers if status(a) not in (401, 429)]
        if wrong:
            raise failure(
                f"POST /api/auth/login with {explained(payload)} as username and password, "
                "and gate_admin with the payload as password",
                "; ".join(wrong),
                "401 for each (or 429 once too many failed)",
                "a quote in the credentials changed the login query",
            )
