"""Alternative: the parser splits the text with one regular expression; the ADR picks no cache.

Instead of walking lines with a current-section variable, the text is cut at every
heading line with re.split, and the status is looked for in the preamble first, then in
the Status section. The record argues for a covering index and no cache, status Proposed.
"""

from __future__ import annotations

import re

STATUSES = ("Proposed", "Accepted", "Rejected", "Deprecated", "Superseded")
SECTIONS = ("Context", "Decision", "Consequences", "Alternatives considered")
OPTIONS = ("Redis", "in-process cache", "Memcached", "no cache")

ADR = """# ADR 0012: Serve task lists from PostgreSQL with a covering index
Status: Proposed, to be reviewed on Friday

## Context
Task lists are 80 percent of requests at roughly 40 ms per query, on four app servers that
share one PostgreSQL database; the lists change several times a minute.

## Decision
We choose no cache for now and add a covering index on (project_id, status, due_date).
We measure again in a month and revisit this record if the p99 latency stays above 50 ms.

## Consequences
+ Nothing new to run, and every user always sees the current list after a write.
- The database still answers every request, so its load grows with our traffic.
- If the index does not help enough we pay for a second migration later.

## Alternatives considered
* Redis: one more server to secure and operate for a saving we have not measured yet.
- in-process cache: the four servers would show different lists for up to the expiry time.
- Memcached: the team has never operated it, and it adds a server like Redis does.
"""

HEADING = re.compile(r"^(#{1,2}) (.*)$", re.MULTILINE)


def parse_adr(text: str) -> dict:
    """Split an ADR into its title, status and sections."""
    pieces = HEADING.split(text)
    preamble, rest = pieces[0], pieces[1:]
    title = None
    status_line = None
    sections = {}
    seen_section = False
    for line in preamble.splitlines():
        if line.startswith("Status:") and status_line is None:
            status_line = line[7:]
    for hashes, heading, body in zip(rest[0::3], rest[1::3], rest[2::3], strict=True):
        if hashes == "#":
            title = title if title is not None else heading.strip()
            if not seen_section and status_line is None:
                found = re.search(r"^Status:(.*)$", body, re.MULTILINE)
                status_line = found.group(1) if found else None
        else:
            seen_section = True
            sections.setdefault(heading.strip(), "")
            joined = (
                (sections[heading.strip()] + "\n" + body) if sections[heading.strip()] else body
            )
            sections[heading.strip()] = joined
    sections = {name: body.strip() for name, body in sections.items()}
    if status_line is None and sections.get("Status"):
        status_line = sections["Status"].splitlines()[0]
    word = re.match(r"\s*([^\s.,;:!?)]+)", status_line or "")
    if title is None:
        raise ValueError("this ADR has no '# ' title line")
    if word is None:
        raise ValueError("this ADR has no status")
    return {"title": title, "status": word.group(1), "sections": sections}
