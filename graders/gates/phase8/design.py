"""What a program can check in a design document: its diagram, its bottlenecks, its substance.

None of this judges whether the design is good. It tells a document with real content (a
diagram whose components the bottlenecks talk about, figures for the load, trade-offs that
differ from one bottleneck to the next) from one that only has the right headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from graders.gates.phase8.markdown import Section

DIAGRAM_LANGUAGES = ("mermaid", "plantuml", "puml", "dot", "graphviz")
ASCII_LANGUAGES = ("", "text", "txt", "ascii", "plain", "plaintext", "svgbob", "art")
# A line of ASCII art draws: an arrow, a box edge, a corner, or a Unicode box/arrow character.
DRAWING = re.compile(
    r"(-+>|<-+|=+>|<=+|\+-{2,}|-{3,}|\|.*\||[\u2500-\u257f\u2190-\u21ff\u25b2-\u25bc]|^\s*[v^]\s*$)"
)
SPLIT = re.compile(
    r"<[^>]*>|[\[\](){}|<>+*#=;\"'`/\\\u2500-\u257f\u2190-\u21ff\u25b2-\u25bc]+|-{2,}|\.{2,}|\s{2,}|:"
)
WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)
SOLUTION = re.compile(r"\b(solution|proposed fix|proposal|fix)\b", re.IGNORECASE)
TRADE_OFF = re.compile(r"\btrade[- ]?offs?\b", re.IGNORECASE)
PART_TITLES = re.compile(
    r"^\W*(solution|proposed fix|proposal|fix|trade[- ]?offs?|problem|impact|context|why|"
    r"measure\w*|cost|risks?|consequences|alternatives?)\b",
    re.IGNORECASE,
)
CROSS_REFERENCE = re.compile(r"\b(see above|as above|same as|see bottleneck|see section)\b", re.I)
# A figure with a unit: the load in numbers (rates, latencies, sizes, counts of machines).
QUANTITY = re.compile(
    r"(?<![\w.])\d[\d,. \u202f]*\s*(%|ms\b|milliseconds?|s\b|seconds?|minutes?|hours?|"
    r"req(uest)?s?\s*/\s*s|requests? (per|a|each) (second|minute)|rps\b|qps\b|/\s*s\b|"
    r"per (second|minute|hour)|writes?|reads?|[kmgt]i?b\b|cores?|servers?|instances?|nodes?|"
    r"replicas?|connections?|users?|tasks?|events?)",
    re.IGNORECASE,
)
RATE = re.compile(
    r"(/\s*s\b|per (second|minute|hour)|rps\b|qps\b|req(uest)?s?\s*/\s*s|"
    r"requests? (a|each) (second|minute))",
    re.IGNORECASE,
)
TEN_THOUSAND = re.compile(r"10[,. \u202f]?000|10k\b", re.IGNORECASE)


def _words(text: str) -> list[str]:
    return text.split()


# Words that carry no component name: English function words, diagram syntax, generic words.
STOP = frozenset(
    _words(
        """a an the and or of to in on at by for from with into onto over under per each every
        all any one two three many more most less few this that these those it its is are was
        be been as not no yes if then else via using use uses used only also just than so
        flowchart graph subgraph end style classdef class click linkstyle direction lr rl tb td
        bt participant actor note left right digraph node edge label shape rankdir startuml
        enduml skinparam component package rectangle box true false br https http
        user users load request requests call calls data system today new old"""
    )
)
FUNCTION_WORDS = frozenset(
    _words(
        """the a an and or of to in on at by for from with is are was were be been it its this
        that these those as not no but if then than so we you they our their which who what
        when where how can will would should must may might do does each every all any one
        more most there here has have had into about"""
    )
)
MIN_PROSE_SHARE = 0.15
MIN_TRADE_OFF_WORDS = 12
MAX_OVERLAP = 0.6
MIN_QUANTITIES = 3


@dataclass
class Bottleneck:
    """One bottleneck: its heading and the text that belongs to it."""

    title: str
    body: str


def text_diagrams(blocks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The fenced blocks that draw a diagram: (kind, body)."""
    found = []
    for language, body in blocks:
        lines = [line for line in body.splitlines() if line.strip()]
        if len(lines) < 3:
            continue
        if language in DIAGRAM_LANGUAGES:
            found.append((language, body))
        elif language in ASCII_LANGUAGES and sum(bool(DRAWING.search(ln)) for ln in lines) >= 2:
            found.append(("ascii art", body))
    return found


def components(diagrams: list[tuple[str, str]]) -> set[str]:
    """Names in the diagrams: every label and node name, lower-cased."""
    names: set[str] = set()
    for _kind, body in diagrams:
        for line in body.splitlines():
            for piece in SPLIT.split(line):
                label = " ".join(WORD.findall(piece)).lower()
                if label and any(len(w) >= 3 and w not in STOP for w in label.split()):
                    names.add(label)
    return names


