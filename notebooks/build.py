"""Build the chapter notebooks (notebooks/*.ipynb) from their jupytext sources, or --check them."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import jupytext
import nbformat

NOTEBOOKS_DIR = Path(__file__).resolve().parent
FIRST_CHAPTER, LAST_CHAPTER = 28, 37
SOURCE_PATTERN = re.compile(r"^ch(\d\d)_[a-z0-9_]+\.py$")
LEARNER_TAGS = ("predict", "exercise")  # cell tags of the cells a learner writes in
MIN_LEARNER_CELLS = 3
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def sources(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """Every notebook source (chNN_<topic>.py) in the folder, in chapter order."""
    return sorted(p for p in folder.glob("ch*.py") if SOURCE_PATTERN.match(p.name))


def build_notebook(source: Path) -> nbformat.NotebookNode:
    """Convert one percent-format source into a notebook without outputs."""
    notebook = jupytext.read(source, fmt="py:percent")
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata["language_info"] = {"name": "python"}
    # The built notebook is a plain notebook, not paired with its source: a learner's edits
    # in JupyterLab stay in the .ipynb and never rewrite the course's .py file.
    notebook.metadata.pop("jupytext", None)
    return notebook


def problems(source: Path) -> list[str]:
    """What is wrong with one source, as learner-independent messages (empty when it is fine)."""
    try:
        notebook = build_notebook(source)
        nbformat.validate(notebook)
    except Exception as exc:  # any conversion or schema failure is reported, not raised
        return [f"{source.name}: does not convert to a valid notebook: {exc}"]
    found = []
    cells = notebook.cells
    if not cells or cells[0].cell_type != "markdown" or not cells[0].source.startswith("# "):
        found.append(f"{source.name}: the first cell must be markdown opening with '# Title'")
    if not any(c.cell_type == "code" for c in cells):
        found.append(f"{source.name}: has no code cells")
    last_markdown = [c for c in cells if c.cell_type == "markdown"][-1:]
    if not last_markdown or "try this" not in last_markdown[0].source.lower():
        found.append(f"{source.name}: the last markdown cell should offer 'Try this' suggestions")
    for index, cell in enumerate(cells):
        if cell.cell_type == "code" and not cell.source.strip():
            found.append(f"{source.name}: cell {index} is an empty code cell")
    learner = learner_cells(notebook)
    if len(learner) < MIN_LEARNER_CELLS:
        found.append(
            f"{source.name}: has {len(learner)} learner cell(s) tagged {LEARNER_TAGS}; "
            f"every notebook needs at least {MIN_LEARNER_CELLS}"
        )
    ids = [cell.metadata.get("answer") for cell in learner]
    if None in ids:
        found.append(f'{source.name}: every learner cell needs an answer="..." id')
    if len(set(ids)) != len(ids):
        found.append(f"{source.name}: two learner cells share an answer id")
    return found


def learner_cells(notebook) -> list:
    """The cells a learner fills in: tagged "predict" or "exercise"."""
    return [
        cell
        for cell in notebook.cells
        if cell.cell_type == "code" and set(cell.metadata.get("tags", [])) & set(LEARNER_TAGS)
    ]


def check(folder: Path = NOTEBOOKS_DIR) -> list[str]:
    """Problems across the whole set, including chapters that have no notebook."""
    found_sources = sources(folder)
    chapters = {int(SOURCE_PATTERN.match(p.name).group(1)) for p in found_sources}
    found = [
        f"chapter {n} has no notebook source (expected notebooks/ch{n}_<topic>.py)"
        for n in range(FIRST_CHAPTER, LAST_CHAPTER + 1)
        if n not in chapters
    ]
    for source in found_sources:
        found.extend(problems(source))
    return found


def has_been_used(path: Path) -> bool:
    """True when a built notebook holds outputs, i.e. someone has run it in JupyterLab."""
    notebook = nbformat.read(path, as_version=4)
    return any(
        cell.get("outputs") or cell.get("execution_count")
        for cell in notebook.cells
        if cell.cell_type == "code"
    )


def build(folder: Path = NOTEBOOKS_DIR, *, force: bool = False) -> int:
    """Write chNN_<topic>.ipynb next to each source that is new or changed; return how many."""
    written = 0
    for source in sources(folder):
        target = source.with_suffix(".ipynb")
        if target.exists() and not force and target.stat().st_mtime >= source.stat().st_mtime:
            print(f"up to date  {target.name}")
            continue
        if target.exists() and has_been_used(target):
            backup = target.with_name(target.stem + ".backup.ipynb")
            target.replace(backup)
            print(f"kept your previous run of {target.name} as {backup.name}")
        nbformat.write(build_notebook(source), target)
        print(f"built       {target.name}")
        written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--check",
        action="store_true",
        help="convert and validate every source without writing anything; exit 1 on problems",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="rebuild every notebook even when it is newer than its source",
    )
    args = parser.parse_args(argv)
    if args.check:
        found = check()
        for problem in found:
            print(problem, file=sys.stderr)
        count = len(sources())
        if found:
            print(f"{len(found)} problem(s) in {count} notebook source(s)", file=sys.stderr)
            return 1
        print(f"{count} notebook sources convert and validate")
        return 0
    build(force=args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
