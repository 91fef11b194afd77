-- 004: indexes for the three most frequent task listings. Each leads with the filtered
-- column(s) and ends with priority DESC, the default sort, so SQLite can both find the
-- rows and return them in order without a temporary sort (check with EXPLAIN QUERY PLAN).

-- "Tasks of a project, most urgent first" (the main board view).
CREATE INDEX ix_tasks_project_priority ON tasks (project_id, priority DESC);

-- "My open tasks": tasks by assignee and status.
CREATE INDEX ix_tasks_assignee_status ON tasks (assignee_id, status, priority DESC);

-- "Tasks in a category" (the category filter).
CREATE INDEX ix_tasks_category_priority ON tasks (category_id, priority DESC);

-- Subtask lookups (moving or deleting a task walks its children).
CREATE INDEX ix_tasks_parent ON tasks (parent_id);
