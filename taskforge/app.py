"""The application factory: a configured Flask app with its blueprints, errors and commands."""

from __future__ import annotations

from flask import Flask

from . import cli, db, observability
from .bootstrap import active_task_counter, build_runtime
from .config import ConfigError, build_config
from .web import BLUEPRINTS, headers
from .web import errors as error_handlers
from .web.inputs import IdConverter


def create_app(config: dict | None = None) -> Flask:
    """Build a TaskForge app.

    Settings come from defaults, then TASKFORGE_* environment variables, then config. With
    SQLite storage and AUTO_MIGRATE (on in development and testing), the database file is
    created and migrated before this returns, so a fresh path is ready to serve at once.
    """
    app = Flask(__package__)
    settings, notes = build_config(app.instance_path, config)
    if app.debug and settings["ENV"] == "production":
        # `flask run --debug` serves an interactive debugger that runs any Python code a
        # visitor types: never on a production configuration.
        raise ConfigError(
            "debug mode is refused in production (FLASK_DEBUG or --debug is set); use "
            "TASKFORGE_ENV=development for the debugger"
        )
    app.config.from_mapping(settings)
    # Route ids (<int:task_id>) accept ASCII digits up to 2**63 - 1 only; others are 404s.
    app.url_map.converters["int"] = IdConverter
    app.json.sort_keys = False
    for note in notes:
        app.logger.warning(note)

    runtime = build_runtime(app.config)
    app.extensions["taskforge"] = runtime
    observability.init_app(app, runtime)
    runtime.metrics.count_active_tasks_with(active_task_counter(runtime))
    db.init_app(app)
    error_handlers.register(app)
    headers.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    cli.register(app)

    if runtime.database is not None:
        _prepare_database(app, runtime.database)
    return app


def _prepare_database(app: Flask, database) -> None:
    if app.config["AUTO_MIGRATE"]:
        database.migrate()
        return
    if app.config["STORAGE"] != "sqlite":
        return  # a server may not be up yet when the app is built; /healthz reports it
    waiting = database.pending()
    if waiting:
        names = ", ".join(f"{m.version:03d}_{m.name}" for m in waiting)
        app.logger.warning(
            "database %s has pending migrations (%s); run: flask --app taskforge migrate",
            database.describe(),
            names,
        )
