"""Configuration: defaults, then TASKFORGE_* environment variables, then the dict passed in."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Mapping

ENVIRONMENTS = ("production", "development", "testing")
STORAGES = ("sqlite", "memory", "postgresql")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
MIN_SECRET_BYTES = 32
PRODUCTION_ITERATIONS = 600_000
TESTING_ITERATIONS = 1_000
MIN_PRODUCTION_ITERATIONS = 100_000
ENV_PREFIX = "TASKFORGE_"

# Settings that may come from the environment, with the parser for their string value.
_FROM_ENVIRONMENT = {
    "ENV": str,
    "SECRET_KEY": str,
    "DATABASE": str,
    "DATABASE_URL": str,
    "REDIS_URL": str,
    "STORAGE": str,
    "AUTO_MIGRATE": "bool",
    "PASSWORD_ITERATIONS": int,
    "TOKEN_TTL_SECONDS": int,
    "LOGIN_MAX_ATTEMPTS": int,
    "LOGIN_WINDOW_SECONDS": int,
    "REGISTER_MAX_ATTEMPTS": int,
    "REGISTER_WINDOW_SECONDS": int,
    "HASH_CONCURRENCY": int,
    "DB_POOL_SIZE": int,
    "LOG_LEVEL": str,
    "LOG_FILE": str,
    "SERVICE_NAME": str,
}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigError(RuntimeError):
    """The configuration cannot be used; the message says what to change."""


def defaults(instance_path: str) -> dict:
    """Settings used when neither the environment nor the caller says otherwise."""
    return {
        "ENV": None,  # resolved from TESTING when not given: testing or production
        "TESTING": False,
        "SECRET_KEY": None,
        "DATABASE": os.path.join(instance_path, "taskforge.sqlite"),
        "STORAGE": None,  # sqlite, or postgresql when DATABASE_URL names one; memory for demos
        "DATABASE_URL": None,  # postgresql://user:password@host/dbname selects PostgreSQL
        "REDIS_URL": None,  # redis://host:6379/0 keeps the rate limiters' state in Redis
        "DB_POOL_SIZE": 10,  # PostgreSQL connections per app process
        "AUTO_MIGRATE": None,  # on in development and testing, off in production
        "PASSWORD_ITERATIONS": None,  # 600_000, or 1_000 in testing
        "TOKEN_TTL_SECONDS": 3600,
        "LOGIN_MAX_ATTEMPTS": 5,
        "LOGIN_WINDOW_SECONDS": 300,
        "REGISTER_MAX_ATTEMPTS": 20,  # anonymous registrations per client address per window
        "REGISTER_WINDOW_SECONDS": 3600,
        "HASH_CONCURRENCY": max(2, os.cpu_count() or 1),  # password hashes at once, per process
        "HASH_WAIT_SECONDS": 10.0,  # how long a login waits for a hashing slot before a 503
        "SQLITE_TIMEOUT": 5.0,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # The rate limiters' clock. Wall-clock time, because attempts are shared between
        # processes (and machines, through Redis); tests inject a fake.
        "CLOCK": time.time,
        "LOG_LEVEL": "INFO",  # DEBUG adds one line per SQL statement with its duration
        "LOG_FILE": None,  # a path: JSON lines are appended there; None: standard error
        "LOG_STREAM": None,  # dict only: a text stream to write JSON lines to (tests)
        "SERVICE_NAME": "taskforge",  # the "service" field of every log line
        "TIMER": time.perf_counter,  # dict only: measures request and query durations
    }


def from_environment(environ: Mapping[str, str]) -> dict:
    """The TASKFORGE_* variables that are set, parsed to their types."""
    found: dict = {}
    for key, parser in _FROM_ENVIRONMENT.items():
        raw = environ.get(ENV_PREFIX + key)
        if raw is None or raw == "":
            continue
        found[key] = _parse(ENV_PREFIX + key, raw, parser)
    return found


def _parse(name: str, raw: str, parser: object) -> object:
    if parser == "bool":
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise ConfigError(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no")
    if parser is int:
        try:
            return int(raw.replace("_", ""))
        except ValueError:
            raise ConfigError(f"{name}={raw!r} is not an integer") from None
    return raw


def build_config(
    instance_path: str,
    overrides: Mapping | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[dict, list[str]]:
    """Merge defaults < environment < overrides, fill mode-dependent values, and validate.

    Returns the settings and a list of warnings worth logging.
    """
    settings = defaults(instance_path)
    settings.update(from_environment(os.environ if environ is None else environ))
    settings.update(overrides or {})
    notes: list[str] = []

    env = settings["ENV"] or ("testing" if settings["TESTING"] else "production")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    settings["ENV"] = env
    settings["TESTING"] = bool(settings["TESTING"]) or env == "testing"
    relaxed = env in ("development", "testing")

    if settings["AUTO_MIGRATE"] is None:
        settings["AUTO_MIGRATE"] = relaxed
    if settings["PASSWORD_ITERATIONS"] is None:
        settings["PASSWORD_ITERATIONS"] = (
            TESTING_ITERATIONS if env == "testing" else PRODUCTION_ITERATIONS
        )
    _check_positive(settings, "PASSWORD_ITERATIONS", "TOKEN_TTL_SECONDS")
    _check_positive(settings, "LOGIN_MAX_ATTEMPTS", "LOGIN_WINDOW_SECONDS")
    _check_positive(settings, "REGISTER_MAX_ATTEMPTS", "REGISTER_WINDOW_SECONDS")
    _check_positive(settings, "HASH_CONCURRENCY", "DB_POOL_SIZE")
    if not relaxed and settings["PASSWORD_ITERATIONS"] < MIN_PRODUCTION_ITERATIONS:
        raise ConfigError(
            f"PASSWORD_ITERATIONS={settings['PASSWORD_ITERATIONS']} is too low for production; "
            f"use at least {MIN_PRODUCTION_ITERATIONS} (the default is {PRODUCTION_ITERATIONS})"
        )
    level = str(settings["LOG_LEVEL"]).upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {level!r}")
    settings["LOG_LEVEL"] = level
    _choose_storage(settings)
    if settings["STORAGE"] == "sqlite" and str(settings["DATABASE"]).strip() in ("", ":memory:"):
        raise ConfigError(
            "DATABASE must be a file path: each request opens its own connection, so an "
            "in-memory SQLite database would be empty every time. Use STORAGE='memory' instead."
        )
    settings["SECRET_KEY"] = _secret_key(settings["SECRET_KEY"], env, notes)
    return settings, notes


def _choose_storage(settings: dict) -> None:
    url = settings["DATABASE_URL"]
    if url is not None and not str(url).startswith(("postgresql://", "postgres://")):
        raise ConfigError(
            f"DATABASE_URL must start with postgresql:// (got {str(url).split(':')[0]}:...); "
            "for SQLite set DATABASE to a file path instead"
        )
    if settings["STORAGE"] is None:
        settings["STORAGE"] = "postgresql" if url else "sqlite"
    if settings["STORAGE"] not in STORAGES:
        raise ConfigError(f"STORAGE must be one of {', '.join(STORAGES)}")
    if settings["STORAGE"] == "postgresql" and not url:
        raise ConfigError("STORAGE=postgresql needs DATABASE_URL=postgresql://...")
    redis_url = settings["REDIS_URL"]
    if redis_url is not None and not str(redis_url).startswith(
        ("redis://", "rediss://", "unix://")
    ):
        raise ConfigError("REDIS_URL must start with redis://, rediss:// or unix://")


def _check_positive(settings: dict, *names: str) -> None:
    for name in names:
        value = settings[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{name} must be a positive integer, not {value!r}")


def _secret_key(value: object, env: str, notes: list[str]) -> str:
    if value is None or value == "":
        if env == "production":
            raise ConfigError(
                "TASKFORGE_SECRET_KEY is not set. Tokens are signed with it, so production "
                "refuses to start without one. Generate one with\n"
                "    python -c 'import secrets; print(secrets.token_urlsafe(48))'\n"
                "and export TASKFORGE_SECRET_KEY, or set TASKFORGE_ENV=development to use a "
                "throwaway key."
            )
        notes.append(f"no SECRET_KEY set; using a random key for this {env} process only")
        return secrets.token_urlsafe(48)
    if not isinstance(value, str):
        raise ConfigError("SECRET_KEY must be a string")
    if len(value.encode("utf-8")) < MIN_SECRET_BYTES:
        raise ConfigError(
            f"SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes long for HS256 signing "
            f"(got {len(value.encode('utf-8'))})"
        )
    return value
