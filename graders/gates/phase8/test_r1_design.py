"""Gate R1: the system design document is there and has the required structure.

Only the structure is checked (a file at the contract's path, a diagram, three or more
bottleneck sections each with a solution and a trade-off). Whether the design is any good is
for a human reviewer: every message says so.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graders.gates.phase8 import design
from graders.gates.phase8.fixtures import (  # noqa: F401 - fixtures used by name
    Once,
    note_fixture,
    target_dir_fixture,
)
from graders.gates.phase8.judge import failure
from graders.gates.phase8.markdown import structure
from graders.harness import GradeFailure

pytestmark = pytest.mark.requirement("R1")

DOC = Path("docs") / "design" / "system-design.md"
ADR_DIR = Path("docs") / "design" / "adr"
HUMAN = "the gate checks structure only; a human reviewer reads and grades the content"
SOLUTION = design.SOLUTION
TRADE_OFF = design.TRADE_OFF
SCALE = re.compile(r"10[,. \u202f]?000|10k\b|ten thousand", re.IGNORECASE)
ADR_NAME = re.compile(r"^\d{4}-[a-z0-9-]+\.md$")
ADR_PARTS = ("status", "context", "decision", "consequences")
MIN_WORDS = 300


def _read(target_dir: Path) -> str:
    path = target_dir / DOC
    if not path.is_file():
        raise failure(
            f"{DOC} inside your TaskForge folder",
            "no such file",
            "the system design document at exactly that path (CONTRACT.md, section 1)",
            HUMAN,
        )
    return path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="module")
def _document_once(target_dir: Path) -> Once:
    return Once(lambda: _read(target_dir))


@pytest.fixture
def document(_document_once: Once, request: pytest.FixtureRequest) -> str:
    """The design document's text; a missing file is reported once, by the first check."""
    return _document_once.get(request)


def test_the_design_document_exists(document, note):
    """docs/design/system-design.md exists, has some substance and names the 10,000-user target"""
    text = document
    words = len(re.findall(r"\w+", text))
    if words < MIN_WORDS:
        raise failure(f"the length of {DOC}", f"{words} words", f"at least {MIN_WORDS}", HUMAN)
    if not SCALE.search(text):
        raise failure(
            f"the load {DOC} designs for",
            "no mention of 10,000 (or 10k) concurrent users",
            "the document states the target: 10,000 concurrent users",
            HUMAN,
        )
    note(f"found {DOC} ({words} words); {HUMAN}")


def test_the_document_has_an_architecture_diagram(document, note):
    """The document has an architecture diagram drawn as text (Mermaid, PlantUML, dot, ASCII)

    A fenced block the gate can read component names from; an image alone is not enough.
    """
    _, blocks = structure(document)
    drawn = design.text_diagrams(blocks)
    if not drawn:
        raise failure(
            f"the diagrams in {DOC}",
            f"{len(blocks)} fenced block(s), none of them a diagram of 3 lines or more",
            "an architecture diagram in a fenced block: ```mermaid (it renders on GitHub and "
            "GitLab), ```plantuml, ```dot, or ASCII art (``` or ```text, with arrows or boxes)",
            "the gate reads the diagram's component names; an image alone cannot be read. " + HUMAN,
        )
    names = design.components(drawn)
    kinds = ", ".join(sorted({kind for kind, _ in drawn}))
    note(f"{len(drawn)} diagram(s) ({kinds}) naming {len(names)} components; {HUMAN}")


def test_three_bottlenecks_each_with_a_solution_and_a_trade_off(document, note):
    """At least three bottleneck sections, each with a proposed solution and its trade-offs"""
    sections, _ = structure(document)
    found = design.bottlenecks(sections)
    complete = [b for b in found if design.complete(b)]
    if len(complete) < 3:
        lacking = [
            f"'{b.title}' lacks "
            + " and ".join(
                part
                for part, pattern in (("a solution", SOLUTION), ("a trade-off", TRADE_OFF))
                if not pattern.search(b.body)
            )
            for b in found
            if b not in complete
        ]
        got = f"{len(found)} bottleneck section(s), {len(complete)} complete"
        if lacking:
            got += ": " + "; ".join(lacking[:4])
        raise failure(
            f"the bottleneck sections of {DOC}",
            got,
            "three or more headings containing 'Bottleneck' (or sub-headings under a "
            "'Bottlenecks' heading), each section saying 'Solution' and 'Trade-off(s)'",
            HUMAN,
        )
    note(f"{len(complete)} bottleneck sections with a solution and trade-offs; {HUMAN}")


def test_the_document_has_substance_a_program_can_see(document, note):
    """The document has content a program can see (else it is flagged for a human reviewer)

    Prose, figures for the 10,000-user load, bottlenecks that name components of the diagram,
    and trade-offs of their own.
    """
    text = document
    sections, blocks = structure(text)
    found = design.bottlenecks(sections)
    if len([b for b in found if design.complete(b)]) < 3 or not design.text_diagrams(blocks):
        raise GradeFailure(
            "Not run:  it needs the diagram and three complete bottleneck sections (see the "
            "checks above)"
        )
    names = design.components(design.text_diagrams(blocks))
    problems = design.substance_problems(text, found, names)
    if problems:
        raise failure(
            f"what a program can check of the content of {DOC}",
            "; ".join(problems[:4]),
            "prose, figures for the load (a request rate, latencies, sizes), every bottleneck "
            "naming a component of the diagram, and trade-offs written for each bottleneck",
            "flagged for a human reviewer: the headings are there but the gate cannot see the "
            "content; a reviewer may accept it (for example a design written in another "
            "language). The gate never passes a design on its headings alone",
        )
    note(f"prose, load figures, components named, distinct trade-offs; {HUMAN}")


def test_decision_records_are_reported(target_dir, note):
    """Architecture Decision Records in docs/design/adr/ (reported only, never fails)"""
    folder = target_dir / ADR_DIR
    records = (
        sorted(p for p in folder.glob("*.md") if ADR_NAME.match(p.name)) if folder.is_dir() else []
    )
    complete = []
    for path in records:
        text = path.read_text(encoding="utf-8", errors="replace").lower()
        # Each part as a heading ("## Status") or, like the status often is, a line ("Status:").
        if all(
            re.search(rf"^(#+\s*{part}\b|\**{part}\**\s*:)", text, re.MULTILINE)
            for part in ADR_PARTS
        ):
            complete.append(path.name)
    note(
        f"{len(records)} ADR file(s) named NNNN-title.md in {ADR_DIR}, {len(complete)} with "
        "Status, Context, Decision and Consequences (as headings, or 'Status:' as a line); "
        "reported only"
    )
