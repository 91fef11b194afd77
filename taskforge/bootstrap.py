"""The composition root: the one place that picks concrete classes and wires the services."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .db import SqliteDatabase
from .observability import Metrics, build_logger, sql_observer
from .repository import (
    InMemoryStore,
    InMemoryTaskRepository,
    InMemoryUserRepository,
    SqliteTaskRepository,
    SqliteUserRepository,
)
from .repository.sqlite_support import QueryObserver
from .security.passwords import HashingSlots, PasswordHasher
from .security.ratelimit import (
    AttemptLimiter,
    AttemptStore,
    LoginRateLimiter,
    MemoryAttemptStore,
)
from .security.shared_attempts import RedisAttemptStore, SqlAttemptStore
from .security.tokens import TokenService
from .services import AuthService, TaskManager


@dataclass
class Runtime:
    """Long-lived collaborators owned by one app instance (never by the module)."""

    hasher: PasswordHasher
    tokens: TokenService
    limiter: LoginRateLimiter
    registrations: AttemptLimiter
    slots: HashingSlots
    database: Any  # SqliteDatabase or PostgresDatabase; None with in-memory storage
    memory: InMemoryStore | None
    logger: logging.Logger
    log_handler: logging.Handler
    metrics: Metrics
    timer: Callable[[], float]
    observer: QueryObserver


@dataclass
class Services:
    """What a request handler may use."""

    tasks: TaskManager
    auth: AuthService


def build_runtime(config: Mapping) -> Runtime:
    """Create the per-app collaborators from settings."""
    logger, handler = build_logger(
        f"{config['SERVICE_NAME']}.requests",
        level=config["LOG_LEVEL"],
        service=config["SERVICE_NAME"],
        file=config["LOG_FILE"],
        stream=config["LOG_STREAM"],
    )
    metrics = Metrics()
    database = build_database(config)
    attempts = build_attempt_store(config, database)
    return Runtime(
        hasher=PasswordHasher(config["PASSWORD_ITERATIONS"]),
        tokens=TokenService(config["SECRET_KEY"], config["TOKEN_TTL_SECONDS"], clock=time.time),
        limiter=LoginRateLimiter(
            config["LOGIN_MAX_ATTEMPTS"], config["LOGIN_WINDOW_SECONDS"], config["CLOCK"], attempts
        ),
        registrations=AttemptLimiter(
            config["REGISTER_MAX_ATTEMPTS"],
            config["REGISTER_WINDOW_SECONDS"],
            config["CLOCK"],
            attempts,
            message="too many new accounts from this address; try again later",
        ),
        slots=HashingSlots(config["HASH_CONCURRENCY"], config["HASH_WAIT_SECONDS"]),
        database=database,
        memory=InMemoryStore() if config["STORAGE"] == "memory" else None,
        logger=logger,
        log_handler=handler,
        metrics=metrics,
        timer=config["TIMER"],
        observer=sql_observer(metrics, logger),
    )


def build_database(config: Mapping) -> Any:
    """The database the settings name: a PostgreSQL URL, a SQLite file, or None (memory)."""
    if config["STORAGE"] == "postgresql":
        from .postgres import PostgresDatabase

        return PostgresDatabase(config["DATABASE_URL"], pool_size=config["DB_POOL_SIZE"])
    if config["STORAGE"] == "sqlite":
        return SqliteDatabase(config["DATABASE"], timeout=config["SQLITE_TIMEOUT"])
    return None


def build_attempt_store(config: Mapping, database: Any) -> AttemptStore:
    """Where the rate limiters count: Redis when configured, else the app's own database, so
    every process serving the same data shares the counts (in memory only for demos)."""
    if config["REDIS_URL"]:
        import redis

        return RedisAttemptStore(redis.Redis.from_url(config["REDIS_URL"], socket_timeout=5))
    if database is None:
        return MemoryAttemptStore()
    return SqlAttemptStore(database.connection, database.dialect)


def bootstrap(runtime: Runtime, connection: Any = None) -> Services:
    """Wire services onto a database connection, or onto the in-memory store when there is one."""
    if runtime.memory is not None:
        tasks_repo = InMemoryTaskRepository(runtime.memory)
        users_repo = InMemoryUserRepository(runtime.memory)
    elif connection is not None:
        session = runtime.database.session(
            connection, observer=runtime.observer, timer=runtime.timer
        )
        tasks_repo = SqliteTaskRepository(session)
        users_repo = SqliteUserRepository(session)
    else:
        raise ValueError("database storage needs a connection")
    auth = AuthService(
        users_repo,
        hasher=runtime.hasher,
        tokens=runtime.tokens,
        limiter=runtime.limiter,
        registrations=runtime.registrations,
        slots=runtime.slots,
    )
    return Services(tasks=TaskManager(tasks_repo), auth=auth)


def active_task_counter(runtime: Runtime) -> Callable[[], int]:
    """A function counting tasks not yet done, on its own short-lived connection (metrics)."""

    def count() -> int:
        if runtime.memory is not None:
            return bootstrap(runtime).tasks.count_active_tasks()
        with runtime.database.connection() as connection:
            return bootstrap(runtime, connection).tasks.count_active_tasks()

    return count
