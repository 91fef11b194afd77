"""Moving a task between projects over HTTP: all or nothing, even when a step fails."""

import sqlite3
from contextlib import closing

import pytest


@pytest.fixture
def board(api):
    admin = api.admin()
    alpha, beta = api.project(admin, "Alpha"), api.project(admin, "Beta")
    parent = api.task(admin, alpha["id"], "parent")
    child = api.task(admin, alpha["id"], "child", parent_id=parent["id"])
    grandchild = api.task(admin, alpha["id"], "grandchild", parent_id=child["id"])
    return {
        "token": admin,
        "alpha": alpha,
        "beta": beta,
        "ids": [parent["id"], child["id"], grandchild["id"]],
    }


def project_ids(db_path, ids):
    with closing(sqlite3.connect(db_path)) as conn:
        rows = conn.execute("SELECT id, project_id FROM tasks ORDER BY id").fetchall()
    return [project for task_id, project in rows if task_id in ids]


def move(api, board, task_id, project_id):
    return api.call(
        "POST", f"/api/tasks/{task_id}/move", board["token"], json={"project_id": project_id}
    )


def test_move_takes_subtasks_along(api, board, db_path):
    response = move(api, board, board["ids"][0], board["beta"]["id"])
    assert response.status_code == 200
    assert response.get_json()["project_id"] == board["beta"]["id"]
    assert project_ids(db_path, board["ids"]) == [board["beta"]["id"]] * 3
    events = api.call("GET", f"/api/tasks/{board['ids'][0]}/events", board["token"]).get_json()
    assert events["events"][-1]["kind"] == "moved"


def test_moving_a_subtask_on_its_own_is_a_conflict(api, board, error):
    response = move(api, board, board["ids"][1], board["beta"]["id"])
    assert response.status_code == 409 and error(response)["code"] == "conflict"


def test_move_errors(api, board):
    assert move(api, board, 999, board["beta"]["id"]).status_code == 404
    assert move(api, board, board["ids"][0], 999).status_code == 422
    assert move(api, board, board["ids"][0], "two").status_code == 422


@pytest.mark.parametrize("failing_row", [0, 1, 2])
def test_a_database_failure_on_any_row_rolls_the_whole_move_back(
    app, api, board, db_path, failing_row, error
):
    """The gate's technique: a trigger makes one row's update fail inside SQLite itself."""
    victim = board["ids"][failing_row]
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute(
            f"CREATE TRIGGER gate_fail BEFORE UPDATE OF project_id ON tasks "
            f"WHEN NEW.id = {victim} BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
        )
        conn.commit()
    app.logger.disabled = True
    response = move(api, board, board["ids"][0], board["beta"]["id"])
    assert response.status_code == 500
    assert error(response)["code"] == "internal_error"
    assert project_ids(db_path, board["ids"]) == [board["alpha"]["id"]] * 3
    events = api.call("GET", f"/api/tasks/{board['ids'][0]}/events", board["token"]).get_json()
    assert [e["kind"] for e in events["events"]] == ["created"]


def test_a_failing_history_write_rolls_the_move_back(app, api, board, db_path, monkeypatch):
    from taskforge.repository import SqliteTaskRepository

    def broken(self, *args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error (injected)")

    monkeypatch.setattr(SqliteTaskRepository, "add_event", broken)
    app.logger.disabled = True
    assert move(api, board, board["ids"][0], board["beta"]["id"]).status_code == 500
    assert project_ids(db_path, board["ids"]) == [board["alpha"]["id"]] * 3
