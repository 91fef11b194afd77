-- 006: indexes for filtered AND sorted listings, found by profiling GET /api/tasks over
-- 50,000 tasks (docs/performance.md). An index serves "filter, then sort, then stop after one
-- page" only when it starts with the filtered columns and continues with the sort key; then
-- SQLite reads the first `limit` matching rows in order and stops. With only a filter index
-- it must read every matching row and sort them in a temporary B-tree before the first row.

-- A board column: one status of one project, most urgent first. (The equality columns may
-- come in any order; status leads so that this index never competes with 004's
-- ix_tasks_project_priority for plain project listings.)
CREATE INDEX ix_tasks_status_project_priority ON tasks (status, project_id, priority DESC);

-- "My queue": one assignee, soonest due first. The listing sorts by the expression
-- "due_date IS NULL" first (tasks without a date come last), so the index holds it too.
CREATE INDEX ix_tasks_assignee_due ON tasks (assignee_id, due_date IS NULL, due_date);

-- Triage: one status of one category, most urgent first.
CREATE INDEX ix_tasks_status_category_priority ON tasks (status, category_id, priority DESC);
