"""Login rate limiting with an injected clock (no sleeping)."""

import pytest

from taskforge.errors import RateLimited
from taskforge.security.ratelimit import LoginRateLimiter


@pytest.fixture
def limiter(clock):
    return LoginRateLimiter(max_attempts=3, window_seconds=60, clock=clock)


def fail(limiter, key, times):
    for _ in range(times):
        limiter.check(key)
        limiter.record_failure(key)


def test_blocks_after_max_failures(limiter):
    fail(limiter, "alice|1.2.3.4", 3)
    with pytest.raises(RateLimited) as caught:
        limiter.check("alice|1.2.3.4")
    assert caught.value.retry_after == 60
    assert caught.value.status == 429


def test_retry_after_counts_down_with_the_clock(limiter, clock):
    fail(limiter, "k", 1)
    clock.advance(20)
    fail(limiter, "k", 2)
    clock.advance(15)
    with pytest.raises(RateLimited) as caught:
        limiter.check("k")
    assert caught.value.retry_after == 25  # the first failure leaves the window in 25 s


def test_window_slides(limiter, clock):
    fail(limiter, "k", 3)
    clock.advance(60)
    limiter.check("k")  # the failures are outside the window now


def test_success_resets(limiter):
    fail(limiter, "k", 2)
    limiter.reset("k")
    fail(limiter, "k", 2)
    limiter.check("k")


def test_buckets_are_per_username_and_client(limiter):
    fail(limiter, LoginRateLimiter.key("Alice", "10.0.0.1"), 3)
    limiter.check(LoginRateLimiter.key("alice", "10.0.0.2"))
    limiter.check(LoginRateLimiter.key("bob", "10.0.0.1"))
    with pytest.raises(RateLimited):
        limiter.check(LoginRateLimiter.key(" ALICE ", "10.0.0.1"))
