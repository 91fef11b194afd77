"""Spec maps: every behavioural sentence of a stub is tied to the grader tests that check it.

A map lives in ``graders/chNN/specs/<module>.toml`` (format in graders/README.md and below)::

    [[sentence]]
    where = "fetch_all"      # "module", a function/class name, "Class.method", or "task N"
    text = "Returns a list of the results in the same order as ``urls``."
    tests = ["test_results_in_input_order"]
    [[sentence]]
    where = "module"
    text = "Waiting for the network costs no CPU."
    open = "explanation, not behaviour"   # instead of tests: why no test is needed

How sentences are extracted (the rule is deliberately plain, so a reader can predict it):

* Sources, each with its ``where``: the module docstring ("module"); the docstring of every
  public function and class (its name) and of every method of a public class whose name does
  not start with ``_`` (``__init__`` included) ("Class.method"); every ``# TODO`` comment
  together with the comment lines directly below it (the function or class it sits in, else
  "module"), without the ``TODO (task N):`` prefix; every task title in course.toml
  ("task N", whole title, never split).
* Examples are dropped: doctest lines (``>>>``, ``...``) with the output lines after them, up
  to a blank line, and the indented literal block after a line that ends with ``::``.
  Blank lines, list items (``*``, ``-``, ``1.``) and a line ending with ``::`` start a new
  unit; the lines of a unit are joined with single spaces.
* A unit's leading list marker is removed. The unit is then split into sentences after ``.``,
  ``!`` or ``?`` (optionally followed by closing quotes, brackets or backticks) when whitespace
  and then an upper-case letter, a digit, a quote, a backtick or a bracket follow. So "e.g. the"
  stays one sentence. Texts are compared whitespace-normalised.

Checks (``problems``): every entry's ``text`` occurs in the stub's extracted text or the task
titles (one entry may hold several sentences of one paragraph or list item); each entry has a
non-empty ``tests`` list or an ``open`` reason, not both; every listed test is a test function
of the exercise's grader files (``test_<module>.py`` and any ``test_<module>_hidden.py``); each
of their test functions is listed by some entry; every extracted sentence lies inside the
``text`` of an entry with the same ``where``.
"""

from __future__ import annotations

import ast
import io
import json
import re
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path

from graders.manifest import Exercise

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

# While the auditors are still writing maps, a missing map is already reported as a problem:
# the finished course needs one for every exercise. Set to False only to see other problems.
MISSING_MAP_IS_PROBLEM = True

_LIST_ITEM = re.compile(r"^(?:[*\-]|\d+[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])([\"')\]`]*)\s+(?=[A-Z0-9\"'`(\[*])")
_TODO = re.compile(r"^TODO\b\s*(?:\([^)]*\))?\s*:?\s*")


@dataclass(frozen=True)
class Sentence:
    where: str
    text: str


def normalise(text: str) -> str:
    return " ".join(text.split())


def _units(docstring: str) -> list[str]:
    """Paragraphs and list items of a docstring, examples dropped, each joined into one line."""
    units: list[list[str]] = []
    current: list[str] = []
    in_doctest = False
    literal_base: int | None = None  # indentation of the line that ended with "::"
    for raw in docstring.splitlines():
        line = raw.strip()
        indent = len(raw) - len(raw.lstrip())
        if literal_base is not None:
            if not line or indent > literal_base:
                continue  # inside the literal block that "::" announced
            literal_base = None
        if line.startswith((">>>", "...")):
            in_doctest = True
            continue
        if not line:
            in_doctest = False
            if current:
                units.append(current)
                current = []
            continue
        if in_doctest:
            continue  # expected output of a doctest
        if _LIST_ITEM.match(line) and current:
            units.append(current)
            current = []
        current.append(line)
        if line.endswith("::"):
            literal_base = indent
            units.append(current)
            current = []
    if current:
        units.append(current)
    return [" ".join(unit) for unit in units]


