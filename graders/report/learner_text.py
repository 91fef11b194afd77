"""Make text safe to show a learner: their own paths, no temporary folders, no control codes."""

from __future__ import annotations

import re

from graders.paths import GRADERS_DIR, REPO_ROOT

# A path to a learner module, wherever the grader copied it: /tmp/x/copy/ch30/flash_sale.py.
_MODULE_PATH = re.compile(
    r"(?<![\w.])(?:[A-Za-z]:)?(?:[/\\][^\s/\\'\"():,;]+)*[/\\](ch\d\d[/\\][\w]+\.py)"
)
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
# Everything XML 1.0 forbids, plus DEL and lone surrogates (which no encoder accepts).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_PRINTED = "Printed:  "
_CONTINUATION = " " * len(_PRINTED)


def clean(text: str) -> str:
    """Remove terminal escape codes and control characters; keep newlines and tabs."""
    return _CONTROL.sub("", _ANSI.sub("", text.replace("\r\n", "\n")))


def learner_paths(text: str, target: str = "") -> str:
    """Show every path as the learner sees it: exercises/ch30/transfer_rollback.py."""
    if target:
        root = target.rstrip("/\\")
        text = text.replace(root + "/", "exercises/").replace(root, "exercises")
    # The course's own files first, so graders/ch30/test_x.py is not taken for a learner's.
    for trusted, shown in ((str(GRADERS_DIR), "graders"), (str(REPO_ROOT), ".")):
        text = text.replace(trusted + "/", shown + "/")
    return _MODULE_PATH.sub(lambda m: "exercises/" + m.group(1).replace("\\", "/"), text)


def for_learner(text: str, target: str = "") -> str:
    """Both steps: the form every report shows."""
    return learner_paths(clean(text or ""), target)


def split_printed(message: str) -> tuple[str, str]:
    """Separate what the learner's code printed from the grader's message about it."""
    lines = message.splitlines()
    for index, line in enumerate(lines):
        if line.startswith(_PRINTED):
            printed = [line[len(_PRINTED) :]]
            end = index + 1
            while end < len(lines) and lines[end].startswith(_CONTINUATION):
                printed.append(lines[end][len(_CONTINUATION) :])
                end += 1
            rest = lines[:index] + lines[end:]
            return "\n".join(rest), "\n".join(printed)
    return message, ""
