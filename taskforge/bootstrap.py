"""The composition root: the one place that picks concrete classes and wires the services."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass

from .observability import Metrics, build_logger, sql_observer
from .repository import (
    InMemoryStore,
    InMemoryTaskRepository,
    InMemoryUserRepository,
    SqliteSession,
    SqliteTaskRepository,
    SqliteUserRepository,
)
from .repository.sqlite_support import QueryObserver
from .security.passwords import PasswordHasher
from .security.ratelimit import LoginRateLimiter
from .security.tokens import TokenService
from .services import AuthService, TaskManager


@dataclass
class Runtime:
    """Long-lived collaborators owned by one app instance (never by the module)."""

    hasher: PasswordHasher
    tokens: TokenService
    limiter: LoginRateLimiter
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
    return Runtime(
        hasher=PasswordHasher(config["PASSWORD_ITERATIONS"]),
        tokens=TokenService(config["SECRET_KEY"], config["TOKEN_TTL_SECONDS"], clock=time.time),
        limiter=LoginRateLimiter(
            config["LOGIN_MAX_ATTEMPTS"], config["LOGIN_WINDOW_SECONDS"], config["CLOCK"]
        ),
        memory=InMemoryStore() if config["STORAGE"] == "memory" else None,
        logger=logger,
        log_handler=handler,
        metrics=metrics,
        timer=config["TIMER"],
        observer=sql_observer(metrics, logger),
    )


def bootstrap(runtime: Runtime, connection: sqlite3.Connection | None = None) -> Services:
    """Wire services onto a SQLite connection, or onto the in-memory store when there is one."""
    if runtime.memory is not None:
        tasks_repo = InMemoryTaskRepository(runtime.memory)
        users_repo = InMemoryUserRepository(runtime.memory)
    elif connection is not None:
        session = SqliteSession(connection, observer=runtime.observer, timer=runtime.timer)
        tasks_repo = SqliteTaskRepository(session)
        users_repo = SqliteUserRepository(session)
    else:
        raise ValueError("SQLite storage needs a connection")
    auth = AuthService(
        users_repo, hasher=runtime.hasher, tokens=runtime.tokens, limiter=runtime.limiter
    )
    return Services(tasks=TaskManager(tasks_repo), auth=auth)


def active_task_counter(
    runtime: Runtime, connect: Callable[[], sqlite3.Connection]
) -> Callable[[], int]:
    """A function counting tasks not yet done, on its own short-lived connection (metrics)."""

    def count() -> int:
        if runtime.memory is not None:
            return bootstrap(runtime).tasks.count_active_tasks()
        with closing(connect()) as connection:
            return bootstrap(runtime, connection).tasks.count_active_tasks()

    return count
