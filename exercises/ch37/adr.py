"""Chapter 37 exercise: record a TaskForge decision as an Architecture Decision Record (ADR).

TaskForge now runs on four app servers behind a load balancer, all sharing one PostgreSQL
database. The task list (``GET /api/tasks``) is the busiest endpoint: about 80 % of all
requests, each costing one query of around 40 ms, for lists that change a few times a
minute. The team agreed to cache task lists, and you write down which cache and why, so the
next developer does not have to guess. These are the options the team looked at:

* **Redis**: one cache server shared by the four app servers; an entry can be deleted
  when a task changes; one more server to run, monitor and secure.
* **in-process cache**: a dictionary with expiry times inside each app server; nothing
  new to run; four separate copies that can disagree for up to their expiry time, and
  one app server cannot delete the others' entries.
* **Memcached**: a shared cache server like Redis, simple and fast; no data types
  beyond strings and no persistence; the team has never operated it.
* **no cache**: keep every request on PostgreSQL and add a covering index; nothing to
  invalidate; the database still takes every request.

Any of them can be argued for. The grader checks the shape of your record, not which option
you chose; a classmate or your instructor can judge the arguments.

Your tasks:

1. ``parse_adr``: split an ADR's Markdown into its title, status and sections.
2. ``ADR``: write the record, with its title, status and four sections.
3. ``ADR``: the decision names one option, and the alternatives give reasons.
4. ``ADR``: the consequences name at least one benefit and one cost.

**The record** (``ADR`` below) is a Markdown string laid out like the template in this
chapter's lesson:

* a first line ``# ADR 0012: <the decision in a few words>``;
* a status line ``Status: <status>`` before the first section, where the status starts
  with one of the words in ``STATUSES`` (for example ``Status: Accepted (2026-03-02).``);
* the sections ``## Context``, ``## Decision``, ``## Consequences`` and
  ``## Alternatives considered``, each with at least 12 words of text;
* the first sentence of the Decision (up to its first full stop) names exactly one of the
  options above, the one you chose, by the name printed in bold;
* under Alternatives considered, at least two list items, each of them
  ``- <option>: <why it was not chosen>``, where the option is another of the names in
  bold (a different one in each item) and the reason has at least five words;
* under Consequences, at least one benefit on a line starting with ``+`` and at least one
  cost on a line starting with ``-``.
"""

from __future__ import annotations

STATUSES = ("Proposed", "Accepted", "Rejected", "Deprecated", "Superseded")
SECTIONS = ("Context", "Decision", "Consequences", "Alternatives considered")
OPTIONS = ("Redis", "in-process cache", "Memcached", "no cache")

# TODO (tasks 2-4): write your ADR here, between the triple quotes. Start it with
# "# ADR 0012: ..." on the first line; the lesson's "Recording decisions" section has a
# template to follow.
ADR = """\
"""


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
    # TODO (task 1): walk the lines once, remembering which section you are in.
    raise NotImplementedError("parse_adr is not written yet")
