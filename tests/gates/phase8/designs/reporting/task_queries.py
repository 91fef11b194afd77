"""SQL about tasks: the open dated tasks and the status counts of a project."""

OPEN_DATED = (
    "SELECT t.id, t.title, t.due_date, t.priority, p.name AS project, u.username AS assignee "
    "FROM tasks t JOIN projects p ON p.id = t.project_id "
    "LEFT JOIN users u ON u.id = t.assignee_id "
    "WHERE t.status != 'done' AND t.due_date IS NOT NULL"
)
STATUS_COUNTS = (
    "SELECT t.status, COUNT(*) FROM tasks t JOIN projects p ON p.id = t.project_id "
    "WHERE p.name = ? GROUP BY t.status"
)


def open_dated(db, project=None):
    """Rows (id, title, due_date, priority, project, assignee) of open tasks with a due date."""
    if project:
        return db.execute(OPEN_DATED + " AND p.name = ?", (project,)).fetchall()
    return db.execute(OPEN_DATED).fetchall()


def status_counts(db, project):
    return dict(db.execute(STATUS_COUNTS, (project,)).fetchall())