def names_a_component(text: str, names: set[str]) -> str | None:
    """A component of the diagram that the text mentions (a whole label, or a distinctive
    word of one), or None."""
    words = {w.lower() for w in WORD.findall(text)}
    lowered = " ".join(WORD.findall(text)).lower()
    for label in sorted(names, key=len, reverse=True):
        if len(label) >= 3 and re.search(rf"\b{re.escape(label)}\b", lowered):
            return label
    for label in sorted(names):
        for word in label.split():
            if len(word) >= 4 and word not in STOP and word in words:
                return word
    return None


def bottlenecks(sections: list[Section]) -> list[Bottleneck]:
    """Bottleneck sections: a heading naming a bottleneck (with its sub-sections), or, under a
    heading naming bottlenecks in the plural, each sub-heading one level down."""
    found: list[Bottleneck] = []
    taken: set[int] = set()
    for index, section in enumerate(sections):
        if "bottleneck" not in section.title.lower() or index in taken:
            continue
        span = _span(sections, index)
        children = [i for i in span if sections[i].level == min(sections[j].level for j in span)]
        parts_only = all(PART_TITLES.match(sections[i].title) for i in children)
        if "bottlenecks" in section.title.lower() and children and not parts_only:
            for child in children:
                if child in taken:
                    continue
                taken.update([child, *_span(sections, child)])
                found.append(Bottleneck(sections[child].title, _text(sections, child)))
            continue
        taken.update([index, *span])
        found.append(Bottleneck(section.title, _text(sections, index)))
    return found


def _span(sections: list[Section], index: int) -> list[int]:
    """Indexes of the sub-sections under sections[index]."""
    inside = []
    for later in range(index + 1, len(sections)):
        if sections[later].level <= sections[index].level:
            break
        inside.append(later)
    return inside


def _text(sections: list[Section], index: int) -> str:
    return "\n".join([sections[index].text, *(sections[i].text for i in _span(sections, index))])


def complete(bottleneck: Bottleneck) -> bool:
    return bool(SOLUTION.search(bottleneck.body) and TRADE_OFF.search(bottleneck.body))


def trade_off_text(body: str) -> str:
    """The text from the first mention of a trade-off to the end of the section."""
    match = TRADE_OFF.search(body)
    return body[match.end() :] if match else ""


def _content_words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text) if len(w) >= 4} - STOP


def prose_share(text: str) -> float:
    """The share of common English function words among the words (about 0.4 in prose)."""
    words = [w.lower() for w in WORD.findall(text)]
    return sum(w in FUNCTION_WORDS for w in words) / max(len(words), 1)


def outside_code(text: str) -> str:
    return re.sub(r"^(```|~~~).*?^\1\s*$", "", text, flags=re.MULTILINE | re.DOTALL)


def substance_problems(text: str, found: list[Bottleneck], names: set[str]) -> list[str]:
    """What a program can see is missing from a design document (empty when nothing is)."""
    problems = []
    prose = outside_code(text)
    share = prose_share(prose)
    if share < MIN_PROSE_SHARE:
        problems.append(
            f"the text does not read as English prose ({share:.0%} of its words are words like "
            f"'the', 'of', 'is'; English prose has about 40%)"
        )
    figures = [
        m.group(0).strip() for m in QUANTITY.finditer(prose) if not TEN_THOUSAND.match(m.group(0))
    ]
    if len(figures) < MIN_QUANTITIES or not RATE.search(prose):
        problems.append(
            f"figures for the load: found {len(figures)} number(s) with a unit "
            f"({', '.join(figures[:4]) or 'none'}) and "
            + ("a rate" if RATE.search(prose) else "no rate (requests per second)")
            + f"; expected a rate and at least {MIN_QUANTITIES} figures"
        )
    complete_ones = [b for b in found if complete(b)]
    for bottleneck in complete_ones:
        if not names_a_component(bottleneck.body, names):
            problems.append(
                f"'{bottleneck.title}' names no component of the diagram "
                f"(the diagram has: {', '.join(sorted(names)[:8]) or 'no labels'})"
            )
    texts = [(b.title, trade_off_text(b.body)) for b in complete_ones]
    for title, trade in texts:
        words = len(WORD.findall(trade))
        if words < MIN_TRADE_OFF_WORDS or (CROSS_REFERENCE.search(trade) and words < 25):
            problems.append(
                f"the trade-offs of '{title}' are {words} word(s): "
                f"{' '.join(trade.split())[:80]!r}; expected their own costs and risks"
            )
    for i, (first, one) in enumerate(texts):
        for second, other in texts[i + 1 :]:
            a, b = _content_words(one), _content_words(other)
            overlap = len(a & b) / max(len(a | b), 1)
            if a and b and overlap > MAX_OVERLAP:
                problems.append(
                    f"the trade-offs of '{first}' and '{second}' are {overlap:.0%} the same words"
                )
    return problems
