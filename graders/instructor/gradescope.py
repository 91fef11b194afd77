"""Build a Gradescope autograder bundle: setup.sh, run_autograder and the course source."""

from __future__ import annotations

import fnmatch
import stat
import zipfile
from pathlib import Path

from graders.commands.grade import select_union
from graders.instructor.release import tracked_files
from graders.manifest import SelectionError, load_course
from graders.paths import REPO_ROOT

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when the autograder image is built.
set -euo pipefail
apt-get update -q
apt-get install -y -q python3 python3-venv python3-pip make
cd /autograder/source
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission; results go to results/results.json.
# The submission may be the exercises/ folder's contents, a whole copy of the course, a zip's
# single top folder, or the module files dropped in flat: graders.batch.single finds them.
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
PYTHON="${AUTOGRADER_PYTHON:-$SOURCE/.venv/bin/python}"
mkdir -p "$ROOT/results"
cd "$SOURCE"
SELECTION="${GRADESCOPE_SELECTION:-__SELECTION__}"
"$PYTHON" -m graders.batch.single "$ROOT/submission" --select "$SELECTION" \\
    --format gradescope --out "$ROOT/results/results.json" \\
    --isolation "${AUTOGRADER_ISOLATION:-full}" --hide "$ROOT/results"
status=$?
if [ ! -s "$ROOT/results/results.json" ]; then
    printf '{"score": 0, "output": "The autograder could not run (exit status %s). '\\
'Please tell the course team.", "tests": []}\\n' "$status" > "$ROOT/results/results.json"
fi
exit 0
"""

EXECUTABLE = 0o755 << 16 | stat.S_IFREG << 16


def _add_text(archive: zipfile.ZipFile, name: str, text: str, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = EXECUTABLE if executable else (0o644 << 16 | stat.S_IFREG << 16)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text)


BUNDLED = ("graders/", "course.toml", "pyproject.toml", "README.md")
NOT_BUNDLED = ("graders/*/mutants/*", "graders/instructor/*", "graders/batch/*", "graders/gates/*")
# The one-submission grader and the shape detector it needs are all of batch/ Gradescope runs.
BUNDLED_BATCH = ("graders/batch/__init__.py", "graders/batch/shapes.py", "graders/batch/single.py")


def _belongs_in_bundle(name: str) -> bool:
    """The engine and the graders only: no solutions, mutants, stubs, lessons or notebooks."""
    if name in BUNDLED_BATCH:
        return True
    if not name.startswith(BUNDLED):
        return False
    return not any(fnmatch.fnmatch(name, pattern) for pattern in NOT_BUNDLED)


def build(out: Path, root: Path = REPO_ROOT, selection: str = "all") -> Path:
    """Write the bundle zip: Gradescope wants setup.sh and run_autograder at its top level.

    ``selection`` (e.g. ``ch30`` or ``ch28,ch30``) is what this assignment grades.
    """
    exercises = select_union(load_course(), selection)  # refuse an unknown selection now
    baked = ",".join(e.id for e in exercises)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w") as archive:
        _add_text(archive, "setup.sh", SETUP_SH, executable=True)
        script = RUN_AUTOGRADER.replace("__SELECTION__", baked)
        _add_text(archive, "run_autograder", script, executable=True)
        for name in tracked_files(root):
            if _belongs_in_bundle(name) and (root / name).is_file():
                archive.write(root / name, name)
    return out


def main(*, out: str, selection: str = "all") -> int:
    try:
        path = build(Path(out), selection=selection)
    except SelectionError as exc:
        print(f"error: {exc}")
        return 2
    print(f"Gradescope autograder bundle for {selection}: {path}")
    return 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m graders.instructor.gradescope")
    parser.add_argument("out", nargs="?", default="build/gradescope-autograder.zip")
    parser.add_argument("--select", default="all", help="chNN, chNN/module, all, or a comma list")
    arguments = parser.parse_args()
    raise SystemExit(main(out=arguments.out, selection=arguments.select))
