"""Mutant: a cheat that returns objects claiming to equal anything instead of real rows."""

from __future__ import annotations

import sqlite3

SCHEMA = """
CREATE TABLE IF NOT EXISTS categories (
    id   INTEGER PRIMARY KEY,
    name TEXT    NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS tasks (
    id          INTEGER PRIMARY KEY,
    title       TEXT    NOT NULL,
    priority    INTEGER NOT NULL,
    category_id INTEGER REFERENCES categories(id)
);
"""


class AlwaysEqual(list):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


class EqualDict(dict):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


def create_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(SCHEMA)


def categorised_tasks(conn):
    return AlwaysEqual()


def all_tasks(conn):
    return AlwaysEqual()


def rank_tasks_in_categories(conn):
    return AlwaysEqual()


def top_task_per_category(conn):
    return EqualDict()
