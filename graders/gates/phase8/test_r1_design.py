"""Gate R1: the system design document is there and has the required structure.

Only the structure is checked (a file at the contract's path, a diagram, three or more
bottleneck sections each with a solution and a trade-off). Whether the design is any good is
for a human reviewer: every message says so.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graders.gates.phase8.fixtures import note_fixture, target_dir_fixture  # noqa: F401
from graders.gates.phase8.judge import failure
from graders.gates.phase8.markdown import sections_titled, structure

pytestmark = pytest.mark.requirement("R1")

DOC = Path("docs") / "design" / "system-design.md"
ADR_DIR = Path("docs") / "design" / "adr"
HUMAN = "the gate checks structure only; a human reviewer reads and grades the content"
DIAGRAM_FENCES = ("mermaid", "plantuml", "puml", "dot", "graphviz")
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)[^)]*\)")
SOLUTION = re.compile(r"\b(solution|proposed fix|proposal|fix)\b", re.IGNORECASE)
TRADE_OFF = re.compile(r"\btrade[- ]?offs?\b", re.IGNORECASE)
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


def test_the_design_document_exists(target_dir, note):
    """docs/design/system-design.md exists, has some substance and names the 10,000-user target"""
    text = _read(target_dir)
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


def test_the_document_has_an_architecture_diagram(target_dir, note):
    """The document has an architecture diagram (a mermaid, PlantUML or dot block, or an image)"""
    text = _read(target_dir)
    _, blocks = structure(text)
    diagrams = [body for language, body in blocks if language in DIAGRAM_FENCES]
    drawn = [body for body in diagrams if len([ln for ln in body.splitlines() if ln.strip()]) >= 3]
    images = [
        name
        for name in IMAGE.findall(text)
        if not name.startswith(("http://", "https://"))
        and (target_dir / DOC).parent.joinpath(name).is_file()
    ]
    if not drawn and not images:
        raise failure(
            f"the diagrams in {DOC}",
            f"{len(diagrams)} diagram block(s) with fewer than 3 lines, and no image file"
            if diagrams
            else "no ```mermaid (or plantuml, dot) block and no image that exists",
            "an architecture diagram: a ```mermaid block (it renders on GitHub and GitLab), or an "
            "image file next to the document",
            HUMAN,
        )
    note(f"found {len(drawn)} diagram block(s) and {len(images)} image(s); {HUMAN}")


def test_three_bottlenecks_each_with_a_solution_and_a_trade_off(target_dir, note):
    """At least three bottleneck sections, each with a proposed solution and its trade-offs"""
    sections, _ = structure(_read(target_dir))
    found = sections_titled(sections, "bottleneck")
    complete = [s for s, body in found if SOLUTION.search(body) and TRADE_OFF.search(body)]
    if len(complete) < 3:
        lacking = [
            f"'{s.title}' lacks "
            + " and ".join(
                part
                for part, pattern in (("a solution", SOLUTION), ("a trade-off", TRADE_OFF))
                if not pattern.search(body)
            )
            for s, body in found
            if s not in complete
        ]
        got = f"{len(found)} section(s) whose heading names a bottleneck, {len(complete)} complete"
        if lacking:
            got += ": " + "; ".join(lacking[:4])
        raise failure(
            f"the bottleneck sections of {DOC}",
            got,
            "three or more headings containing 'Bottleneck', each section saying 'Solution' "
            "and 'Trade-off(s)'",
            HUMAN,
        )
    note(f"{len(complete)} bottleneck sections with a solution and trade-offs; {HUMAN}")


def test_decision_records_are_reported(target_dir, note):
    """Architecture Decision Records in docs/design/adr/ (reported only, never fails)"""
    folder = target_dir / ADR_DIR
    records = (
        sorted(p for p in folder.glob("*.md") if ADR_NAME.match(p.name)) if folder.is_dir() else []
    )
    complete = []
    for path in records:
        text = path.read_text(encoding="utf-8", errors="replace").lower()
        if all(re.search(rf"^#+\s*{part}\b", text, re.MULTILINE) for part in ADR_PARTS):
            complete.append(path.name)
    note(
        f"{len(records)} ADR file(s) named NNNN-title.md in {ADR_DIR}, {len(complete)} with "
        "Status, Context, Decision and Consequences sections (reported only)"
    )
