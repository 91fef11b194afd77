"""Alternative: the parser groups lines into blocks first; the ADR picks an in-process cache.

Each heading starts a block (kind, heading, lines) in a list of small dataclasses; a
second pass turns the blocks into the result. The record is Accepted and argues for a
per-server cache with a short expiry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STATUSES = ("Proposed", "Accepted", "Rejected", "Deprecated", "Superseded")
SECTIONS = ("Context", "Decision", "Consequences", "Alternatives considered")
OPTIONS = ("Redis", "in-process cache", "Memcached", "no cache")

ADR = """\
# ADR 0012: A short in-process cache for task lists
Status: Accepted. Reviewed by the whole backend team.

## Decision
Each app server keeps an in-process cache of task lists that expires after 5 seconds.
A user may see a list up to 5 seconds old on another server, which product accepted.

## Context
The task list endpoint takes most of our traffic. Each request costs about 40 ms of
database time, and the four app servers all query the same PostgreSQL database.

## Alternatives considered
- Redis: a new server to run, monitor and secure, for a gain the short expiry already gives.
- Memcached: a shared server like Redis that none of us has ever operated in production.

## Consequences
- Four copies can disagree for up to five seconds after somebody edits a task.
+ No new infrastructure, and repeated listings skip the database almost entirely.
"""


@dataclass
class _Block:
    kind: str  # "top", "title" or "section"
    heading: str = ""
    lines: list[str] = field(default_factory=list)


def _first_word(text: str) -> str:
    parts = text.split()
    return parts[0].rstrip(".,;:!?)") if parts else ""


def parse_adr(text: str) -> dict:
    """Split an ADR into its title, status and sections."""
    blocks = [_Block("top")]
    for line in text.splitlines():
        if line.startswith("## "):
            blocks.append(_Block("section", line[3:].strip()))
        elif line.startswith("# "):
            blocks.append(_Block("title", line[2:].strip()))
        else:
            blocks[-1].lines.append(line)
    titles = [b.heading for b in blocks if b.kind == "title"]
    sections: dict[str, str] = {}
    for block in blocks:
        if block.kind == "section":
            old = sections.get(block.heading)
            body = "\n".join(block.lines)
            sections[block.heading] = body if old is None else old + "\n" + body
    sections = {k: v.strip() for k, v in sections.items()}
    status = ""
    for block in blocks:
        if block.kind == "section":
            break
        hits = [line for line in block.lines if line.startswith("Status:")]
        if hits:
            status = _first_word(hits[0][len("Status:") :])
            break
    if not status and sections.get("Status"):
        status = _first_word(sections["Status"].splitlines()[0])
    if not titles:
        raise ValueError("no '# ' title")
    if not status:
        raise ValueError("no status")
    return {"title": titles[0], "status": status, "sections": sections}
