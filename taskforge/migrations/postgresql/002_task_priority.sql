-- 002 (PostgreSQL): a numeric priority, 0-100, as in SQLite's 002.
ALTER TABLE tasks ADD COLUMN priority INTEGER NOT NULL DEFAULT 50
    CHECK (priority BETWEEN 0 AND 100);
