"""Mutant: A '## ' line is taken for the title when it comes first."""

from __future__ import annotations

STATUSES = ("Proposed", "Accepted", "Rejected", "Deprecated", "Superseded")
SECTIONS = ("Context", "Decision", "Consequences", "Alternatives considered")
OPTIONS = ("Redis", "in-process cache", "Memcached", "no cache")

ADR = """\
# ADR 0012: Cache task lists in Redis

Status: Accepted (2026-03-02).

## Context
GET /api/tasks is about 80 % of our traffic and costs a 40 ms query each time, although the
lists change only a few times a minute. Four app servers sit behind the load balancer, so a
user's next request often lands on a different server than the last one.

## Decision
We cache each task list in Redis for 30 seconds, keyed by user and filters. A write to a
task deletes the cached lists of its project, so users see their own changes at once.

## Consequences
+ Most listings are answered from memory in about a millisecond, and the database load drops.
+ All four app servers see the same cached list, and a write clears it for all of them.
- One more server to run, monitor, back up and secure, with its own failure modes.
- Code must delete the right keys on every write path, or users see stale lists.

## Alternatives considered
- in-process cache: four copies disagree after a write, and a server cannot clear the others.
- Memcached: nobody on the team has operated it, and Redis also gives us queues later.
- no cache: the database would still answer every request, and the load keeps growing.
"""


def _status_word(text: str) -> str:
    words = text.split()
    return words[0].rstrip(".,;:!?)") if words else ""


def parse_adr(text: str) -> dict:
    """Split an ADR into its title, status and sections.

    Returns ``{"title": str, "status": str, "sections": {heading: text}}``:

    * ``title``: the text after ``# `` on the first line that starts with ``# `` (one hash
      and a space), stripped.
    * ``sections``: for every line that starts with ``## ``, its heading text (stripped)
      maps to the lines below it up to the next line starting with ``# `` or ``## ``,
      joined with newlines and stripped. Text before the first ``## `` line belongs to no
      section.
    * ``status``: the first word of the status, without punctuation after it (``"Accepted
      (2026-03-02)."`` gives ``"Accepted"``). The status is the text after ``Status:`` on a
      line that starts with ``Status:`` and comes before the first ``## `` line; when there
      is no such line, it is the first non-blank line of the ``Status`` section.

    Raises ValueError when the text has no title or no status.
    """
    title = None
    status = None
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("#") and title is None:
            title = line.lstrip("#").strip()
            current = None
        elif line.startswith("## "):
            current = sections.setdefault(line[3:].strip(), [])
        elif line.startswith("# "):
            current = None
        elif current is not None:
            current.append(line)
        elif not sections and status is None and line.startswith("Status:"):
            status = _status_word(line[len("Status:") :])
    bodies = {name: "\n".join(lines).strip() for name, lines in sections.items()}
    if status is None and bodies.get("Status"):
        status = _status_word(bodies["Status"].splitlines()[0])
    if title is None:
        raise ValueError("no title: the first heading must be a line starting with '# '")
    if not status:
        raise ValueError("no status: add a 'Status: ...' line or a '## Status' section")
    return {"title": title, "status": status, "sections": bodies}
