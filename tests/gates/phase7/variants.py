# ruff: noqa: E501 - the edits quote whole lines of the reference verbatim
"""Learner-style TaskForges for the Phase 7 gate, kept as small edits of the reference.

Each variant is a copy of ``taskforge/`` with a few exact text replacements and added files.
CORRECT variants are designs the contract allows and must score 100/100; HOLES each break
one rule and must fail the named gate checks (module::test). An edit that no longer applies
(the reference changed) fails the variant's test with the file and the text it looked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Variant:
    why: str
    edits: tuple[tuple[str, str, str], ...] = ()  # (file, old text, new text)
    migrations: tuple[tuple[str, str], ...] = ()  # (name after NNN_, SQL) appended in order
    fails: tuple[str, ...] = ()  # gate checks ("module::test") that must fail; () = 100/100
    split_backfill: bool = False  # move categories' backfill into its own, next file
    extra: dict = field(default_factory=dict)


CORRECT = {
    "credential_column": Variant(
        "the password hash lives in a column named credential",
        edits=(
            (
                "migrations/001_initial.sql",
                "    password_hash TEXT NOT NULL,",
                "    credential TEXT NOT NULL,",
            ),
            (
                "repository/sqlite_users.py",
                "INSERT INTO users (username, password_hash, role)",
                "INSERT INTO users (username, credential, role)",
            ),
            (
                "repository/sqlite_users.py",
                "role, password_hash FROM users",
                "role, credential AS password_hash FROM users",
            ),
            (
                "repository/sqlite_users.py",
                "UPDATE users SET password_hash = ?",
                "UPDATE users SET credential = ?",
            ),
        ),
    ),
    "backfill_in_next_file": Variant(
        "the categories table and column come in one migration, the backfill in the next",
        split_backfill=True,
    ),
    "seeds_general_category": Variant(
        "a migration seeds a 'General' category, as chapter 30's example does",
        migrations=(("general_category", "INSERT INTO categories (name) VALUES ('General');\n"),),
    ),
}

SEARCH_FSTRING = (
    "repository/sqlite_tasks.py",
    "    if query.search:\n        clauses.append(_SEARCH)\n        pattern = like_pattern(query.search)\n"
    "        params.extend([pattern, pattern])\n",
    "    if query.search:\n        clauses.append(f\"(t.title like '%{query.search}%')\")\n",
)

HOLES = {
    "fstring_lowercase_search": Variant(
        "search pasted into a lower-case f-string (the source scan cannot see it)",
        edits=(SEARCH_FSTRING,),
        fails=("test_r3_twins.py::test_listing_parameters_are_data",),
    ),
    "plus_built_category_check": Variant(
        "a duplicate-category check built with + into a variable, then executed",
        edits=(
            (
                "repository/sqlite_tasks.py",
                "    def add_category(self, name: str) -> Category:\n",
                "    def add_category(self, name: str) -> Category:\n"
                '        check = "select id from categories where name = \'" + name + "\'"\n'
                "        if self._db.row(check):\n"
                '            raise Conflict(f"a category named {name!r} already exists")\n',
            ),
        ),
        fails=("test_r3_twins.py::test_texts_are_stored_as_sent",),
    ),
    "replace_built_project_check": Variant(
        "a duplicate-project check made with .replace('NAME', name): its 409 is an oracle",
        edits=(
            (
                "repository/sqlite_tasks.py",
                "    def add_project(self, name: str, description: str, owner_id: int | None, now: str) -> Project:\n",
                "    def add_project(self, name: str, description: str, owner_id: int | None, now: str) -> Project:\n"
                '        check = "SELECT id FROM projects WHERE name = \'NAME\'".replace("NAME", name)\n'
                "        if self._db.row(check):\n"
                '            raise Conflict(f"a project named {name!r} already exists")\n',
            ),
        ),
        fails=("test_r3_twins.py::test_texts_are_stored_as_sent",),
    ),
    "self_promotion": Variant(
        "PATCH /api/users/<id> needs only a token: a viewer makes themselves admin",
        edits=(
            (
                "web/users.py",
                '@require("manage_users")\ndef change_role',
                '@require("read")\ndef change_role',
            ),
        ),
        fails=("test_r3_rbac.py::test_only_admins_manage_users",),
    ),
    "role_frozen_in_token": Variant(
        "the role a token was first used with is kept for its whole life",
        edits=(
            (
                "services/auth.py",
                '            raise Unauthorized("the account for this token no longer exists")\n        return user\n',
                '            raise Unauthorized("the account for this token no longer exists")\n'
                '        return globals().setdefault("_FROZEN", {}).setdefault(token, user)\n',
            ),
        ),
        fails=("test_r3_rbac.py::test_current_role_decides",),
    ),
    "editor_manages_users": Variant(
        "editors get manage_users",
        edits=(
            (
                "security/rbac.py",
                '"editor": frozenset({"create", "read", "update"}),',
                '"editor": frozenset({"create", "read", "update", "manage_users"}),',
            ),
        ),
        fails=("test_r3_rbac.py::test_only_admins_manage_users",),
    ),
    "last_admin_demoted": Variant(
        "the last admin may demote themselves",
        edits=(("services/auth.py", 'and self._users.count_users("admin") == 1:', "and False:"),),
        fails=("test_r3_rbac.py::test_last_admin_cannot_be_demoted",),
    ),
    "pbkdf2_one_iteration": Variant(
        "PBKDF2 with 1 iteration, ignoring PASSWORD_ITERATIONS",
        edits=(
            (
                "security/passwords.py",
                "        self.iterations = iterations\n",
                "        self.iterations = 1\n",
            ),
        ),
        fails=("test_r3_auth.py::test_passwords_are_hashed_with_a_salt",),
    ),
    "salted_sha256": Variant(
        "one salted SHA-256 in place of PBKDF2",
        edits=(
            (
                "security/passwords.py",
                'return hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)',
                'return hashlib.sha256(salt + password.encode("utf-8")).digest()',
            ),
        ),
        fails=("test_r3_auth.py::test_passwords_are_hashed_with_a_salt",),
    ),
    "plaintext_copy": Variant(
        "register also writes the password as typed into a table of its own",
        migrations=(("signups", "CREATE TABLE signups (username TEXT, secret TEXT);\n"),),
        edits=(
            (
                "services/auth.py",
                "            return self._users.add_user(username, password_hash, granted)\n",
                "            self._users._db.write(\n"
                '                "INSERT INTO signups (username, secret) VALUES (?, ?)", (username, password)\n'
                "            )\n"
                "            return self._users.add_user(username, password_hash, granted)\n",
            ),
        ),
        fails=("test_r3_auth.py::test_passwords_are_hashed_with_a_salt",),
    ),
    "ten_year_tokens": Variant(
        "tokens live for ten years",
        edits=(
            ("config.py", '"TOKEN_TTL_SECONDS": 3600,', '"TOKEN_TTL_SECONDS": 10 * 365 * 86400,'),
        ),
        fails=("test_r3_auth.py::test_tokens_expire_within_a_day",),
    ),
    "unescaped_list_titles": Variant(
        "the list page marks titles |safe",
        edits=(("templates/tasks.html", "{{ task.title }}", "{{ task.title|safe }}"),),
        fails=("test_r3_injection.py::test_html_pages_escape_stored_text",),
    ),
    "moved_event_left_behind": Variant(
        "the 'moved' event is committed before the rows move",
        edits=(
            (
                "services/tasks.py",
                '            now = self._now()\n            self._repo.update_task(task_id, {"project_id": project_id}, now)\n',
                "            now = self._now()\n"
                '            self._repo.add_event(task_id, "moved", {}, actor_id, now)\n'
                "            self._repo._db.connection.commit()\n"
                '            self._repo._db.connection.execute("BEGIN IMMEDIATE")\n'
                '            self._repo.update_task(task_id, {"project_id": project_id}, now)\n',
            ),
        ),
        fails=("test_r4_transactions.py::test_failed_move_changes_nothing",),
    ),
    "commits_with_compensation": Variant(
        "each row is committed on its own; on failure the moved rows are moved back by hand",
        edits=(
            (
                "services/tasks.py",
                '            self._repo.update_task(task_id, {"project_id": project_id}, now)\n'
                "            subtasks = self._repo.descendant_ids(task_id)\n"
                "            self._repo.set_project(subtasks, project_id, now)\n",
                "            subtasks = self._repo.descendant_ids(task_id)\n"
                "            conn, done = self._repo._db.connection, []\n"
                "            try:\n"
                "                for row in [task_id, *subtasks]:\n"
                '                    self._repo.update_task(row, {"project_id": project_id}, now)\n'
                "                    conn.commit()\n"
                '                    conn.execute("BEGIN IMMEDIATE")\n'
                "                    done.append(row)\n"
                "            except Exception:\n"
                "                conn.rollback()\n"
                '                conn.execute("BEGIN IMMEDIATE")\n'
                "                for row in done:\n"
                '                    self._repo.update_task(row, {"project_id": task.project_id}, now)\n'
                "                conn.commit()\n"
                '                conn.execute("BEGIN IMMEDIATE")\n'
                "                raise\n",
            ),
        ),
        fails=("test_r4_transactions.py::test_failed_move_changes_nothing",),
    ),
    "n_plus_one_per_distinct": Variant(
        "the listing looks up each distinct category and assignee once",
        edits=(
            (
                "repository/sqlite_tasks.py",
                "        sql, params = build_task_listing(query)\n"
                "        return [Task(*row) for row in self._db.tuples(sql, params)]\n",
                "        sql, params = build_task_listing(query)\n"
                "        tasks = [Task(*row) for row in self._db.tuples(sql, params)]\n"
                "        for cid in {t.category_id for t in tasks if t.category_id is not None}:\n"
                '            self._db.row("SELECT name FROM categories WHERE id = ?", (cid,))\n'
                "        for uid in {t.assignee_id for t in tasks if t.assignee_id is not None}:\n"
                '            self._db.row("SELECT username FROM users WHERE id = ?", (uid,))\n'
                "        return tasks\n",
            ),
        ),
        fails=("test_r2_queries.py::test_listing_has_no_n_plus_one",),
    ),
}
