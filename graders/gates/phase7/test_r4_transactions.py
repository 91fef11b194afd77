"""Gate R4: a move is one transaction, and numbered migrations build (and backfill) the schema."""

from __future__ import annotations

import glob
import os
import re
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from graders.gates.phase7.actkit import (
    Probe,
    build_app,
    describe_error,
    own_output,
    prepare_board,
    send_plan,
    token_of,
)
from graders.gates.phase7.fixtures import (  # noqa: F401 - fixtures
    _gate_sandbox,
    gate_fixture,
    secret_fixture,
    should_fixture,
    target_dir_fixture,
)
from graders.gates.phase7.judge import (
    board_ids,
    columns,
    connect,
    copy_database,
    differences,
    error_code,
    failure,
    quoted,
    result,
    rows,
    schema,
    show_answer,
    snapshot,
    table_rows,
    tables,
)

pytestmark = pytest.mark.requirement("R4")

MIGRATION_NAME = re.compile(r"^\d{3}_[a-z0-9_]+\.sql$")
VICTIMS = {"t": "the task T", "s": "its subtask S", "u": "S's own subtask U"}


# -- acts (run in the sandbox) ------------------------------------------------------------
def move_on_each(tf: Any, secret: str, paths: list[str], task: int, project: int) -> list[Any]:
    """On each database: a new app, log in as the admin, move the task to project."""
    answers = []
    for path in paths:
        try:
            probe = Probe(build_app(tf, path, secret))
            token = token_of(probe.login("gate_admin"))
            if path.endswith("-login.sqlite"):  # the control: what logging in alone changes
                answers.append({"request": "login only", "status": None})
                continue
            body = {"project_id": project}
            answers.append(probe.send("POST", f"/api/tasks/{task}/move", token=token, body=body))
        except Exception as exc:  # noqa: BLE001 - create_app itself failed on this file
            answers.append({"request": "create_app", "status": None, "raised": describe_error(exc)})
    return answers


def apply_migration_files(tf: Any, db_path: str) -> dict[str, Any]:
    """Run every migrations/*.sql file of the package, in name order, on an empty database."""
    own_output()
    folder = os.path.join(os.path.dirname(os.path.abspath(tf.__file__)), "migrations")
    applied: list[str] = []
    connection = sqlite3.connect(db_path)
    try:
        for path in sorted(glob.glob(os.path.join(folder, "*.sql"))):
            with open(path, encoding="utf-8") as handle:
                connection.executescript(handle.read())
            applied.append(os.path.basename(path))
        connection.commit()
    except Exception as exc:  # noqa: BLE001 - reported to the judge
        return {"applied": applied, "error": describe_error(exc)}
    finally:
        connection.close()
    return {"applied": applied, "error": None}


def _filler(connection: Any, table: str, given: dict[str, Any]) -> int:
    """Insert a row into table, with a plain value for every required column not given."""
    values = dict(given)
    for _, name, kind, notnull, default, pk in connection.execute(
        f'SELECT * FROM pragma_table_info("{table}")'
    ):
        if name in values or pk or not notnull or default is not None:
            continue
        kind = (kind or "").upper()
        values[name] = 1 if "INT" in kind else 0.0 if "REAL" in kind else f"gate {name}"
    names = ", ".join(f'"{n}"' for n in values)
    marks = ", ".join("?" for _ in values)
    cursor = connection.execute(
        f'INSERT INTO "{table}" ({names}) VALUES ({marks})', list(values.values())
    )
    return int(cursor.lastrowid)


