"""TaskForge's data layer for the starter: one class that does everything with the database."""

import base64
import json
import sqlite3
from datetime import date, datetime, timezone

STATUSES = ["todo", "doing", "done"]
ROLES = ["admin", "editor", "viewer"]
TASK_FIELDS = [
    "title",
    "description",
    "priority",
    "status",
    "due_date",
    "category_id",
    "assignee_id",
    "parent_id",
]


class TaskForgeError(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def now():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class TaskForge:
    def __init__(self, db):
        self.db = db

    # ---------------- users ----------------

    def register(self, username, password, role=None):
        if not isinstance(username, str) or len(username) < 3:
            raise TaskForgeError(400, "bad_request", "username must have at least 3 characters")
        if not isinstance(password, str) or len(password) < 8:
            raise TaskForgeError(400, "bad_request", "password must have at least 8 characters")
        if role is None:
            role = "viewer"
        if role not in ROLES:
            raise TaskForgeError(400, "bad_request", "role must be admin, editor or viewer")
        count = self.db.execute("SELECT COUNT(*) FROM users").fetchone()[0]
        if count == 0:
            role = "admin"
        existing = self.db.execute("SELECT id FROM users WHERE username = ?", (username,))
        if existing.fetchone():
            raise TaskForgeError(409, "conflict", "username already taken")
        cur = self.db.execute(
            "INSERT INTO users (username, password, role) VALUES (?, ?, ?)",
            (username, password, role),
        )
        self.db.commit()
        return {"id": cur.lastrowid, "username": username, "role": role}

    def login(self, username, password):
        row = self.db.execute(
            f"SELECT * FROM users WHERE username = '{username}' AND password = '{password}'"
        ).fetchone()
        if row is None:
            raise TaskForgeError(401, "unauthorized", "wrong username or password")
        token = base64.b64encode(str(row["id"]).encode()).decode()
        return {"token": token, "user": self.user_to_dict(row)}

    def user_from_token(self, token):
        try:
            user_id = int(base64.b64decode(token).decode())
        except Exception:
            return None
        row = self.db.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
        if row is None:
            return None
        return self.user_to_dict(row)

    def user_to_dict(self, row):
        return {"id": row["id"], "username": row["username"], "role": row["role"]}

    def list_users(self):
        rows = self.db.execute("SELECT * FROM users ORDER BY id").fetchall()
        return [dict(row) for row in rows]

    def set_role(self, user_id, role):
        if role not in ROLES:
            raise TaskForgeError(400, "bad_request", "role must be admin, editor or viewer")
        row = self.db.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
        if row is None:
            raise TaskForgeError(404, "not_found", "user not found")
        self.db.execute("UPDATE users SET role = ? WHERE id = ?", (role, user_id))
        self.db.commit()
        return {"id": row["id"], "username": row["username"], "role": role}

    # ---------------- projects and categories ----------------

    def list_projects(self):
        rows = self.db.execute("SELECT * FROM projects ORDER BY id").fetchall()
        return [dict(row) for row in rows]

    def get_project(self, project_id):
        row = self.db.execute("SELECT * FROM projects WHERE id = ?", (project_id,)).fetchone()
        if row is None:
            raise TaskForgeError(404, "not_found", "project not found")
        return dict(row)

    def create_project(self, data, user):
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            raise TaskForgeError(400, "bad_request", "name is required")
        description = data.get("description", "")
        try:
            cur = self.db.execute(
                "INSERT INTO projects (name, description, owner_id, created_at) "
                "VALUES (?, ?, ?, ?)",
                (name.strip(), description, user["id"], now()),
            )
        except sqlite3.IntegrityError:
            raise TaskForgeError(409, "conflict", "project name already used") from None
        self.db.commit()
        return self.get_project(cur.lastrowid)

    def list_categories(self):
        rows = self.db.execute("SELECT * FROM categories ORDER BY name").fetchall()
        return [dict(row) for row in rows]

    def create_category(self, data):
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            raise TaskForgeError(400, "bad_request", "name is required")
        try:
            cur = self.db.execute("INSERT INTO categories (name) VALUES (?)", (name.strip(),))
        except sqlite3.IntegrityError:
            raise TaskForgeError(409, "conflict", "category already exists") from None
        self.db.commit()
        return {"id": cur.lastrowid, "name": name.strip()}

    # ---------------- tasks ----------------

    def task_to_dict(self, row):
        task = {
            "id": row["id"],
            "title": row["title"],
            "description": row["description"],
            "priority": row["priority"],
            "status": row["status"],
            "due_date": row["due_date"],
            "project_id": row["project_id"],
            "category_id": None,
            "category": row["category"],
            "assignee_id": row["assignee_id"],
            "assignee": None,
            "parent_id": row["parent_id"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }
        if row["category"]:
            cat = self.db.execute(
                "SELECT id FROM categories WHERE name = ?", (row["category"],)
            ).fetchone()
            if cat:
                task["category_id"] = cat["id"]
        if row["assignee_id"]:
            user = self.db.execute(
                "SELECT username FROM users WHERE id = ?", (row["assignee_id"],)
            ).fetchone()
            if user:
                task["assignee"] = user["username"]
        return task

    def list_tasks(self, args):
        sql = "SELECT * FROM tasks WHERE 1=1"
        params = []
        if args.get("project_id"):
            sql += " AND project_id = ?"
            params.append(int(args["project_id"]))
        if args.get("status"):
            sql += " AND status = ?"
            params.append(args["status"])
        if args.get("assignee_id"):
            sql += " AND assignee_id = ?"
            params.append(int(args["assignee_id"]))
        if args.get("category_id"):
            cat = self.db.execute(
                "SELECT name FROM categories WHERE id = ?", (int(args["category_id"]),)
            ).fetchone()
            sql += " AND category = ?"
            params.append(cat["name"] if cat else "")
        if args.get("search"):
            search = args["search"]
            sql += f" AND title LIKE '%{search}%'"
        sort = args.get("sort", "priority")
        if sort not in ["priority", "due_date"]:
            sort = "priority"
        order = args.get("order")
        if order not in ["asc", "desc"]:
            order = "desc" if sort == "priority" else "asc"
        if sort == "due_date":
            sql += f" ORDER BY due_date IS NULL, due_date {order}, id"
        else:
            sql += f" ORDER BY priority {order}, id"
        rows = self.db.execute(sql, params).fetchall()
        tasks = []
        for row in rows:
            tasks.append(self.task_to_dict(row))
        return tasks

    def get_task(self, task_id):
        row = self.db.execute("SELECT * FROM tasks WHERE id = ?", (task_id,)).fetchone()
        if row is None:
            raise TaskForgeError(404, "not_found", "task not found")
        return self.task_to_dict(row)

    def check_task_data(self, data, creating):
        for key in data:
            if key not in TASK_FIELDS and key != "project_id":
                raise TaskForgeError(400, "bad_request", f"unknown field {key}")
        if creating or "title" in data:
            title = data.get("title")
            if not isinstance(title, str) or not title.strip():
                raise TaskForgeError(400, "bad_request", "title is required")
        if "priority" in data:
            p = data["priority"]
            if not isinstance(p, int) or p < 0 or p > 100:
                raise TaskForgeError(400, "bad_request", "priority must be 0-100")
        if "status" in data and data["status"] not in STATUSES:
            raise TaskForgeError(400, "bad_request", "status must be todo, doing or done")
        if data.get("due_date"):
            try:
                date.fromisoformat(data["due_date"])
            except (TypeError, ValueError):
                raise TaskForgeError(400, "bad_request", "due_date must be YYYY-MM-DD") from None

    def category_name(self, category_id):
        if category_id is None:
            return None
        row = self.db.execute("SELECT name FROM categories WHERE id = ?", (category_id,))
        row = row.fetchone()
        if row is None:
            raise TaskForgeError(400, "bad_request", "category not found")
        return row["name"]

    def create_task(self, data, user):
        self.check_task_data(data, creating=True)
        project_id = data.get("project_id")
        project = self.db.execute("SELECT id FROM projects WHERE id = ?", (project_id,))
        if project.fetchone() is None:
            raise TaskForgeError(400, "bad_request", "project not found")
        stamp = now()
        cur = self.db.execute(
            "INSERT INTO tasks (project_id, title, description, priority, status, due_date, "
            "category, assignee_id, parent_id, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                project_id,
                data["title"].strip(),
                data.get("description", ""),
                data.get("priority", 50),
                data.get("status", "todo"),
                data.get("due_date"),
                self.category_name(data.get("category_id")),
                data.get("assignee_id"),
                data.get("parent_id"),
                stamp,
                stamp,
            ),
        )
        self.db.commit()
        self.add_event(cur.lastrowid, "created", {"title": data["title"]}, user["id"])
        return self.get_task(cur.lastrowid)

    def update_task(self, task_id, data, user):
        self.get_task(task_id)
        self.check_task_data(data, creating=False)
        if "project_id" in data:
            raise TaskForgeError(400, "bad_request", "use /move to change the project")
        for key in data:
            value = data[key]
            column = key
            if key == "category_id":
                column = "category"
                value = self.category_name(value)
            self.db.execute(
                f"UPDATE tasks SET {column} = ?, updated_at = ? WHERE id = ?",
                (value, now(), task_id),
            )
        self.db.commit()
        self.add_event(task_id, "updated", {"fields": sorted(data)}, user and user["id"])
        return self.get_task(task_id)

    def subtask_ids(self, task_id):
        ids = []
        rows = self.db.execute("SELECT id FROM tasks WHERE parent_id = ?", (task_id,))
        for row in rows.fetchall():
            ids.append(row["id"])
            ids.extend(self.subtask_ids(row["id"]))
        return ids

    def delete_task(self, task_id):
        self.get_task(task_id)
        for child_id in self.subtask_ids(task_id):
            self.db.execute("DELETE FROM tasks WHERE id = ?", (child_id,))
            self.db.commit()
        self.db.execute("DELETE FROM tasks WHERE id = ?", (task_id,))
        self.db.commit()

    def move_task(self, task_id, project_id, user):
        task = self.get_task(task_id)
        project = self.db.execute("SELECT id FROM projects WHERE id = ?", (project_id,))
        if project.fetchone() is None:
            raise TaskForgeError(400, "bad_request", "project not found")
        self.db.execute(
            "UPDATE tasks SET project_id = ?, updated_at = ? WHERE id = ?",
            (project_id, now(), task_id),
        )
        self.db.commit()
        children = self.subtask_ids(task_id)
        for child_id in children:
            self.db.execute(
                "UPDATE tasks SET project_id = ?, updated_at = ? WHERE id = ?",
                (project_id, now(), child_id),
            )
            self.db.commit()
        detail = {
            "from_project_id": task["project_id"],
            "to_project_id": project_id,
            "subtask_ids": children,
        }
        self.add_event(task_id, "moved", detail, user and user["id"])
        return self.get_task(task_id)

    def add_event(self, task_id, kind, detail, actor_id):
        self.db.execute(
            "INSERT INTO task_events (task_id, kind, detail, actor_id, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (task_id, kind, json.dumps(detail), actor_id, now()),
        )
        self.db.commit()

    def list_events(self, task_id):
        self.get_task(task_id)
        rows = self.db.execute(
            "SELECT * FROM task_events WHERE task_id = ? ORDER BY id", (task_id,)
        ).fetchall()
        events = []
        for row in rows:
            event = dict(row)
            event["detail"] = json.loads(event["detail"])
            events.append(event)
        return events

    # ---------------- HTML pages ----------------

    def render_task_page(self, task):
        return f"""<!doctype html>
<html><head><title>{task["title"]}</title></head>
<body>
<p><a href="/tasks">All tasks</a></p>
<h1>{task["title"]}</h1>
<p>Status: {task["status"]} | Priority: {task["priority"]} | Due: {task["due_date"] or "-"}</p>
<p>Category: {task["category"] or "-"} | Assignee: {task["assignee"] or "-"}</p>
<pre>{task["description"]}</pre>
</body></html>"""

    def render_task_list_page(self, tasks):
        rows = ""
        for task in tasks:
            rows += (
                f"<tr><td>{task['priority']}</td>"
                f'<td><a href="/tasks/{task["id"]}">{task["title"]}</a></td>'
                f"<td>{task['status']}</td><td>{task['assignee'] or ''}</td></tr>\n"
            )
        return f"""<!doctype html>
<html><head><title>Tasks</title></head>
<body>
<h1>Tasks</h1>
<table>
<tr><th>Priority</th><th>Title</th><th>Status</th><th>Assignee</th></tr>
{rows}</table>
</body></html>"""
