"""The listing requests the Phase 8 gate times (and `make bench-taskforge` times the same way)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from graders.gates.phase8.dataset import Dataset, Shape, expected_ids

PAGE = 50  # one page, the way a board or a list view asks for it
DRAWS = 4  # parameter draws per view
SEED = 20
LATER = "2099-12-31"  # a due date after every generated one
# A filter, a sort and a page: the listings a board, a personal queue and triage show.
VIEWS = {
    "board column": "project_id={project}&status=todo&sort=priority",
    "my queue": "assignee_id={user}&sort=due_date",
    "triage": "category_id={category}&status=todo&sort=priority",
}


@dataclass
class Listing:
    """One timed request: the same logical query on every database (ids may differ)."""

    view: str
    query: dict[str, Any] = field(default_factory=dict)  # the last side's (kept for benches)
    queries: dict[str, dict[str, Any]] = field(default_factory=dict)  # side -> its query
    urls: dict[str, str] = field(default_factory=dict)  # side -> URL
    expected: dict[str, list[int]] = field(default_factory=dict)  # side -> every matching id


def listings(data: dict[str, Dataset], shape: Shape, draws: int = DRAWS) -> list[Listing]:
    """draws x len(VIEWS) listings; each side's URL uses the ids of that side's data."""
    rng = random.Random(SEED)
    found = []
    for _ in range(draws):
        for view, pattern in VIEWS.items():
            picks = {
                "project": rng.randrange(shape.projects),
                "user": rng.randrange(shape.users),
                "category": rng.randrange(shape.categories),
            }
            listing = Listing(view)
            for side, got in data.items():
                ids = {
                    "project": got.project_ids[picks["project"]],
                    "user": got.user_ids[len(got.user_ids) - shape.users + picks["user"]],
                    "category": got.category_ids[picks["category"]],
                }
                text = pattern.format(**ids)
                query = dict(part.split("=") for part in text.split("&"))
                listing.query = {k: int(v) if v.isdigit() else v for k, v in query.items()}
                listing.queries[side] = listing.query
                listing.urls[side] = f"/api/tasks?{text}&limit={PAGE}"
                listing.expected[side] = expected_ids(got.tasks, listing.query)
            found.append(listing)
    return found


def writes_between_rounds(listings: list[Listing], data: Dataset, side: str) -> list[list[Any]]:
    """PATCH requests that change the first page of every listing, applied to the gate's
    model of the data (each listing's expected ids are brought up to date).

    The first task of each page moves out of it: a to-do task becomes "doing" (it leaves the
    status=todo views), a task in someone's queue gets a due date far away (it goes to the
    end). A cached answer from the previous round is then wrong.
    """
    by_id = {task["id"]: task for task in data.tasks}
    writes: list[list[Any]] = []
    for listing in listings:
        ids = expected_ids(data.tasks, listing.queries[side])
        if not ids:
            continue
        task = by_id[ids[0]]
        todo_view = listing.queries[side].get("status") == "todo"
        body = {"status": "doing"} if todo_view else {"due_date": LATER}
        task.update(body)
        writes.append([task["id"], body])
    for listing in listings:
        listing.expected[side] = expected_ids(data.tasks, listing.queries[side])
    return writes


def wrong_answer(listing: Listing, side: str, status: Any, ids: Any) -> str | None:
    """Why one side's answer to a listing is not acceptable, or None when it is."""
    return wrong_page(listing.expected[side], status, ids)


def wrong_page(expected: list[int], status: Any, ids: Any) -> str | None:
    """Why an answer to a listing is not acceptable, or None when it is."""
    if status != 200:
        return f"status {status}"
    if not isinstance(ids, list) or not all(type(i) is int for i in ids):
        return f"the body has no list of tasks with integer ids: {str(ids)[:200]}"
    if len(ids) < min(PAGE, len(expected)):
        return f"{len(ids)} tasks, but {len(expected)} match (asked for up to {PAGE})"
    if ids != expected[: len(ids)]:
        first = next(i for i, (a, b) in enumerate(zip(ids, expected, strict=False)) if a != b)
        return (
            f"task ids {ids[: first + 3]}..., expected {expected[: first + 3]}... "
            f"(first difference at position {first + 1})"
        )
    return None