def backfill_probe(tf: Any, db_path: str, labels: list[Any]) -> dict[str, Any]:
    """Apply the migration files one by one; just before the one that gives tasks a
    category_id, add tasks labelled as the starter labels them (tasks.category); then apply
    the rest and report each task's label and category name."""
    own_output()
    folder = os.path.join(os.path.dirname(os.path.abspath(tf.__file__)), "migrations")
    files = sorted(glob.glob(os.path.join(folder, "*.sql")))
    connection = sqlite3.connect(db_path, isolation_level=None)
    found: dict[str, Any] = {"step": None, "error": None, "tasks": [], "label_column": False}
    try:
        for path in files:
            columns_now = [
                r[1] for r in connection.execute('SELECT * FROM pragma_table_info("tasks")')
            ]
            if found["step"] is None and columns_now and "category_id" not in columns_now:
                pending = os.path.basename(path)
            with open(path, encoding="utf-8") as handle:
                script = handle.read()
            after = None
            if found["step"] is None and columns_now and "category_id" not in columns_now:
                # Probe on a copy first: does this file add tasks.category_id?
                probe = sqlite3.connect(":memory:")
                connection.backup(probe)
                probe.executescript(script)
                after = [r[1] for r in probe.execute('SELECT * FROM pragma_table_info("tasks")')]
                probe.close()
            if after is not None and "category_id" in after:
                found["step"] = pending
                found["label_column"] = "category" in columns_now
                user = _filler(connection, "users", {"username": "gate_backfill"})
                project = _filler(connection, "projects", {"name": "Gate Backfill"})
                for number, label in enumerate(labels):
                    row = {"project_id": project, "title": f"Gate old task {number}"}
                    if "category" in columns_now:
                        row["category"] = label
                    if "assignee_id" in columns_now:
                        row["assignee_id"] = user
                    _filler(connection, "tasks", row)
            connection.executescript(script)
        if found["step"] is not None:
            found["tasks"] = [
                list(r)
                for r in connection.execute(
                    "SELECT t.title, t.category_id, c.name FROM tasks AS t "
                    "LEFT JOIN categories AS c ON c.id = t.category_id "
                    "WHERE t.title LIKE 'Gate old task %' ORDER BY t.id"
                )
            ]
    except Exception as exc:  # noqa: BLE001 - reported to the judge
        found["error"] = describe_error(exc)
    finally:
        connection.close()
    return found


# -- checks (run here, in the trusted process) ---------------------------------------------
@pytest.fixture(scope="module")
def board(gate, secret) -> dict[str, Any]:
    path = gate.workdir / "r4-board.sqlite"
    outcome = gate.run(
        prepare_board,
        str(path),
        secret,
        call="create_app(...) on a fresh path, register gate_admin, projects P1 and P2, "
        "and in P1 a task T with subtask S, whose own subtask is U",
    )
    return {"path": path, "ids": board_ids(result(outcome, "the set-up"), "the move checks")}


def add_failing_trigger(path: Path, victim: int, source: int, dest: int, victim_task: int) -> None:
    """The contract's trigger: updating the victim's project_id fails inside SQLite. Two more
    triggers refuse what only hand-written compensation would do after committed steps:
    moving a task back from the destination, and deleting new rows about the task (events)."""
    with closing(connect(path)) as conn:
        conn.execute(
            "CREATE TRIGGER gate_fail BEFORE UPDATE OF project_id ON tasks "
            f"WHEN NEW.id = {int(victim)} BEGIN SELECT RAISE(ABORT, 'gate: injected failure'); END"
        )
        conn.execute(
            "CREATE TRIGGER gate_no_undo BEFORE UPDATE OF project_id ON tasks "
            f"WHEN OLD.project_id = {int(dest)} AND NEW.project_id = {int(source)} "
            "BEGIN SELECT RAISE(ABORT, 'gate: committed rows moved back by hand'); END"
        )
        # Tables holding rows about T (its events): rows added from now on stay added.
        for number, table in enumerate(tables(path)):
            if table == "tasks" or table.startswith("sqlite_"):
                continue
            kept = [r for r in table_rows(path, table) if victim_task in r]
            if not kept:
                continue
            (last,) = conn.execute(
                f"SELECT coalesce(max(rowid), 0) FROM {quoted(table)}"
            ).fetchone()
            conn.execute(
                f"CREATE TRIGGER gate_keep_{number} BEFORE DELETE ON {quoted(table)} "
                f"WHEN OLD.rowid > {int(last)} "
                "BEGIN SELECT RAISE(ABORT, 'gate: committed rows deleted by hand'); END"
            )
        conn.commit()


@pytest.fixture(scope="module")
def moves(gate, board, secret) -> dict[str, Any]:
    """The move of T to P2 on four copies of the board: three with a failing row, one clean."""
    ids = board["ids"]
    paths = {}
    for key in (*VICTIMS, "clean", "login"):
        paths[key] = copy_database(board["path"], gate.workdir / f"r4-move-{key}.sqlite")
        if key in VICTIMS:
            add_failing_trigger(paths[key], ids[key], ids["p1"], ids["p2"], ids["t"])
    outcome = gate.run(
        move_on_each,
        secret,
        [str(p) for p in paths.values()],
        ids["t"],
        ids["p2"],
        call="POST /api/tasks/<T>/move to P2, on copies of the database where updating "
        "T, S or U fails (a trigger), and on one where nothing fails",
    )
    answers = outcome.value("the moves to be answered")
    found = {
        key: {"answer": answer, "projects": project_ids(paths[key], ids), "rows": every_row(path)}
        for (key, path), answer in zip(paths.items(), answers, strict=False)
    }
    return found


