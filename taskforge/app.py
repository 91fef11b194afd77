"""The application factory: a configured Flask app with its blueprints, errors and commands."""

from __future__ import annotations

from flask import Flask

from . import cli, db, observability
from .bootstrap import active_task_counter, build_runtime
from .config import build_config
from .web import BLUEPRINTS
from .web import errors as error_handlers


def create_app(config: dict | None = None) -> Flask:
    """Build a TaskForge app.

    Settings come from defaults, then TASKFORGE_* environment variables, then config. With
    SQLite storage and AUTO_MIGRATE (on in development and testing), the database file is
    created and migrated before this returns, so a fresh path is ready to serve at once.
    """
    app = Flask(__package__)
    settings, notes = build_config(app.instance_path, config)
    app.config.from_mapping(settings)
    app.json.sort_keys = False
    for note in notes:
        app.logger.warning(note)

    runtime = build_runtime(app.config)
    app.extensions["taskforge"] = runtime
    observability.init_app(app, runtime)
    runtime.metrics.count_active_tasks_with(
        active_task_counter(
            runtime,
            lambda: db.connect(app.config["DATABASE"], timeout=app.config["SQLITE_TIMEOUT"]),
        )
    )
    db.init_app(app)
    error_handlers.register(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    cli.register(app)

    if app.config["STORAGE"] == "sqlite":
        _prepare_database(app)
    return app


def _prepare_database(app: Flask) -> None:
    path = app.config["DATABASE"]
    if app.config["AUTO_MIGRATE"]:
        db.migrate_database(path)
        return
    waiting = db.pending_migrations(path)
    if waiting:
        names = ", ".join(f"{m.version:03d}_{m.name}" for m in waiting)
        app.logger.warning(
            "database %s has pending migrations (%s); run: flask --app taskforge migrate",
            path,
            names,
        )
