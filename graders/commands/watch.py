"""``watch``: re-run the check every time a file under the target folder changes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from graders.console import error, stdout_console
from graders.manifest import ManifestError, SelectionError, load_course
from graders.paths import EXERCISES_DIR, REPO_ROOT


def _check(selector: str, target: Path) -> None:
    # A fresh process per run, so edited grader or learner modules are always re-read.
    subprocess.run(
        [sys.executable, "-m", "graders", "check", selector, "--target", str(target)],
        cwd=REPO_ROOT,
        check=False,
    )


def main(*, selector: str, target: str | None = None) -> int:
    try:
        load_course().select(selector)
    except (ManifestError, SelectionError) as exc:
        error(str(exc))
        return 2
    target_dir = Path(target) if target else EXERCISES_DIR
    if not target_dir.is_dir():
        error(f"target folder not found: {target_dir}")
        return 2
    from watchfiles import PythonFilter, watch

    console = stdout_console()
    _check(selector, target_dir)
    console.print(f"[dim]Watching {target_dir} for changes. Ctrl-C to stop.[/dim]")
    try:
        for _changes in watch(target_dir, watch_filter=PythonFilter()):
            console.clear()
            _check(selector, target_dir)
            console.print(f"[dim]Watching {target_dir} for changes. Ctrl-C to stop.[/dim]")
    except KeyboardInterrupt:
        pass
    return 0
