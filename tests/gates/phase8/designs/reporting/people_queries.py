"""SQL about people: open tasks per assignee."""

OPEN_PER_PERSON = (
    "SELECT u.username, COUNT(t.id) FROM tasks t "
    "LEFT JOIN users u ON u.id = t.assignee_id WHERE t.status != 'done' "
    "GROUP BY u.username"
)


def open_per_person(db):
    return db.execute(OPEN_PER_PERSON).fetchall()
