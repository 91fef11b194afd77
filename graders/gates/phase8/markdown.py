"""Reading a Markdown document's structure: sections by heading, and fenced code blocks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^(```+|~~~+)\s*([\w-]*)")


@dataclass
class Section:
    """A heading and the lines under it, up to the next heading of any level."""

    title: str
    level: int
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join([self.title, *self.lines])


def structure(text: str) -> tuple[list[Section], list[tuple[str, str]]]:
    """The document's sections (by heading) and its fenced blocks (language, body)."""
    sections: list[Section] = [Section("", 0)]
    blocks: list[tuple[str, str]] = []
    fence: tuple[str, str] | None = None
    body: list[str] = []
    for line in text.splitlines():
        opened = FENCE.match(line.strip())
        if fence is None and opened:
            fence, body = (opened.group(1), opened.group(2).lower()), []
            continue
        if fence is not None:
            if line.strip().startswith(fence[0]) and not line.strip()[len(fence[0]) :].strip():
                blocks.append((fence[1], "\n".join(body)))
                fence = None
            else:
                body.append(line)
            continue
        heading = HEADING.match(line)
        if heading:
            sections.append(Section(heading.group(2), len(heading.group(1))))
        else:
            sections[-1].lines.append(line)
    return sections, blocks
