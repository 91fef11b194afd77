"""Fetch the browser scripts the site needs from the npm registry at build time, never a CDN."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from graders.paths import REPO_ROOT

NODE_PROJECT = Path(__file__).resolve().parent / "mermaid"  # package.json + lock
NODE_HOME = REPO_ROOT / "build" / "mermaid-check"


class VendorError(RuntimeError):
    """Node or npm is missing, or the registry could not be reached."""


def install_mermaid(timeout: int = 300) -> Path:
    """Install the locked mermaid package into build/ (again only if the lock changed).

    Returns the folder holding node_modules. Raises VendorError with a readable reason.
    """
    npm = shutil.which("npm")
    if not shutil.which("node") or not npm:
        raise VendorError("Node.js and npm are not installed")
    lock = (NODE_PROJECT / "package-lock.json").read_bytes()
    digest = hashlib.sha256(lock).hexdigest()
    stamp = NODE_HOME / ".lock-sha256"
    ready = (NODE_HOME / "node_modules" / "mermaid").is_dir()
    if not ready or not stamp.is_file() or stamp.read_text() != digest:
        shutil.rmtree(NODE_HOME, ignore_errors=True)
        NODE_HOME.mkdir(parents=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(NODE_PROJECT / name, NODE_HOME / name)
        try:
            done = subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=NODE_HOME,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise VendorError(f"npm ci did not finish within {timeout} s") from exc
        if done.returncode != 0:
            raise VendorError(f"npm ci failed: {done.stderr.strip()[-400:]}")
        stamp.write_text(digest)
    return NODE_HOME


def mermaid_script() -> Path:
    """The minified Mermaid bundle from the installed package."""
    script = install_mermaid() / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
    if not script.is_file():
        raise VendorError(f"{script} is missing from the mermaid package")
    return script
