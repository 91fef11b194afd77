"""Build the site into build/site: stage pages, vendor Mermaid, run MkDocs, refuse remote assets."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from graders.paths import REPO_ROOT

from .config import write_config
from .notebook_pages import render_all
from .stage import stage
from .vendor import mermaid_script

STAGE_DIR = REPO_ROOT / "build" / "site-src"
SITE_DIR = REPO_ROOT / "build" / "site"
# A tag that makes the browser fetch something from another host when the page opens.
REMOTE_ASSET = re.compile(
    r"<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)=[\"'](?:https?:)?//", re.I
)


class SiteError(RuntimeError):
    """The site could not be built; the message says why."""


def remote_assets(site_dir: Path) -> list[str]:
    """Pages that would load a script, style, font or image from the network."""
    found = []
    for page in sorted(site_dir.rglob("*.html")):
        for match in REMOTE_ASSET.finditer(page.read_text(encoding="utf-8", errors="replace")):
            found.append(f"{page.relative_to(site_dir)}: {match.group(0)[:120]}")
    return found


def build(site_dir: Path = SITE_DIR, stage_dir: Path = STAGE_DIR) -> float:
    """Build the whole site; return the seconds it took."""
    started = time.perf_counter()
    shutil.rmtree(stage_dir, ignore_errors=True)
    docs = stage_dir / "docs"
    pages = render_all(docs / "notebooks")
    nav = stage(docs, pages)
    scripts = docs / "assets" / "javascripts"
    scripts.mkdir(parents=True, exist_ok=True)
    shutil.copy(mermaid_script(), scripts / "mermaid.min.js")
    config = write_config(stage_dir, site_dir, nav)
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--clean", "-f", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SiteError(f"mkdocs build failed:\n{done.stdout[-2000:]}{done.stderr[-4000:]}")
    remote = remote_assets(site_dir)
    if remote:
        raise SiteError("pages would load assets from the network:\n" + "\n".join(remote))
    return time.perf_counter() - started
