-- 006 (PostgreSQL): the filter-then-sort indexes of SQLite's 006 (an expression in an index
-- needs its own parentheses here).
CREATE INDEX ix_tasks_status_project_priority ON tasks (status, project_id, priority DESC);
CREATE INDEX ix_tasks_assignee_due ON tasks (assignee_id, (due_date IS NULL), due_date);
CREATE INDEX ix_tasks_status_category_priority ON tasks (status, category_id, priority DESC);
