"""Database helpers for the TaskForge starter: one SQLite connection per request."""

import os
import sqlite3

from flask import current_app, g


def get_db():
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DATABASE"])
        g.db.row_factory = sqlite3.Row
    return g.db


def close_db(e=None):
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_db():
    db = get_db()
    path = os.path.join(os.path.dirname(__file__), "schema.sql")
    with open(path) as f:
        db.executescript(f.read())


def init_app(app):
    app.teardown_appcontext(close_db)