def every_row(path: Path) -> dict[str, list[tuple]]:
    return {t: table_rows(path, t) for t in tables(path) if not t.startswith("sqlite_")}


def project_ids(path: Path, ids: dict[str, int]) -> dict[str, Any]:
    found = dict(rows(path, "SELECT id, project_id FROM tasks"))
    return {key.upper(): found.get(ids[key]) for key in VICTIMS}


def test_failed_move_changes_nothing(board, moves):
    """a move that fails on any row leaves the task and all its subtasks where they were"""
    ids = board["ids"]
    p1 = ids["p1"]
    for key, victim in VICTIMS.items():
        answer, projects = moves[key]["answer"], moves[key]["projects"]
        did = f"POST /api/tasks/<T>/move to P2 while updating {victim} fails (trigger)"
        status = answer.get("status")
        if isinstance(status, int) and 200 <= status < 300:
            raise failure(
                did,
                show_answer(answer),
                "a failure response (not 2xx)",
                "the move did not complete, so it must not report success",
            )
        moved = [name for name, project in projects.items() if project != p1]
        if moved:
            raise failure(
                did,
                f"{', '.join(moved)} now in another project; project ids {projects}",
                f"T, S and U all still in P1 (project {p1})",
                "the rows updated before the failure were committed: run the whole move in one "
                "transaction (BEGIN ... COMMIT, ROLLBACK on any error)",
            )
        # The clean move shows which tables a move writes: tasks, and those that gain rows
        # naming T (its events). Logging in may write elsewhere (attempts), so compare with a
        # copy where the admin only logged in.
        login = moves["login"]["rows"]
        written = {"tasks"} | {
            t
            for t, new in moves["clean"]["rows"].items()
            if any(ids["t"] in row for row in new if row not in login.get(t, []))
        }
        after = {t: v for t, v in moves[key]["rows"].items() if t in written}
        before = {t: v for t, v in login.items() if t in written}
        changed = differences(before, after)
        if changed:
            raise failure(
                did + ", then compared every table with a copy where the admin only logged in",
                "; ".join(changed),
                "no change at all: no event, no row of the move",
                "the move's steps (its 'moved' event too) must commit together or not at all; "
                "undoing committed steps by hand is not a rollback",
            )


def test_move_without_failure_moves_everything(board, moves):
    """the same move, when nothing fails, puts T, S and U in the new project"""
    answer, projects = moves["clean"]["answer"], moves["clean"]["projects"]
    p2 = board["ids"]["p2"]
    if answer.get("status") != 200 or set(projects.values()) != {p2}:
        raise failure(
            "POST /api/tasks/<T>/move to P2 (no trigger)",
            f"{show_answer(answer)}; project ids {projects}",
            f"200, and T, S and U all in P2 (project {p2})",
        )


@pytest.mark.requirement("S")
def test_should_failed_move_is_a_json_500(should):
    """SHOULD (R4.1): the failed move answers 500 with the JSON error shape"""
    with should.checking():
        moves = should.fixture("moves")
        answers = [moves[key]["answer"] for key in VICTIMS]
        if all(a.get("status") == 500 and error_code(a) is not None for a in answers):
            should(True, "500 with {'error': {'code': ..., 'message': ...}}")
        else:
            shown = "; ".join(show_answer(a)[:120] for a in answers)
            should(False, f"got {shown} (an unhandled exception should become a JSON 500)")


def migration_files(target_dir: Path) -> list[str]:
    folder = Path(target_dir) / "migrations"
    if not folder.is_dir():
        raise failure(
            f"looked for {Path(target_dir).name}/migrations/",
            "no such folder",
            "a migrations/ folder of numbered SQL files: 001_initial.sql, 002_....sql, ...",
            "schema changes are made by migrations, applied in order and recorded",
        )
    return sorted(p.name for p in folder.glob("*.sql"))


def test_migrations_folder(target_dir):
    """migrations/ holds 001..N numbered SQL files"""
    names = migration_files(target_dir)
    bad = [n for n in names if not MIGRATION_NAME.match(n)]
    numbers = [int(n[:3]) for n in names if MIGRATION_NAME.match(n)]
    did = f"listed {Path(target_dir).name}/migrations/*.sql"
    if bad or len(numbers) < 2 or numbers != list(range(1, len(numbers) + 1)):
        raise failure(
            did,
            f"{names}" + (f"; badly named: {bad}" if bad else ""),
            "at least two files named NNN_snake_case.sql, numbered 001, 002, ... without gaps "
            "or duplicates",
        )


