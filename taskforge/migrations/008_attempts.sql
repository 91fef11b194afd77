-- 008: attempts counted by the rate limiters (logins, registrations), shared by every app
-- process that uses this database. Rows older than their window are deleted as keys are hit.
CREATE TABLE attempts (
    key TEXT NOT NULL,
    at  REAL NOT NULL
);

CREATE INDEX ix_attempts_key_at ON attempts (key, at);
CREATE INDEX ix_attempts_at ON attempts (at);
