"""Run each chapter notebook in a real kernel and render it, outputs and plots included."""

from __future__ import annotations

import importlib.util
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from graders.paths import REPO_ROOT

NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
CELL_TIMEOUT = 60


@dataclass(frozen=True)
class NotebookPage:
    stem: str  # ch30_transactions
    chapter: str  # ch30
    title: str  # from the notebook's first "# " heading


def _build_module():
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOKS_DIR / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _title(notebook) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    # "Chapter 30 · Two connections..." -> "Two connections...": the nav adds 30
                    return re.sub(r"^Chapter \d+\s*[·:-]\s*", "", line[2:].strip())
    return "Notebook"


def render_all(out_dir: Path) -> list[NotebookPage]:
    """Execute every notebook source and write <stem>.md plus its images into out_dir."""
    import nbclient
    from jupyter_client.manager import KernelManager
    from nbconvert import MarkdownExporter

    build = _build_module()
    out_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, COURSE_ROOT=str(REPO_ROOT), PYDEVD_DISABLE_FILE_VALIDATION="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(NOTEBOOKS_DIR), env.get("PYTHONPATH")]))
    env.pop("MPLBACKEND", None)  # the inline backend, as in JupyterLab
    pages = []
    for source in build.sources(NOTEBOOKS_DIR):
        notebook = build.build_notebook(source)
        with tempfile.TemporaryDirectory(prefix="site-notebook-") as workdir:
            # IPC sockets in the temporary folder: no TCP port, so nothing listens on the network.
            manager = KernelManager(kernel_name="python3", transport="ipc")
            manager.ip = str(Path(workdir) / "kernel")
            client = nbclient.NotebookClient(
                notebook,
                km=manager,
                timeout=CELL_TIMEOUT,
                allow_errors=True,  # a learner cell left blank must not stop the page
                resources={"metadata": {"path": workdir}},
            )
            try:
                client.execute(env=env)
            finally:
                if manager.has_kernel:
                    manager.shutdown_kernel(now=True)
        files_dir = f"{source.stem}_files"
        exporter = MarkdownExporter()
        body, resources = exporter.from_notebook_node(
            notebook, resources={"output_files_dir": files_dir, "unique_key": source.stem}
        )
        for name, data in resources.get("outputs", {}).items():
            target = out_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (out_dir / f"{source.stem}.md").write_text(body, encoding="utf-8")
        pages.append(NotebookPage(source.stem, source.stem[:4], _title(notebook)))
    return pages
