"""Start JupyterLab for the course: at the repository root, a notebook in front, sources hidden."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

NOTEBOOKS_DIR = Path(__file__).resolve().parent
REPO_ROOT = NOTEBOOKS_DIR.parent
# Jupyter's own defaults, plus the notebooks' jupytext sources (chNN_topic.py). Those are the
# course's source files: a learner opening one by mistake would be editing the course itself.
# The pattern matches file names only, and no exercise or lesson is named like that.
HIDDEN = ["__pycache__", "*.pyc", "*.pyo", ".DS_Store", "*~", "ch[0-9][0-9]_*.py", "*.egg-info"]
# No "news" pop-up and no update check on a learner's first start.
QUIET_SETTINGS = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}
}


def default_notebook(chapter: str | None) -> Path:
    """The notebook to open first: the chapter's, or the first chapter's."""
    pattern = f"{chapter}_*.ipynb" if chapter else "ch*_*.ipynb"
    found = sorted(NOTEBOOKS_DIR.glob(pattern))
    if not found:
        raise SystemExit(f"error: no notebook matches notebooks/{pattern}; run `make notebooks`")
    return found[0]


def write_quiet_settings(prefix: Path = Path(sys.prefix)) -> Path:
    """JupyterLab reads setting overrides from <prefix>/share/jupyter/lab/settings/."""
    path = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    current = json.loads(path.read_text()) if path.is_file() else {}
    current.update(QUIET_SETTINGS)
    path.write_text(json.dumps(current, indent=2) + "\n")
    return path


def lab_command(
    notebook: Path, *, port: int | None = None, token: str | None = None, browser: bool = True
) -> list[str]:
    """The `jupyter lab` command line, with --allow-root only when running as root."""
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={REPO_ROOT}",
        f"--ContentsManager.hide_globs={json.dumps(HIDDEN)}",
        "--ServerApp.ip=127.0.0.1",
        f"--LabApp.default_url=/lab/tree/{notebook.relative_to(REPO_ROOT).as_posix()}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and CI images often run as root
    if port is not None:
        command.append(f"--ServerApp.port={port}")
    if token is not None:
        command.append(f"--IdentityProvider.token={token}")
    if not browser:
        command.append("--no-browser")
    return command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("chapter", nargs="?", help="open this chapter's notebook, e.g. ch30")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args(argv)
    notebook = default_notebook(args.chapter)
    write_quiet_settings()
    command = lab_command(notebook, browser=not args.no_browser)
    print(f"Opening {notebook.relative_to(REPO_ROOT)} in JupyterLab (Ctrl+C twice stops it)")
    os.execv(command[0], command)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
