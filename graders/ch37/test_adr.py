"""Grader for ch37/adr: an ADR parser, and the learner's own ADR checked for its shape.

Task 1 calls the learner's ``parse_adr`` on ADRs written here. Tasks 2-4 read the learner's
``ADR`` string out of the sandbox and check it with the grader's own reading of the rules
(``judge_*`` below), so a mistake in ``parse_adr`` never costs the points of the record,
and the learner's code never judges its own record. What the decision says is left to
people; its shape is checked here.
"""

from __future__ import annotations

import re

import pytest

from graders.harness import GradeFailure, Learner

EXERCISE = "ch37/adr"
STATUSES = ("Proposed", "Accepted", "Rejected", "Deprecated", "Superseded")
SECTIONS = ("Context", "Decision", "Consequences", "Alternatives considered")
OPTIONS = ("Redis", "in-process cache", "Memcached", "no cache")
MIN_WORDS = 12
MIN_REASON_WORDS = 5


# -- task 1: parse_adr ---------------------------------------------------------------------------
TEMPLATE = """\
# ADR 0007: Use PostgreSQL in production

Status: Accepted (2024-05-02). Supersedes ADR 0001.

## Context
SQLite allows one writer at a time.

## Decision
Use PostgreSQL 16.
### Not a section of its own
Still the decision.

## Consequences
+ Concurrent writes.
- A server to operate.
"""

TEMPLATE_PARSED = {
    "title": "ADR 0007: Use PostgreSQL in production",
    "status": "Accepted",
    "sections": {
        "Context": "SQLite allows one writer at a time.",
        "Decision": "Use PostgreSQL 16.\n### Not a section of its own\nStill the decision.",
        "Consequences": "+ Concurrent writes.\n- A server to operate.",
    },
}


@pytest.mark.task(1)
def test_parse_the_lesson_template(learner):
    """title, the status word of a Status: line, and every ## section (### lines stay inside)"""
    learner.call("parse_adr", TEMPLATE).expect(TEMPLATE_PARSED)


@pytest.mark.task(1)
def test_parse_a_status_section(learner):
    """without a Status: line, the status is the first non-blank line of ## Status"""
    text = (
        "# ADR 3: Queue the e-mails\n\n## Status\n\nProposed, waiting for review\n\n## Context\nx\n"
    )
    expected = {
        "title": "ADR 3: Queue the e-mails",
        "status": "Proposed",
        "sections": {"Status": "Proposed, waiting for review", "Context": "x"},
    }
    learner.call("parse_adr", text).expect(expected)


@pytest.mark.task(1)
@pytest.mark.parametrize(
    ("line", "word"),
    [
        ("Status: Superseded, by ADR 0013", "Superseded"),
        ("Status:   Deprecated.", "Deprecated"),
        ("Status: Rejected", "Rejected"),
    ],
)
def test_parse_takes_the_first_word_without_punctuation(learner, line, word):
    """the status is the first word after Status:, without punctuation after it"""
    text = f"# ADR 9: Drop the cron job\n{line}\n## Context\nThe job is unused.\n"
    outcome = learner.call("parse_adr", text)
    parsed = outcome.value()
    if not isinstance(parsed, dict) or parsed.get("status") != word:
        got = parsed.get("status") if isinstance(parsed, dict) else parsed
        raise outcome.fail(f"status {word!r}", got=f"status {got!r}")


@pytest.mark.task(1)
def test_parse_ignores_text_before_the_first_section_and_later_titles(learner):
    """text before the first ## line is in no section; a second # line is not the title"""
    text = (
        "Draft notes, not part of any section.\n#hashtag is not a heading\n"
        "# ADR 4: Keep SQLite for tests\nStatus: Proposed\n\n## Context\nFast tests.\n"
        "# Appendix\nloose text\n## Decision\nKeep it.\n"
    )
    expected = {
        "title": "ADR 4: Keep SQLite for tests",
        "status": "Proposed",
        "sections": {"Context": "Fast tests.", "Decision": "Keep it."},
    }
    learner.call("parse_adr", text).expect(expected)


@pytest.mark.task(1)
def test_parse_a_status_line_inside_a_section_is_section_text(learner):
    """a Status: line after the first ## line is text of its section, not the status"""
    text = "# ADR 5: Retry mail\n## Context\nStatus: Accepted\n## Status\nRejected\n"
    expected = {
        "title": "ADR 5: Retry mail",
        "status": "Rejected",
        "sections": {"Context": "Status: Accepted", "Status": "Rejected"},
    }
    learner.call("parse_adr", text).expect(expected)


@pytest.mark.task(1)
@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Status: Accepted\n## Context\nNo title here.\n", id="no_title"),
        pytest.param("# ADR 6: Nothing decided\n## Context\nNo status.\n", id="no_status"),
        pytest.param("# ADR 6: Empty status\n## Status\n\n## Context\nx\n", id="empty_status"),
    ],
)
def test_parse_without_title_or_status_raises_value_error(learner, text):
    """no title, or no status: ValueError"""
    learner.call("parse_adr", text).expect_raises(ValueError)


# -- the judge's reading of the record -----------------------------------------------------------
def act_read_adr(module):
    """The learner's ADR string, or a description of what is there instead."""
    value = getattr(module, "ADR", None)
    if isinstance(value, str):
        return {"text": str(value)}
    return {"problem": f"ADR is {type(value).__name__}, not a str"}


def learner_adr(learner: Learner) -> str:
    record = learner.run(act_read_adr, call="ADR").value()
    if "problem" in record:
        raise GradeFailure(f"Looked at: ADR\nGot:       {record['problem']}")
    if not record["text"].strip():
        raise GradeFailure("Looked at: ADR\nGot:       an empty string\nExpected: your ADR")
    return record["text"]


