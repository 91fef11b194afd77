"""Flask CLI commands: init-db, migrate and seed (thin wrappers over db and seed)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .baseline import adopt
from .bootstrap import bootstrap
from .migrate import MigrationError
from .seed import DEMO_USERS, seed


def _database():
    database = current_app.extensions["taskforge"].database
    if database is None:
        raise click.ClickException("this command needs a database (STORAGE is memory)")
    return database


@click.command("init-db")
@with_appcontext
@click.option("--yes", is_flag=True, help="Do not ask before deleting existing data.")
def init_db_command(yes: bool) -> None:
    """Delete the database and build a fresh schema from all migrations."""
    database = _database()
    if not yes:
        click.confirm(f"This deletes all data in {database.describe()}. Continue?", abort=True)
    applied = database.reset()
    click.echo(f"Initialised {database.describe()} ({len(applied)} migrations applied).")


@click.command("migrate")
@with_appcontext
@click.option(
    "--baseline",
    is_flag=True,
    help="First adopt a database made by the Phase 6 starter (keeps its data).",
)
def migrate_command(baseline: bool) -> None:
    """Apply pending migrations (safe to run any number of times)."""
    database = _database()
    if baseline:
        if database.dialect != "sqlite":
            raise click.ClickException("--baseline adopts SQLite databases made by the starter")
        try:
            report = adopt(database.path, current_app.extensions["taskforge"].hasher)
        except MigrationError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(
            f"Adopted {database.describe()}: {report.users} users, {report.projects} projects "
            f"and {report.tasks} tasks kept; {report.migrations} migrations recorded; "
            "passwords are hashed now; every account is a member of every project."
        )
    try:
        applied = database.migrate()
    except MigrationError as exc:
        raise click.ClickException(str(exc)) from None
    if not applied:
        click.echo(f"{database.describe()} is up to date.")
    for migration in applied:
        click.echo(f"applied {migration.version:03d}_{migration.name}")


@click.command("seed")
@with_appcontext
def seed_command() -> None:
    """Create demo accounts, projects, categories and tasks in an empty database."""
    if current_app.config["ENV"] == "production":
        raise click.ClickException(
            "seed creates accounts whose passwords are published in the docs; it only runs "
            "with TASKFORGE_ENV=development (or testing)"
        )
    database = _database()
    database.migrate()
    with database.connection() as connection:
        report = seed(bootstrap(current_app.extensions["taskforge"], connection))
    if not report.created:
        click.echo("Accounts already exist; nothing seeded.")
        return
    click.echo(
        f"Seeded {report.users} users, {report.projects} projects, "
        f"{report.categories} categories and {report.tasks} tasks."
    )
    click.echo("Demo logins (demo only, never use these passwords for real):")
    for username, password, role in DEMO_USERS:
        click.echo(f"  {username:<7} {password:<17} {role}")


def register(app: Flask) -> None:
    """Attach the commands to app.cli."""
    for command in (init_db_command, migrate_command, seed_command):
        app.cli.add_command(command)