def split_sentences(unit: str) -> list[str]:
    """Split one joined paragraph into sentences by the rule in the module docstring."""
    unit = _LIST_ITEM.sub("", normalise(unit), count=1)
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(unit):
        sentences.append(unit[start : match.end(1)])
        start = match.end()
    sentences.append(unit[start:])
    return [normalise(s) for s in sentences if s.strip()]


def _docstring_sources(tree: ast.Module) -> list[tuple[str, str]]:
    sources = [("module", ast.get_docstring(tree) or "")]
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if node.name.startswith("_"):
            continue
        sources.append((node.name, ast.get_docstring(node) or ""))
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                    not item.name.startswith("_") or item.name == "__init__"
                ):
                    sources.append((f"{node.name}.{item.name}", ast.get_docstring(item) or ""))
    return sources


def _owner(tree: ast.Module, line: int) -> str:
    """The public function, class or Class.method that contains a line, else "module"."""
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if not node.lineno <= line <= (node.end_lineno or node.lineno):
            continue
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                    item.lineno <= line <= (item.end_lineno or item.lineno)
                ):
                    return f"{node.name}.{item.name}"
        return node.name
    return "module"


def _todo_sources(source: str, tree: ast.Module) -> list[tuple[str, str]]:
    """Each TODO comment with the comment lines directly below it, prefix removed."""
    comments: dict[int, tuple[str, bool]] = {}  # line -> (text, alone on its line)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            alone = not token.line[: token.start[1]].strip()
            comments[token.start[0]] = (token.string.lstrip("#").strip(), alone)
    sources = []
    for line, (text, _alone) in sorted(comments.items()):
        if not _TODO.match(text):
            continue
        parts = [_TODO.sub("", text, count=1)]
        following = line + 1
        while following in comments and comments[following][1]:
            more = comments[following][0]
            if _TODO.match(more) or not more:
                break
            parts.append(more)
            following += 1
        sources.append((_owner(tree, line), "\n".join(parts)))
    return sources


def units(stub: Path, exercise: Exercise | None = None) -> list[tuple[str, str]]:
    """(where, paragraph) for every docstring paragraph, TODO comment and task title."""
    source = stub.read_text(encoding="utf-8")
    tree = ast.parse(source)
    found = [
        (where, unit)
        for where, text in _docstring_sources(tree) + _todo_sources(source, tree)
        for unit in _units(text)
    ]
    if exercise is not None:
        found += [(f"task {task.number}", normalise(task.title)) for task in exercise.tasks]
    return found


def extract(stub: Path, exercise: Exercise | None = None) -> list[Sentence]:
    """Every sentence of a stub's docstrings and TODO comments, then its task titles."""
    found: list[Sentence] = []
    for where, unit in units(stub, exercise):
        if where.startswith("task "):
            found.append(Sentence(where, unit))  # a title is never split
        else:
            found.extend(Sentence(where, s) for s in split_sentences(unit))
    return list(dict.fromkeys(found))


