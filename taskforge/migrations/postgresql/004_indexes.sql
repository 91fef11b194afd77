-- 004 (PostgreSQL): the listing indexes of SQLite's 004.
CREATE INDEX ix_tasks_project_priority ON tasks (project_id, priority DESC);
CREATE INDEX ix_tasks_assignee_status ON tasks (assignee_id, status, priority DESC);
CREATE INDEX ix_tasks_category_priority ON tasks (category_id, priority DESC);
CREATE INDEX ix_tasks_parent ON tasks (parent_id);
