"""Gate R3 (injection): SQL is parameterised, in behaviour and in the source; HTML is escaped."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from graders.gates.phase7.actkit import PASSWORD, Probe, build_app, id_of, token_of
from graders.gates.phase7.fixtures import (  # noqa: F401 - fixtures
    _gate_sandbox,
    gate_fixture,
    secret_fixture,
    target_dir_fixture,
)
from graders.gates.phase7.judge import (
    body_of,
    brief,
    builds_sql_from_values,
    failure,
    result,
    rows,
    show_answer,
    step,
    tables,
    text_of,
)

pytestmark = pytest.mark.requirement("R3")

SEARCHES = (
    "x' OR 1=1 OR title LIKE '",
    "' UNION SELECT * FROM users --",
    "'; DROP TABLE tasks; --",
    "it's",
    "%",
    "\\",
    "_",
)
QUOTED_LOGINS = (
    ("gate_admin' --", "' OR '1'='1"),
    ("' OR '1'='1", "' OR '1'='1"),
    ("gate_admin", "' OR '1'='1"),
)
TEXT_INPUTS = {
    "project name": ("/api/projects", "name", "Gate'); DROP TABLE projects; --"),
    "category name": ("/api/categories", "name", "gate' OR '1'='1"),
    "task title": ("/api/tasks", "title", "Gate'); DELETE FROM tasks; --"),
    "username": ("/api/auth/register", "username", "gate_o'hara"),
}
XSS_TITLE = "<script>alert('gate')</script>"
XSS_DESCRIPTION = '"><img src=x onerror=alert(1)>'
XSS_FIELDS = {
    "title": XSS_TITLE,
    "description": XSS_DESCRIPTION,
    "project name": "<svg onload=alert(3)>",
    "category name": "<b onmouseover=alert(4)>c</b>",
    "assignee name": "gate<i>x</i>",
}


# -- acts (run in the sandbox) ------------------------------------------------------------
def injection_probes(tf: Any, db_path: str, secret: str) -> dict[str, Any]:
    """One visible task; quoted searches, quoted logins, then quoted names and titles."""
    probe = Probe(build_app(tf, db_path, secret))
    steps: dict[str, Any] = {}
    account = {"username": "gate_admin", "password": PASSWORD}
    steps["register gate_admin"] = probe.send("POST", "/api/auth/register", body=account)
    steps["login gate_admin"] = probe.login("gate_admin")
    token = token_of(steps["login gate_admin"])
    name = "create project"
    steps[name] = probe.send("POST", "/api/projects", token=token, body={"name": "Gate Safe"})
    project = id_of(steps[name])
    body = {"project_id": project, "title": "visible task"}
    steps["create task"] = probe.send("POST", "/api/tasks", token=token, body=body)
    found: dict[str, Any] = {"steps": steps, "project": project}
    found["searches"] = [
        probe.send("GET", "/api/tasks", token=token, query={"search": text}) for text in SEARCHES
    ]
    found["after searches"] = probe.send("GET", "/api/tasks", token=token)
    found["logins"] = [probe.login(user, password) for user, password in QUOTED_LOGINS]
    found["inputs"] = {}
    for label, (url, key, text) in TEXT_INPUTS.items():
        body = {key: text}
        if key == "title":
            body.update(project_id=project, description="' OR 1=1 --")
        if key == "username":
            body["password"] = PASSWORD
        found["inputs"][label] = probe.send("POST", url, token=token, body=body)
    found["final listing"] = probe.send("GET", "/api/tasks", token=token)
    return found


def stored_xss(tf: Any, db_path: str, secret: str) -> dict[str, Any]:
    """Markup in every text a page may show (title, description, project, category and the
    assignee's name), then the list page and the task's page."""
    probe = Probe(build_app(tf, db_path, secret))
    account = {"username": "gate_admin", "password": PASSWORD}
    steps: dict[str, Any] = {}
    steps["register gate_admin"] = probe.send("POST", "/api/auth/register", body=account)
    steps["login gate_admin"] = probe.login("gate_admin")
    token = token_of(steps["login gate_admin"])
    steps["create project"] = probe.send(
        "POST", "/api/projects", token=token, body={"name": XSS_FIELDS["project name"]}
    )
    steps["create category"] = probe.send(
        "POST", "/api/categories", token=token, body={"name": XSS_FIELDS["category name"]}
    )
    # A username with markup may be refused (names can be restricted); then it is not shown.
    user = probe.send(
        "POST",
        "/api/auth/register",
        body={"username": XSS_FIELDS["assignee name"], "password": PASSWORD},
    )
    body = {
        "project_id": id_of(steps["create project"]),
        "category_id": id_of(steps["create category"]),
        "title": XSS_TITLE,
        "description": XSS_DESCRIPTION,
    }
    if id_of(user) is not None:
        body["assignee_id"] = id_of(user)
    steps["create task"] = probe.send("POST", "/api/tasks", token=token, body=body)
    pages = {
        "/tasks": probe.send("GET", "/tasks", token=token),
        "/tasks/<id>": probe.send("GET", f"/tasks/{id_of(steps['create task'])}", token=token),
    }
    return {"steps": steps, "pages": pages, "user registered": id_of(user) is not None}


# -- checks (run here, in the trusted process) ---------------------------------------------
@pytest.fixture(scope="module")
def probes(gate, secret) -> dict[str, Any]:
    path = gate.workdir / "r3-injection.sqlite"
    outcome = gate.run(
        injection_probes,
        str(path),
        secret,
        call="one task titled 'visible task', then searches, logins, names and titles "
        "containing quotes and SQL",
    )
    found = result(outcome, "the answers")
    for name in found["steps"]:
        step(found["steps"], name, (200,) if name.startswith("login") else (201,), "Setting up")
    found["path"] = path
    return found


def titles(answer: dict[str, Any]) -> list[Any] | None:
    body = body_of(answer)
    tasks = body.get("tasks") if isinstance(body, dict) else None
    if not isinstance(tasks, list):
        return None
    return [t.get("title") if isinstance(t, dict) else t for t in tasks]


def test_search_text_is_data(probes):
    """search with quotes, SQL and wildcards finds nothing and breaks nothing"""
    for text, answer in zip(SEARCHES, probes["searches"], strict=False):
        if answer["status"] != 200 or titles(answer) != []:
            raise failure(
                f"GET /api/tasks?search={text} (the only task is titled 'visible task')",
                show_answer(answer),
                '200 and {"tasks": []}: no title contains that text',
                "the search text must travel as a parameter (LIKE ? ... ESCAPE), so quotes, "
                "%, _ and \\ match themselves instead of changing the query",
            )
    if titles(probes["after searches"]) != ["visible task"]:
        raise failure(
            "GET /api/tasks after the searches",
            show_answer(probes["after searches"]),
            "the task 'visible task', still there",
        )


def test_login_cannot_be_bypassed(probes):
    """logins with quotes in the username or password are refused with 401"""
    for (user, password), answer in zip(QUOTED_LOGINS, probes["logins"], strict=False):
        if answer["status"] != 401:
            raise failure(
                f"POST /api/auth/login with username {user!r} and password {password!r}",
                show_answer(answer),
                "401",
                "a login query built from the input lets quotes rewrite it: look the user up "
                "with a ? placeholder and check the password hash in Python",
            )


def test_quotes_in_names_and_titles_are_stored_as_typed(probes):
    """names, titles and usernames with quotes are stored as typed (or refused) and harm nothing"""
    path, created = probes["path"], {}
    for label, (url, key, text) in TEXT_INPUTS.items():
        answer = probes["inputs"][label]
        status = answer["status"]
        body = body_of(answer)
        stored = isinstance(body, dict) and body.get(key) == text
        if status in (200, 201) and stored:
            created[label] = text
        elif not (isinstance(status, int) and 400 <= status < 500):
            raise failure(
                f"POST {url} with {key} {text!r}",
                show_answer(answer),
                f"201 with {key} stored exactly as sent, or a 4xx refusal",
                "text from a client is a value: pass it as a ? parameter",
            )
    present = set(tables(path))
    lost = [t for t in ("users", "projects", "categories", "tasks") if t not in present]
    if lost:
        raise failure(
            "read the database after the probes",
            f"tables {sorted(present)}",
            f"the tables {', '.join(lost)} too",
            "a quote in the input ran SQL",
        )
    counts = {t: rows(path, f"SELECT COUNT(*) FROM {t}")[0][0] for t in ("projects", "tasks")}
    wanted = {
        "projects": 1 + ("project name" in created),
        "tasks": 1 + ("task title" in created),
    }
    roles = sorted(rows(path, "SELECT username, role FROM users"))
    admins = [u for u, r in roles if r == "admin"]
    if counts != wanted or admins != ["gate_admin"]:
        raise failure(
            "created rows whose names contain quotes and SQL, then read the database",
            f"row counts {counts}, admins {admins}",
            f"row counts {wanted}, admins ['gate_admin']",
            "the input changed other rows: it was run as SQL",
        )
    final = titles(probes["final listing"])
    expected = ["visible task"] + (
        [TEXT_INPUTS["task title"][2]] if "task title" in created else []
    )
    if sorted(map(str, final or [])) != sorted(expected):
        raise failure(
            "GET /api/tasks after the probes",
            show_answer(probes["final listing"]),
            f"the tasks {expected}",
        )


def kept_legacy_before(root: Path) -> set[Path]:
    """Phase 8's legacy rescue keeps the old module as ``legacy/*_before.py``. It is exempt
    from the scan only while no other module of the package imports it."""
    candidates = set(root.glob("legacy/*_before.py"))
    for path in root.rglob("*.py"):
        if path in candidates or "__pycache__" in path.parts:
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module or "")
                imported.update(alias.name for alias in node.names)
        candidates = {
            c for c in candidates if not any(c.stem in name.split(".") for name in imported)
        }
    return candidates


def test_source_builds_no_sql_from_values(target_dir):
    """no SQL text in the package is built from values (f-strings, %, format, +)"""
    flagged = []
    root = Path(target_dir)
    exempt = kept_legacy_before(root)
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts or path in exempt:
            continue
        where = path.relative_to(root)
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(where))
        except (SyntaxError, UnicodeDecodeError, ValueError) as exc:
            flagged.append(f"{where}: cannot be read as Python ({exc})")
            continue
        found = sorted(
            (node.lineno, reason)
            for node in ast.walk(tree)
            if (reason := builds_sql_from_values(node))
        )
        flagged += [f"{root.name}/{where}, line {line}: {reason}" for line, reason in found]
    if flagged:
        raise failure(
            f"read every .py file under {root.name}/ (without running it)",
            f"{len(flagged)} place(s): " + "; ".join(flagged[:8]),
            "SQL text made of fixed strings only, with every value passed as a ? parameter",
            "a value inside the SQL text can rewrite the statement (SQL injection)",
        )


def test_html_pages_escape_stored_text(gate, secret):
    """every HTML page shows markup in any stored text (titles, names) as text, not markup"""
    outcome = gate.run(
        stored_xss,
        str(gate.workdir / "r3-xss.sqlite"),
        secret,
        call="a task whose title, description, project, category and assignee hold HTML, "
        "then GET /tasks and GET /tasks/<id> with the admin token",
    )
    found = result(outcome, "the pages")
    for name in found["steps"]:
        step(found["steps"], name, (200,) if name.startswith("login") else (201,), "Setting up")
    for url, page in found["pages"].items():
        html = text_of(page)
        verbatim = [label for label, text in XSS_FIELDS.items() if text in html]
        if page["status"] != 200 or verbatim or "&lt;script&gt;" not in html:
            raise failure(
                f"GET {url} after storing HTML in {', '.join(XSS_FIELDS)}",
                f"{brief(page)}; raw markup from the {', '.join(verbatim)}"
                if verbatim
                else show_answer(page),
                "status 200, no stored text as raw markup, the title shown as &lt;script&gt;...",
                "text from users must be escaped in HTML (Jinja templates do it; f-strings do "
                "not), on every page that shows it",
            )
