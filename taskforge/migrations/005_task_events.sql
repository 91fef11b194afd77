-- 005: a history of what happened to each task (created, updated, moved) and by whom.
CREATE TABLE task_events (
    id         INTEGER PRIMARY KEY,
    task_id    INTEGER NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '{}',
    actor_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);

CREATE INDEX ix_task_events_task ON task_events (task_id, id);