def judge_sections(text: str) -> dict[str, str]:
    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("## "):
            current = sections.setdefault(line[3:].strip(), [])
        elif line.startswith("# "):
            current = None
        elif current is not None:
            current.append(line)
    return {name: "\n".join(lines).strip() for name, lines in sections.items()}


def words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9][A-Za-z0-9'’-]*", text)


def named_options(text: str) -> list[str]:
    lowered = text.lower()
    return [option for option in OPTIONS if option.lower() in lowered]


def section(learner: Learner, name: str) -> str:
    body = judge_sections(learner_adr(learner)).get(name)
    if body is None:
        raise GradeFailure(
            f"Looked at: ADR\nGot:       no line '## {name}'\n"
            f"Expected: a section '## {name}' (the heading exactly so)"
        )
    return body


def list_items(body: str, marker: str) -> list[str]:
    return [line.strip()[1:].strip() for line in body.splitlines() if line.strip()[:1] == marker]


def chosen_option(learner: Learner) -> list[str]:
    decision = section(learner, "Decision")
    first = decision.split(".", 1)[0]
    return named_options(first)


def look(what: str, got: str, expected: str) -> GradeFailure:
    return GradeFailure(f"Looked at: {what}\nGot:       {got}\nExpected: {expected}")


# -- task 2: title, status, sections ---------------------------------------------------------------
@pytest.mark.task(2)
def test_adr_starts_with_its_title(learner):
    """the first line is '# ADR 0012: <the decision in a few words>'"""
    first = learner_adr(learner).splitlines()[0]
    if not re.fullmatch(r"# ADR 0012: \S.*", first.rstrip()):
        raise look("the first line of ADR", repr(first[:120]), "'# ADR 0012: <a short title>'")


@pytest.mark.task(2)
def test_adr_has_a_valid_status_line(learner):
    """a 'Status:' line before the first section, starting with one of STATUSES"""
    status = None
    for line in learner_adr(learner).splitlines():
        if line.startswith("## "):
            break
        if line.startswith("Status:"):
            status = line
            break
    if status is None:
        raise look(
            "ADR, before its first '## ' line",
            "no line starting with 'Status:'",
            "a line like 'Status: Accepted (2026-03-02).'",
        )
    first = (words(status[len("Status:") :]) or [""])[0]
    if first not in STATUSES:
        raise look("the status line", repr(status), f"a status starting with one of {STATUSES}")


@pytest.mark.task(2)
@pytest.mark.parametrize("name", SECTIONS)
def test_adr_has_each_section_with_text(learner, name):
    """each of the four sections is there with at least 12 words"""
    count = len(words(section(learner, name)))
    if count < MIN_WORDS:
        raise look(f"section '## {name}'", f"{count} words", f"at least {MIN_WORDS} words")


# -- task 3: the decision and its alternatives --------------------------------------------------
@pytest.mark.task(3)
def test_decision_names_exactly_one_option(learner):
    """the Decision's first sentence names exactly one of the options"""
    named = chosen_option(learner)
    if len(named) != 1:
        raise look(
            "the first sentence of '## Decision'",
            f"options named: {named}",
            f"exactly one of {list(OPTIONS)}: the one you chose",
        )


def alternatives(learner: Learner) -> list[tuple[str, str]]:
    pairs = []
    for item in list_items(section(learner, "Alternatives considered"), "-"):
        name, colon, reason = item.partition(":")
        pairs.append((name.strip(), reason.strip() if colon else ""))
    return pairs


@pytest.mark.task(3)
def test_at_least_two_alternatives_each_with_a_reason(learner):
    """at least two '- <option>: <reason>' items, each reason at least five words"""
    pairs = alternatives(learner)
    reasoned = [(n, r) for n, r in pairs if len(words(r)) >= MIN_REASON_WORDS]
    if len(reasoned) < 2:
        shown = [f"- {n}: {r}" for n, r in pairs] or "no '- ' items"
        raise look(
            "the items of '## Alternatives considered'",
            f"{shown}",
            "at least two items '- <option>: <why it was not chosen, 5+ words>'",
        )


@pytest.mark.task(3)
def test_alternatives_are_other_options(learner):
    """each alternative is another option, a different one in each item"""
    chosen = {option.lower() for option in chosen_option(learner)}
    names = [name for name, _reason in alternatives(learner)]
    known = [n for n in names if n.lower() in {o.lower() for o in OPTIONS}]
    if len(known) != len(names) or len(names) < 2:
        raise look("the alternatives' names", f"{names}", f"names from {list(OPTIONS)}")
    if len({n.lower() for n in names}) != len(names):
        raise look("the alternatives' names", f"{names}", "a different option in each item")
    if chosen & {n.lower() for n in names}:
        raise look(
            "the alternatives' names",
            f"{names}; chosen: {sorted(chosen)}",
            "options other than the one the Decision chose",
        )


# -- task 4: consequences -----------------------------------------------------------------------
@pytest.mark.task(4)
def test_consequences_name_a_benefit(learner):
    """at least one line starting with '+' under Consequences"""
    if not [i for i in list_items(section(learner, "Consequences"), "+") if words(i)]:
        raise look("'## Consequences'", "no line starting with '+'", "a benefit: '+ ...'")


@pytest.mark.task(4)
def test_consequences_name_a_cost(learner):
    """at least one line starting with '-' under Consequences"""
    if not [i for i in list_items(section(learner, "Consequences"), "-") if words(i)]:
        raise look(
            "'## Consequences'",
            "no line starting with '-'",
            "a cost: '- ...' (every decision has one; name it)",
        )
