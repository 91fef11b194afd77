"""Build the learner-facing repository: everything a learner needs, nothing they must not see."""

from __future__ import annotations

import fnmatch
import shutil
import subprocess
from pathlib import Path

from graders.manifest import Course, load_course
from graders.paths import REPO_ROOT
from graders.report.classroom import runner_ids

TEMPLATES = Path(__file__).parent / "templates"

# Instructor-only material: reference solutions (and the reference TaskForge), mutants,
# hostile submissions, batch and verification tooling, and the project's own tests.
EXCLUDED = [
    "solutions/*",
    "taskforge/*",  # the reference TaskForge is the gates' answer key; learners get the starter
    "graders/*/mutants/*",
    "graders/instructor/*",
    "graders/batch/*",
    "graders/commands/grade.py",
    "graders/commands/verify.py",
    "graders/devcheck.py",
    "tests/*",
    "benchmarks/*",
    "instructor.mk",
    ".ci/*",
    "bin/*",  # the Exercism test-runner entry point
    "*_hidden.py",
    "graders/*/alternatives/*",  # correct solutions written differently: answers, too
]


def tracked_files(root: Path = REPO_ROOT) -> list[str]:
    """Files git tracks (a release never picks up stray local files)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True)
    return sorted(name for name in listed.stdout.decode().split("\0") if name)


def is_excluded(name: str) -> bool:
    return any(fnmatch.fnmatch(name, pattern) for pattern in EXCLUDED)


def build(out: Path, root: Path = REPO_ROOT) -> list[str]:
    """Copy the learner release into ``out`` (which must be empty or missing)."""
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    copied = []
    for name in tracked_files(root):
        if is_excluded(name) or not (root / name).is_file():
            continue
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, target)
        copied.append(name)
    (out / "README.md").write_text(
        (TEMPLATES / "learner-README.md").read_text(encoding="utf-8"), encoding="utf-8"
    )
    workflow = out / ".github" / "workflows" / "grade.yml"
    workflow.parent.mkdir(parents=True, exist_ok=True)
    workflow.write_text(learner_workflow(load_course()), encoding="utf-8")
    # The course website (`make site`), published by GitHub Pages from the learner's repository.
    shutil.copy(TEMPLATES / "learner-pages.yml", workflow.parent / "pages.yml")
    _initial_commit(out)
    return copied


def learner_workflow(course: Course) -> str:
    """The workflow template with one Classroom reporter runner per chapter."""
    runners = runner_ids(course)
    env = "\n".join(
        f'          {r.upper()}_RESULTS: "${{{{ steps.grade.outputs.{r} }}}}"' for r in runners
    )
    text = (TEMPLATES / "learner-workflow.yml").read_text(encoding="utf-8")
    return text.replace("__RUNNER_ENV__", env).replace("__RUNNERS__", ",".join(runners))


def _initial_commit(out: Path) -> None:
    """A repository with its first commit, ready to push as a GitHub Classroom template."""
    git = ["git", "-c", "user.name=Course team", "-c", "user.email=course-team@example.invalid"]
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=out, check=True)
    subprocess.run(["git", "add", "-A"], cwd=out, check=True)
    subprocess.run(
        [*git, "commit", "-q", "--no-verify", "-m", "Course repository"], cwd=out, check=True
    )


def main(*, out: str) -> int:
    destination = Path(out)
    try:
        copied = build(destination)
    except FileExistsError as exc:
        print(f"error: {exc}")
        return 2
    print(f"Learner release: {len(copied)} files in {destination} (no solutions, no mutants).")
    return 0


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(prog="python -m graders.instructor.release")
    parser.add_argument("out")
    raise SystemExit(main(out=parser.parse_args().out))
