-- 008 (PostgreSQL): rate-limiter attempts shared by every app process, as in SQLite's 008.
CREATE TABLE attempts (
    key TEXT NOT NULL,
    at  DOUBLE PRECISION NOT NULL
);
CREATE INDEX ix_attempts_key_at ON attempts (key, at);
CREATE INDEX ix_attempts_at ON attempts (at);
