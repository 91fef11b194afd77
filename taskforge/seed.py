"""Demo data: three accounts (one per role), two projects, categories and a few tasks."""

from __future__ import annotations

from dataclasses import dataclass

from .bootstrap import Services

# DEMO ONLY. These passwords are published in the docs; never seed them into a real system.
DEMO_USERS = (
    ("admin", "admin-demo-pass", "admin"),
    ("editor", "editor-demo-pass", "editor"),
    ("viewer", "viewer-demo-pass", "viewer"),
)
DEMO_CATEGORIES = ("bug", "feature", "chore")


@dataclass(frozen=True)
class SeedReport:
    """What seeding did."""

    created: bool
    users: int = 0
    projects: int = 0
    categories: int = 0
    tasks: int = 0


def seed(services: Services) -> SeedReport:
    """Fill an empty system with demo data; do nothing if any account exists."""
    auth, tasks = services.auth, services.tasks
    if auth.list_users():
        return SeedReport(created=False)
    admin = auth.register(*DEMO_USERS[0][:2])
    people = {"admin": admin}
    for username, password, role in DEMO_USERS[1:]:
        people[username] = auth.register(username, password, role, actor=admin)
    cats = {name: tasks.create_category(name) for name in DEMO_CATEGORIES}
    web = tasks.create_project("Website relaunch", "New marketing site", owner_id=admin.id)
    app = tasks.create_project("Mobile app", "iOS and Android client", owner_id=admin.id)
    for project in (web, app):  # one team: the demo editor and viewer work on both projects
        for username in ("editor", "viewer"):
            tasks.add_member(project.id, people[username].id, actor=admin)

    def add(project, title, **fields):
        return tasks.create_task(project_id=project.id, title=title, actor_id=admin.id, **fields)

    launch = add(
        web,
        "Launch the new site",
        priority=90,
        due_date="2030-03-01",
        category_id=cats["feature"].id,
        assignee_id=people["editor"].id,
    )
    add(
        web,
        "Write the landing page copy",
        priority=70,
        parent_id=launch.id,
        category_id=cats["chore"].id,
        assignee_id=people["editor"].id,
    )
    add(
        web,
        "Fix broken links in the footer",
        priority=60,
        status="doing",
        category_id=cats["bug"].id,
        assignee_id=people["admin"].id,
    )
    add(web, "Compress hero images", priority=30, category_id=cats["chore"].id)
    add(
        app,
        "Crash when opening an empty project",
        priority=95,
        status="doing",
        due_date="2030-02-15",
        category_id=cats["bug"].id,
        assignee_id=people["editor"].id,
    )
    add(app, "Offline mode", priority=50, category_id=cats["feature"].id)
    add(
        app,
        "Update app store screenshots",
        priority=10,
        status="done",
        category_id=cats["chore"].id,
    )
    return SeedReport(created=True, users=3, projects=2, categories=3, tasks=7)