LABELS = ["Gate Alpha", "Gate Beta", "gate alpha ", None]


def test_categories_migration_backfills(gate, secret, target_dir):
    """the migration that adds tasks.category_id fills it for the tasks that already exist"""
    migration_files(target_dir)
    outcome = gate.run(
        backfill_probe,
        str(gate.workdir / "r4-backfill.sqlite"),
        LABELS,
        call="applied migrations/*.sql one by one; just before the file that adds "
        f"tasks.category_id, added tasks labelled {LABELS} (column tasks.category), then "
        "applied the rest",
    )
    found = result(outcome, "the migrated tasks")
    if found["error"] or found["step"] is None:
        raise failure(
            outcome.call,
            found["error"] or "no file adds a category_id column to an existing tasks table",
            "one migration that gives the existing tasks table a category_id (the categories "
            "migration), and every file runs",
            "a numbered migration changes a schema that already holds data",
        )
    wrong = []
    for (title, category_id, name), label in zip(found["tasks"], LABELS, strict=False):
        wanted = (label or "").strip().lower()
        if found["label_column"] and wanted and (name or "").strip().lower() != wanted:
            wrong.append(f"{title!r} labelled {label!r} -> category {name!r}")
        if category_id is not None and name is None:
            wrong.append(f"{title!r} -> category_id {category_id} with no such category")
    if len(found["tasks"]) != len(LABELS) or wrong:
        raise failure(
            outcome.call + f" (the categories migration is {found['step']})",
            "; ".join(wrong) or f"{len(found['tasks'])} of the {len(LABELS)} tasks left",
            "each labelled task pointing at the category of that name (spelling and spaces "
            "ignored); every old task kept",
            "existing tasks keep their categories only if the migration backfills them",
        )


def test_runner_records_each_migration_once(gate, board, secret, target_dir):
    """create_app applies each migration once and records it in schema_migrations"""
    count = len(migration_files(target_dir))
    path = copy_database(board["path"], gate.workdir / "r4-ledger.sqlite")
    did = "create_app(...) on a fresh path, then read schema_migrations"
    if "schema_migrations" not in tables(path) or "version" not in columns(
        path, "schema_migrations"
    ):
        raise failure(
            did, f"tables {tables(path)}", "a table schema_migrations with a column version"
        )
    ledger = sorted(rows(path, "SELECT * FROM schema_migrations"), key=repr)
    versions = [r[0] for r in rows(path, "SELECT version FROM schema_migrations")]
    if sorted(versions, key=repr) != sorted(range(1, count + 1), key=repr):
        raise failure(did, f"versions {versions}", f"exactly the versions 1..{count}, one per file")
    before = snapshot(path)
    outcome = gate.run(
        send_plan,
        str(path),
        secret,
        "gate_admin",
        [{"method": "GET", "url": "/api/tasks"}],
        call="create_app(...) again on the same database, then GET /api/tasks as gate_admin",
    )
    found = result(outcome, "the second start to work")
    again = "called create_app a second time on the same path"
    if found["answers"][0]["status"] != 200:
        raise failure(again, show_answer(found["answers"][0]), "status 200")
    if sorted(rows(path, "SELECT * FROM schema_migrations"), key=repr) != ledger:
        raise failure(again, "schema_migrations changed", "the same rows: nothing applied twice")
    changed = differences(before, snapshot(path))
    if changed:
        raise failure(again, "; ".join(changed), "every row kept as it was")


def test_folder_builds_the_same_schema(gate, board, target_dir):
    """the migration files alone build the same tables and columns as create_app"""
    migration_files(target_dir)
    path = gate.workdir / "r4-scripted.sqlite"
    outcome = gate.run(
        apply_migration_files,
        str(path),
        call="sqlite3.connect(<empty file>).executescript(<each migrations/*.sql file, in order>)",
    )
    found = result(outcome, "the scripts to run")
    if found["error"]:
        last = found["applied"][-1] if found["applied"] else "none"
        raise failure(
            outcome.call,
            f"{found['error']} (last file that worked: {last})",
            "every file to run with executescript",
        )
    scripted, built = schema(path), schema(board["path"])
    if scripted != built:
        only_app = {t: c for t, c in built.items() if scripted.get(t) != c}
        only_files = {t: c for t, c in scripted.items() if built.get(t) != c}
        raise failure(
            outcome.call + ", then compared with the database create_app built",
            f"from the files: {only_files}; from create_app: {only_app}",
            "the same tables with the same columns",
            "the migrations/ folder must be the whole truth about the schema",
        )
