"""Lay out the site's pages: lessons, gates and notebooks, with practice and checklist boxes."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from graders.manifest import Course, load_course
from graders.paths import REPO_ROOT

from .notebook_pages import NotebookPage

CHAPTERS_DIR = REPO_ROOT / "chapters"
PHASE_NAMES = {7: "Phase 7 — Engineering Craft", 8: "Phase 8 — Systems & Scale"}


def _indent(lines: list[str]) -> str:
    return "\n".join(f"    {line}" if line else "" for line in lines)


def practice_box(chapter_id: str, course: Course, notebook: NotebookPage | None) -> str:
    """An admonition listing the chapter's exercises, its quiz and its notebook."""
    lines = []
    for exercise in course.exercises:
        if exercise.id.split("/")[0] != chapter_id:
            continue
        lines.append(
            f"- **{exercise.title}**: edit `exercises/{exercise.id}.py`, then run "
            f"`make check {exercise.id}` ({exercise.summary.rstrip('.')}.)"
        )
    lines.append(f"- **Quiz**: `make quiz {chapter_id}`")
    lines.append(f"- **Checklist**: `make checklist {chapter_id}` ticks the items below")
    if notebook is not None:
        lines.append(
            f"- **Notebook**: [{notebook.title}](../notebooks/{notebook.stem}.md) "
            f"(open it in JupyterLab with `make notebooks`)"
        )
    return '\n\n!!! example "Practice"\n\n' + _indent(lines) + "\n"


def checklist_box(chapter_dir: Path) -> str:
    """The chapter's 'I can ...' statements as a task list inside an admonition."""
    path = chapter_dir / "checklist.toml"
    if not path.is_file():
        return ""
    items = tomllib.loads(path.read_text(encoding="utf-8")).get("items", [])
    lines = [f"- [ ] {item}" for item in items]
    return '\n\n!!! success "Checklist: can you say yes to each?"\n\n' + _indent(lines) + "\n"


def stage(docs: Path, notebooks: list[NotebookPage]) -> list:
    """Write every page under docs/ and return the MkDocs navigation."""
    course = load_course()
    by_chapter = {page.chapter: page for page in notebooks}
    docs.mkdir(parents=True, exist_ok=True)
    shutil.copy(CHAPTERS_DIR / "README.md", docs / "index.md")

    nav: list = [{"Home": "index.md"}]
    for phase in (7, 8):
        section = []
        for chapter in course.chapters:
            if chapter.phase != phase:
                continue
            source = CHAPTERS_DIR / chapter.id / "lesson.md"
            target = docs / chapter.id / "lesson.md"
            target.parent.mkdir(parents=True, exist_ok=True)
            text = source.read_text(encoding="utf-8").rstrip("\n")
            text += practice_box(chapter.id, course, by_chapter.get(chapter.id))
            text += checklist_box(CHAPTERS_DIR / chapter.id)
            target.write_text(text, encoding="utf-8")
            number = chapter.id[2:]
            section.append({f"{number} · {chapter.title}": f"{chapter.id}/lesson.md"})
        gate = f"phase{phase}-gate.md"
        if (CHAPTERS_DIR / gate).is_file():
            shutil.copy(CHAPTERS_DIR / gate, docs / gate)
            section.append({f"Phase {phase} gate": gate})
        nav.append({PHASE_NAMES[phase]: section})

    notebook_nav: list = []
    readme = REPO_ROOT / "notebooks" / "README.md"
    if readme.is_file():
        shutil.copy(readme, docs / "notebooks" / "index.md")
        notebook_nav.append({"About the notebooks": "notebooks/index.md"})
    for page in notebooks:
        lesson = f"../{page.chapter}/lesson.md"
        path = docs / "notebooks" / f"{page.stem}.md"
        body = path.read_text(encoding="utf-8")
        intro = (
            f'!!! info "Chapter {page.chapter[2:]} notebook"\n\n'
            f"    Read it beside [the chapter {page.chapter[2:]} lesson]({lesson}). To run and "
            f"change it yourself, start JupyterLab with `make notebooks` and open "
            f"`notebooks/{page.stem}.ipynb`. What you see here was run when the site was built.\n\n"
        )
        path.write_text(intro + body, encoding="utf-8")
        notebook_nav.append({f"{page.chapter[2:]} · {page.title}": f"notebooks/{page.stem}.md"})
    nav.append({"Notebooks": notebook_nav})
    return nav
