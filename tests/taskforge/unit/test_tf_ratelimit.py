"""Attempt limiting with an injected clock (no sleeping), on every attempt store."""

import threading

import pytest

from taskforge.errors import RateLimited
from taskforge.security.ratelimit import (
    AttemptLimiter,
    LoginRateLimiter,
    MemoryAttemptStore,
    registration_key,
)
from taskforge.security.shared_attempts import RedisAttemptStore, SqlAttemptStore

STORES = ("memory", "sqlite", "postgresql", "redis")


@pytest.fixture(params=STORES)
def store(request):
    if request.param == "memory":
        return MemoryAttemptStore()
    if request.param == "sqlite":
        from taskforge.db import SqliteDatabase

        return SqlAttemptStore(SqliteDatabase(request.getfixturevalue("db_path")).connection)
    if request.param == "postgresql":
        from taskforge.postgres import PostgresDatabase

        database = PostgresDatabase(request.getfixturevalue("pg_url"), pool_size=4)
        request.addfinalizer(database.close)
        return SqlAttemptStore(database.connection, "postgresql")
    import redis

    client = redis.Redis.from_url(request.getfixturevalue("redis_url"))
    request.addfinalizer(client.close)
    return RedisAttemptStore(client)


@pytest.fixture
def limiter(clock, store):
    return LoginRateLimiter(max_attempts=3, window_seconds=60, clock=clock, store=store)


def attempts(limiter, key, times):
    for _ in range(times):
        limiter.attempt(key)


def test_blocks_after_max_attempts(limiter):
    attempts(limiter, "k", 3)
    with pytest.raises(RateLimited) as caught:
        limiter.attempt("k")
    assert caught.value.retry_after == 60
    assert caught.value.status == 429


def test_retry_after_counts_down_with_the_clock(limiter, clock):
    attempts(limiter, "k", 1)
    clock.advance(20)
    attempts(limiter, "k", 2)
    clock.advance(15)
    with pytest.raises(RateLimited) as caught:
        limiter.attempt("k")
    assert caught.value.retry_after == 25  # the first attempt leaves the window in 25 s


def test_a_refused_attempt_is_not_counted(limiter, clock):
    attempts(limiter, "k", 3)
    for _ in range(5):
        with pytest.raises(RateLimited):
            limiter.attempt("k")
    clock.advance(60)
    attempts(limiter, "k", 3)  # only the three counted attempts had to expire


def test_window_slides(limiter, clock):
    attempts(limiter, "k", 3)
    clock.advance(60)
    limiter.attempt("k")  # the attempts are outside the window now


def test_reset_forgets(limiter):
    attempts(limiter, "k", 2)
    limiter.reset("k")
    attempts(limiter, "k", 3)


def test_keys_are_separate(limiter):
    attempts(limiter, LoginRateLimiter.key("Alice", "10.0.0.1"), 3)
    limiter.attempt(LoginRateLimiter.key("alice", "10.0.0.2"))
    limiter.attempt(LoginRateLimiter.key("bob", "10.0.0.1"))
    limiter.attempt(registration_key("10.0.0.1"))
    with pytest.raises(RateLimited):
        limiter.attempt(LoginRateLimiter.key(" ALICE ", "10.0.0.1"))


def test_check_and_record_is_atomic_under_concurrency(clock, store):
    limiter = AttemptLimiter(5, 60, clock, store)
    start = threading.Barrier(20)
    outcomes = []

    def try_once():
        start.wait()
        try:
            limiter.attempt("hot")
            outcomes.append("in")
        except RateLimited:
            outcomes.append("limited")

    threads = [threading.Thread(target=try_once) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["in"] * 5 + ["limited"] * 15


def test_keys_stay_short_whatever_the_username():
    key = LoginRateLimiter.key("x" * 100_000, "10.0.0.1")
    assert len(key) < 64


def test_memory_store_is_bounded(clock):
    store = MemoryAttemptStore(max_keys=100)
    limiter = AttemptLimiter(3, 60, clock, store)
    for n in range(1_000):
        limiter.attempt(f"user{n}")
    assert len(store) == 100
    limiter.attempt("user999")  # the most recent keys are the ones kept
    attempts(limiter, "user999", 1)
    with pytest.raises(RateLimited):
        limiter.attempt("user999")