def grader_tests(path: Path) -> list[str]:
    """Names of the test functions in a grader file (also ``test_*`` methods of ``Test*``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith(
            "test"
        ):
            names.append(node.name)
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            names += [
                item.name
                for item in node.body
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                and item.name.startswith("test")
            ]
    return names


def map_path(exercise: Exercise) -> Path:
    return exercise.test_file.parent / "specs" / f"{exercise.module}.toml"


def load_map(path: Path) -> list[dict]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    entries = data.get("sentence", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ValueError("'sentence' must be an array of tables ([[sentence]])")
    return entries


def problems(exercise: Exercise) -> list[str]:
    """Everything wrong with an exercise's spec map (empty when it is complete and right)."""
    path = map_path(exercise)
    label = f"{exercise.id}: spec map"
    if not path.is_file():
        return [f"{label} {path} is missing"] if MISSING_MAP_IS_PROBLEM else []
    if not exercise.stub_file.is_file() or not exercise.test_file.is_file():
        return []  # devcheck already reports the missing file
    try:
        entries = load_map(path)
    except (tomllib.TOMLDecodeError, ValueError) as exc:
        return [f"{label} is not valid: {exc}"]
    sentences = extract(exercise.stub_file, exercise)
    corpus = " | ".join(normalise(unit) for _, unit in units(exercise.stub_file, exercise))
    files = exercise.grader_files(hidden=True)  # hidden tests check sentences too
    known_tests = [name for path in files for name in grader_tests(path)]
    found: list[str] = []
    listed: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        where, text = entry.get("where"), entry.get("text")
        tests, reason = entry.get("tests"), entry.get("open")
        name = f"{label} sentence {number}"
        if not isinstance(where, str) or not isinstance(text, str) or not text.strip():
            found.append(f"{name}: needs 'where' and a non-empty 'text'")
            continue
        name = f"{name} ({where}: {_short(text)})"
        if normalise(text) not in corpus:
            found.append(f"{name}: text does not occur in the stub or the task titles")
        has_tests = isinstance(tests, list) and bool(tests)
        has_reason = isinstance(reason, str) and bool(reason.strip())
        if has_tests == has_reason:
            found.append(f"{name}: give either a non-empty 'tests' list or an 'open' reason")
        for test in tests if isinstance(tests, list) else []:
            if test not in known_tests:
                shown = " or ".join(path.name for path in files)
                found.append(f"{name}: no test function '{test}' in {shown}")
            listed.add(str(test))
    for test in known_tests:
        if test not in listed:
            found.append(f"{label}: test '{test}' is not listed by any sentence")
    for sentence in sentences:
        if not _covered(sentence, entries):
            found.append(f"{label}: no entry covers {sentence.where}: {_short(sentence.text)!r}")
    return found


def _covered(sentence: Sentence, entries: list[dict]) -> bool:
    return any(
        entry.get("where") == sentence.where
        and isinstance(entry.get("text"), str)
        and sentence.text in normalise(entry["text"])
        for entry in entries
    )


def _short(text: str, width: int = 70) -> str:
    text = normalise(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def draft(exercise: Exercise) -> str:
    """A map with one entry per extracted sentence; what an existing map says is kept."""
    path = map_path(exercise)
    existing = load_map(path) if path.is_file() else []
    known_tests = [
        name for path in exercise.grader_files(hidden=True) for name in grader_tests(path)
    ]
    out = [
        f"# Spec map for {exercise.id}: every sentence of the stub -> the tests that check it.",
        '# Fill in `tests`, or replace it with `open = "why no test is needed"`.',
        f"# Check it with: python -m graders spec {exercise.id}",
    ]
    used: set[int] = set()
    for sentence in extract(exercise.stub_file, exercise):
        match = next(
            (
                i
                for i, entry in enumerate(existing)
                if entry.get("where") == sentence.where
                and sentence.text in normalise(str(entry.get("text", "")))
            ),
            None,
        )
        if match is not None and match in used:
            continue  # an existing entry spanning several sentences is printed once
        entry = existing[match] if match is not None else {}
        if match is not None:
            used.add(match)
        out += ["", "[[sentence]]", f"where = {_toml(sentence.where)}"]
        out.append(f"text = {_toml(normalise(entry.get('text', sentence.text)))}")
        if "open" in entry:
            out.append(f"open = {_toml(str(entry['open']))}")
        else:
            tests = entry.get("tests", [])
            out.append(f"tests = [{', '.join(_toml(str(t)) for t in tests)}]")
    listed = {t for entry in existing for t in entry.get("tests", []) or []}
    unlisted = [t for t in known_tests if t not in listed]
    if unlisted:
        out += ["", "# Test functions not yet listed by any sentence:"]
        out += [f"#   {name}" for name in unlisted]
    return "\n".join(out) + "\n"


def _toml(text: str) -> str:
    """A TOML basic string (JSON's escapes are a subset TOML accepts)."""
    return json.dumps(text, ensure_ascii=False)
