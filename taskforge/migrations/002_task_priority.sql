-- 002: a numeric priority (0-100, higher is more urgent). Numbers sort correctly; the
-- words 'high' < 'low' < 'medium' do not. Existing tasks get the middle value.
ALTER TABLE tasks ADD COLUMN priority INTEGER NOT NULL DEFAULT 50
    CHECK (priority BETWEEN 0 AND 100);
