"""Build a Gradescope autograder bundle: setup.sh, run_autograder and the course source."""

from __future__ import annotations

import fnmatch
import stat
import zipfile
from pathlib import Path

from graders.instructor.release import tracked_files
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
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
PYTHON="${AUTOGRADER_PYTHON:-$SOURCE/.venv/bin/python}"
SUBMISSION="$ROOT/submission"
# Learners may upload their exercises/ folder's contents or their whole repository.
if [ -d "$SUBMISSION/exercises" ]; then SUBMISSION="$SUBMISSION/exercises"; fi
mkdir -p "$ROOT/results"
cd "$SOURCE"
"$PYTHON" -m graders check "${GRADESCOPE_SELECTION:-all}" --target "$SUBMISSION" \\
    --gradescope "$ROOT/results/results.json" --quiet --no-record \\
    --isolation "${AUTOGRADER_ISOLATION:-full}" --hide "$ROOT/results"
status=$?
if [ "$status" -gt 1 ] || [ ! -s "$ROOT/results/results.json" ]; then
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


def _belongs_in_bundle(name: str) -> bool:
    """The engine and the graders only: no solutions, mutants, stubs, lessons or notebooks."""
    if not name.startswith(BUNDLED):
        return False
    return not any(fnmatch.fnmatch(name, pattern) for pattern in NOT_BUNDLED)


def build(out: Path, root: Path = REPO_ROOT) -> Path:
    """Write the bundle zip: Gradescope wants setup.sh and run_autograder at its top level."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w") as archive:
        _add_text(archive, "setup.sh", SETUP_SH, executable=True)
        _add_text(archive, "run_autograder", RUN_AUTOGRADER, executable=True)
        for name in tracked_files(root):
            if _belongs_in_bundle(name) and (root / name).is_file():
                archive.write(root / name, name)
    return out


def main(*, out: str) -> int:
    path = build(Path(out))
    print(f"Gradescope autograder bundle: {path}")
    return 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m graders.instructor.gradescope")
    parser.add_argument("out", nargs="?", default="build/gradescope-autograder.zip")
    raise SystemExit(main(out=parser.parse_args().out))
